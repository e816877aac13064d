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


# --- campaigns ---------------------------------------------------------------------------------------

def campaigns(user: Any, *, status: str | None = None) -> QuerySet:
    from .models import Campaign

    found = Campaign.objects.visible_to(user).select_related("area", "organisation")
    return found.filter(status=status) if status else found


def roster(campaign: Any, user: Any, *, status: str | None = None, area: str | None = None, q: str = "",
           action: str = "view") -> QuerySet:
    """A campaign's roster as the user may see it, ordered for walking a village: by village, then
    address. `area` is any area code (a town or a village); `q` is a name or the last digits of the ID."""
    from onedoor.core.scoping import in_subtree

    from .models import RosterEntry

    entries = (RosterEntry.objects.visible_to(user, action).filter(campaign=campaign)
               .select_related("person", "area", "town", "category"))
    if status:
        entries = entries.filter(status=status)
    if area:
        entries = entries.filter(in_subtree("area", area))
    q = (q or "").strip()
    if q:
        from onedoor.core.text import normalize_name

        if q.isdigit() or q[-1:] in "Xx" and q[:-1].isdigit():
            entries = entries.filter(person__id_tail__endswith=q.upper()[-6:])
        else:
            entries = entries.filter(person__name_simplified__contains=normalize_name(q))
    return entries.order_by("area_id", "address", "pk")


@dataclass
class CoverageRow:
    """Targets of one area (or category) by outcome. `remaining` are those still to be reached."""

    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def targets(self) -> int:
        return sum(self.counts.values())

    @property
    def delivered(self) -> int:
        return self.count("delivered")

    @property
    def remaining(self) -> int:
        return self.count("pending") + self.count("unreachable")

    @property
    def closed_otherwise(self) -> int:
        """Reached but not given goods: refused, deceased, moved away."""
        return self.count("refused") + self.count("deceased") + self.count("moved")

    @property
    def percent(self) -> float | None:
        """Share of targets delivered, of those who could still receive (the deceased and the moved
        are out of the denominator)."""
        base = self.targets - self.count("deceased") - self.count("moved")
        return round(100 * self.delivered / base, 1) if base else None


@dataclass
class Coverage:
    campaign: Any
    total: CoverageRow
    rows: list[CoverageRow]
    by_category: list[CoverageRow]

    @property
    def all_covered(self) -> bool:
        return self.total.targets > 0 and self.total.remaining == 0

    @property
    def statement(self) -> str:
        """The sentence for the report: computed from the entries, never typed in."""
        if not self.total.targets:
            return "名单为空。"
        listed = "、".join(f"{row.name} {row.targets} 人" for row in self.by_category)
        if self.all_covered:
            others = [f"{label}{self.total.count(code)}人" for code, label in
                      (("deceased", "已故"), ("moved", "迁出"), ("refused", "拒收")) if self.total.count(code)]
            tail = f"（另有{'、'.join(others)}）" if others else ""
            return f"名单内{listed}，已全部送达或办结：送达 {self.total.delivered} 人{tail}。"
        return (f"名单内{listed}；已送达 {self.total.delivered} 人，尚有 {self.total.remaining} 人未送达"
                f"（待发放 {self.total.count('pending')}、联系不上 {self.total.count('unreachable')}）。")


def coverage(campaign: Any, user: Any, *, by: str = "town", within: str | None = None) -> Coverage:
    """Targets / delivered / remaining per town (or per village, `by="village"`, optionally `within`
    one town) and per category, from the roster entries the user may see. One GROUP BY over (area,
    category, status) — read from the covering index alone — added up two ways here, and one query for
    the names."""
    from django.db.models import Count

    from onedoor.core.scoping import in_subtree
    from onedoor.geo.models import Area
    from onedoor.registry.models import Category

    from .models import RosterEntry

    entries = RosterEntry.objects.visible_to(user).filter(campaign=campaign)
    if within:
        entries = entries.filter(in_subtree("area", within))
    group = "town_id" if by == "town" else "area_id"
    by_area: dict[str, dict[str, int]] = {}
    by_category_id: dict[int, dict[str, int]] = {}
    for key, category_id, status, count in (entries.order_by().values_list(group, "category_id", "status")
                                            .annotate(n=Count("*"))):
        for table, row_key in ((by_area, key), (by_category_id, category_id)):
            counts = table.setdefault(row_key, {})
            counts[status] = counts.get(status, 0) + count
    names = dict(Area.objects.filter(code__in=by_area).values_list("code", "name"))
    rows = [CoverageRow(code, names.get(code, code), counts) for code, counts in sorted(by_area.items())]
    total = CoverageRow("", "合计")
    for row in rows:
        for status, count in row.counts.items():
            total.counts[status] = total.counts.get(status, 0) + count
    categories = Category.objects.filter(pk__in=by_category_id).order_by("order", "pk")
    by_category = [CoverageRow(category.code, category.name, by_category_id[category.pk]) for category in categories]
    return Coverage(campaign, total, rows, by_category)
