"""Reads of relief stock, all through `visible_to`: the stock table by store and item, movements with
filters, low-stock and expiry lists. Each is a fixed, small number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import StoreKind
from .models import CallOffOrder, Item, MinimumLevel, StockBalance, StockMove, Store

EXPIRY_WARNING_DAYS = 30


def visible_stores(user: Any, action: str = "view") -> QuerySet[Store]:
    return Store.objects.visible_to(user, action).filter(is_active=True).select_related("area", "organisation")


def active_items() -> QuerySet[Item]:
    return Item.objects.filter(is_active=True).order_by("pk")


@dataclass
class StockTable:
    """Items × stores, with the bureau's own stores and the supplier reserves as two column groups."""

    items: list[Item]
    own_stores: list[Store]
    supplier_stores: list[Store]
    cells: dict[tuple[int, int], int] = field(default_factory=dict)

    def rows(self) -> list[dict]:
        rows = []
        for item in self.items:
            own = [self.cells.get((store.pk, item.pk), 0) for store in self.own_stores]
            reserve = [self.cells.get((store.pk, item.pk), 0) for store in self.supplier_stores]
            rows.append({"item": item, "own": own, "own_total": sum(own), "reserve": reserve,
                         "reserve_total": sum(reserve), "total": sum(own) + sum(reserve)})
        return rows


def stock_table(user: Any, *, kind: str | None = None, store: Store | None = None) -> StockTable:
    """Three queries: stores, items, summed balances."""
    stores = visible_stores(user)
    if kind:
        stores = stores.filter(kind=kind)
    if store is not None:
        stores = stores.filter(pk=store.pk)
    stores = list(stores.order_by("kind", "area_id", "pk"))
    sums = (StockBalance.objects.filter(store__in=[s.pk for s in stores]).values("store_id", "item_id")
            .annotate(total=Sum("quantity")).order_by())
    table = StockTable(items=list(active_items()),
                       own_stores=[s for s in stores if s.kind != StoreKind.SUPPLIER],
                       supplier_stores=[s for s in stores if s.kind == StoreKind.SUPPLIER])
    table.cells = {(row["store_id"], row["item_id"]): row["total"] for row in sums}
    return table


def balances(user: Any, *, store: int | None = None, item: str | None = None, kind: str | None = None,
             expiring_within: int | None = None, include_empty: bool = False) -> QuerySet[StockBalance]:
    """Balance rows (per batch) the user may see."""
    rows = StockBalance.objects.visible_to(user).select_related("store", "item")
    if not include_empty:
        rows = rows.filter(quantity__gt=0)
    if store:
        rows = rows.filter(store_id=store)
    if item:
        rows = rows.filter(item__code=item)
    if kind:
        rows = rows.filter(store__kind=kind)
    if expiring_within is not None:
        rows = rows.filter(expiry__isnull=False, expiry__lte=timezone.localdate() + timedelta(days=expiring_within))
    return rows.order_by("store__kind", "store_id", "item_id", "expiry")


def moves(user: Any, *, store: int | None = None, item: str | None = None, kind: str | None = None,
          date_from: date | None = None, date_to: date | None = None) -> QuerySet[StockMove]:
    rows = StockMove.objects.visible_to(user).select_related("item", "from_store", "to_store", "actor")
    if store:
        rows = rows.filter(Q(from_store_id=store) | Q(to_store_id=store))
    if item:
        rows = rows.filter(item__code=item)
    if kind:
        rows = rows.filter(kind=kind)
    if date_from:
        rows = rows.filter(occurred_at__date__gte=date_from)
    if date_to:
        rows = rows.filter(occurred_at__date__lte=date_to)
    return rows.order_by("-occurred_at", "-pk")


def low_stock(user: Any) -> QuerySet[MinimumLevel]:
    """Minimum levels not met: what the store holds of the item (all batches) is below the minimum."""
    held = (StockBalance.objects.filter(store=OuterRef("store"), item=OuterRef("item")).order_by()
            .values("store").annotate(total=Sum("quantity")).values("total"))
    return (MinimumLevel.objects.visible_to(user).filter(store__is_active=True)
            .annotate(on_hand=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)))
            .filter(on_hand__lt=F("minimum")).select_related("store", "item")
            .order_by("store__kind", "store_id", "item_id"))


def expiring(user: Any, days: int = EXPIRY_WARNING_DAYS) -> QuerySet[StockBalance]:
    """Food batches still good but expiring within `days` (today counts as good)."""
    today = timezone.localdate()
    return (StockBalance.objects.visible_to(user)
            .filter(quantity__gt=0, expiry__gte=today, expiry__lte=today + timedelta(days=days))
            .select_related("store", "item").order_by("expiry", "store_id"))


def expired(user: Any) -> QuerySet[StockBalance]:
    """Food batches past their expiry date that are still on the books (to be counted out)."""
    return (StockBalance.objects.visible_to(user).filter(quantity__gt=0, expiry__lt=timezone.localdate())
            .select_related("store", "item").order_by("expiry", "store_id"))


def call_offs(user: Any, *, status: str | None = None) -> QuerySet[CallOffOrder]:
    rows = CallOffOrder.objects.visible_to(user).select_related("supplier", "destination", "ordered_by")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-ordered_at", "-pk")
