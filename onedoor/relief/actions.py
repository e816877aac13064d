"""Every change of relief stock: receive, transfer, issue, return, adjust after a stock count, and the
call-off orders to suppliers. Each action runs in one transaction, writes the StockMove rows (the
ledger) and changes StockBalance in the same transaction with conditional UPDATEs:

    UPDATE stockbalance SET quantity = quantity - x WHERE … AND quantity >= x

A decrement that finds no row with enough stock changes nothing and the action refuses with
`InsufficientStock` (409), naming the item, the store and what is on hand. Two concurrent issues of
the last units cannot both succeed: on PostgreSQL the second UPDATE waits for the first's row lock
and then re-checks `quantity >= x` against the committed row; on SQLite writers are serialised
(BEGIN IMMEDIATE). The CHECK (quantity >= 0) on the table is the last guard.

Food (perishable items) is kept by batch — the expiry date. An issue or transfer that names no batch
takes the earliest-expiring batches first (FEFO) and writes one move per batch, sharing a `group`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError, IllegalTransition, NotPermitted
from onedoor.core.scoping import is_admin

from .choices import CALL_OFF_TRANSITIONS, PURPOSES_BY_KIND, CallOffStatus, MoveKind, Purpose, StoreKind
from .models import CallOffLine, CallOffOrder, Item, MinimumLevel, StockBalance, StockMove, Store


class InsufficientStock(Conflict):
    """Not enough on hand for a decrement; `details` has store, item, on_hand and requested."""

    code = "insufficient_stock"


# --- checks ------------------------------------------------------------------------------------

def may_issue_from(actor: Any, store: Store) -> bool:
    """Whether `actor` may hand out goods of `store` for a recorded source (a campaign delivery, a patrol)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return is_admin(actor) or Store.objects.visible_to(actor, "issue").filter(pk=store.pk).exists()


def _check_may(actor: Any, store: Store, action: str = "manage") -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotPermitted("请先登录。")
    if is_admin(actor):
        return
    if not Store.objects.visible_to(actor, action).filter(pk=store.pk).exists():
        verb = "发放" if action == "issue" else "管理"
        raise NotPermitted(f"您不能{verb}“{store}”的物资。")


def _check_quantity(quantity: int, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise DomainError("数量须为正整数。", code="invalid_quantity", details={"field": field})
    return quantity


def _check_purpose(kind: str, purpose: str) -> None:
    allowed = PURPOSES_BY_KIND[MoveKind(kind)]
    if purpose not in allowed:
        names = "、".join(str(Purpose(p).label) for p in allowed)
        raise DomainError(f"{MoveKind(kind).label}的用途应为：{names}。", code="invalid_purpose",
                          details={"field": "purpose"})


def _check_active(store: Store, item: Item, field: str = "store") -> None:
    if not store.is_active:
        raise DomainError(f"“{store}”已停用。", code="inactive_store", details={"field": field})
    if not item.is_active:
        raise DomainError(f"物资“{item}”已停用。", code="inactive_item", details={"field": "item"})


def batch_key(store: Store, item: Item, expiry: date | None) -> date | None:
    """The batch a store keeps goods under: the expiry date for food, none for other goods — and none
    at a supplier's reserve, which the supplier rotates itself (the batch is recorded on arrival)."""
    if not item.perishable or store.is_supplier:
        return None
    return expiry


def _batch_for_receipt(item: Item, expiry: date | None, store: Store | None = None) -> date | None:
    """The batch of goods coming in: food must name its expiry date; other goods have no batch."""
    if not item.perishable or (store is not None and store.is_supplier):
        return None
    if expiry is None:
        raise DomainError(f"“{item}”有保质期，请填写到期日。", code="expiry_required", details={"field": "expiry"})
    return expiry


# --- balances ------------------------------------------------------------------------------------

def on_hand(store: Store, item: Item, expiry: date | None = None, *, any_batch: bool = True) -> int:
    """What a store holds of an item (all batches, or one batch when `any_batch` is False)."""
    balances = StockBalance.objects.filter(store=store, item=item)
    if not any_batch:
        balances = balances.filter(expiry=expiry) if expiry else balances.filter(expiry__isnull=True)
    return balances.aggregate(total=Sum("quantity"))["total"] or 0


def _refuse(store: Store, item: Item, requested: int, expiry: date | None = None) -> InsufficientStock:
    total = on_hand(store, item)
    batch = ""
    if expiry is not None:
        batch = f"（到期日 {expiry:%Y-%m-%d} 的批次现有 {on_hand(store, item, expiry, any_batch=False)}{item.unit}）"
    return InsufficientStock(
        f"库存不足：“{store}”的{item}现有 {total}{item.unit}{batch}，不能出库 {requested}{item.unit}。",
        details={"store": store.pk, "store_name": store.name, "item": item.code, "item_name": item.name,
                 "unit": item.unit, "on_hand": total, "requested": requested,
                 "expiry": expiry.isoformat() if expiry else None},
    )


def _batch_filter(expiry: date | None) -> dict:
    return {"expiry": expiry} if expiry is not None else {"expiry__isnull": True}


def _increase(store: Store, item: Item, quantity: int, expiry: date | None) -> None:
    """Add to a balance row, creating it the first time (a racing creator makes us update instead)."""
    rows = StockBalance.objects.filter(store=store, item=item, **_batch_filter(expiry))
    if rows.update(quantity=F("quantity") + quantity, updated_at=timezone.now()):
        return
    try:
        with transaction.atomic():
            StockBalance.objects.create(store=store, item=item, expiry=expiry, quantity=quantity)
    except IntegrityError:
        rows.update(quantity=F("quantity") + quantity, updated_at=timezone.now())


def _decrease(store: Store, item: Item, quantity: int, expiry: date | None) -> None:
    """Take from one balance row, only if it holds enough — decided by the database, not by a read."""
    changed = StockBalance.objects.filter(
        store=store, item=item, quantity__gte=quantity, **_batch_filter(expiry)
    ).update(quantity=F("quantity") - quantity, updated_at=timezone.now())
    if not changed:
        raise _refuse(store, item, quantity, expiry)


def _allocate(store: Store, item: Item, quantity: int, expiry: date | None) -> list[tuple[date | None, int]]:
    """Which batches a decrement takes: the named one, else earliest expiry first (FEFO).

    The batch rows are locked first (select_for_update on PostgreSQL), so the split is computed on
    the quantities this transaction will update; the conditional UPDATE still guards each one."""
    if not item.perishable or store.is_supplier:
        return [(None, quantity)]
    if expiry is not None:
        return [(expiry, quantity)]
    batches = list(StockBalance.objects.select_for_update().filter(store=store, item=item, quantity__gt=0)
                   .order_by(F("expiry").asc(nulls_last=True), "pk").values_list("expiry", "quantity"))
    plan, left = [], quantity
    for batch, available in batches:
        take = min(left, available)
        plan.append((batch, take))
        left -= take
        if not left:
            return plan
    raise _refuse(store, item, quantity)


@dataclass(frozen=True)
class _Leg:
    store: Store
    sign: int  # +1 goods arrive, -1 goods leave


def _apply(legs: Iterable[_Leg], item: Item, quantity: int, expiry: date | None) -> None:
    # Always touch stores in the same order (by pk), so two opposite transfers cannot deadlock.
    for leg in sorted(legs, key=lambda leg: leg.store.pk):
        batch = batch_key(leg.store, item, expiry)
        if leg.sign > 0:
            _increase(leg.store, item, quantity, batch)
        else:
            _decrease(leg.store, item, quantity, batch)


def _source_fields(source: Any) -> dict:
    if source is None:
        return {}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": str(source.pk)}


def _write_moves(*, actor: Any, kind: str, purpose: str, item: Item, plan: list[tuple[date | None, int]],
                 from_store: Store | None, to_store: Store | None, note: str = "", source: Any = None,
                 occurred_at=None, data: dict | None = None) -> list[StockMove]:
    group = uuid.uuid4() if len(plan) > 1 else None
    legs = [_Leg(store, sign) for store, sign in ((from_store, -1), (to_store, +1)) if store is not None]
    moves = []
    for batch, quantity in plan:
        _apply(legs, item, quantity, batch)
        move = StockMove(kind=kind, purpose=purpose, item=item, quantity=quantity, from_store=from_store,
                         to_store=to_store, expiry=batch, group=group, actor=actor if _is_user(actor) else None,
                         note=note, data=data or {}, occurred_at=occurred_at or timezone.now(),
                         **_source_fields(source))
        move.save()
        moves.append(move)
    return moves


def _is_user(actor: Any) -> bool:
    return getattr(actor, "is_authenticated", False)


# --- the moves ---------------------------------------------------------------------------------

@transaction.atomic
def receive_stock(*, actor: Any, store: Store, item: Item, quantity: int, purpose: str = Purpose.PURCHASE,
                  expiry: date | None = None, note: str = "", source: Any = None) -> StockMove:
    """Goods arrive from outside (bought or donated). Call-offs arrive through `deliver_call_off`."""
    _check_may(actor, store)
    _check_quantity(quantity)
    _check_purpose(MoveKind.RECEIPT, purpose)
    if purpose == Purpose.CALL_OFF:
        raise DomainError("供应商调运请在调运单上确认到货。", code="use_call_off", details={"field": "purpose"})
    _check_active(store, item)
    batch = _batch_for_receipt(item, expiry, store)
    return _write_moves(actor=actor, kind=MoveKind.RECEIPT, purpose=purpose, item=item, plan=[(batch, quantity)],
                        from_store=None, to_store=store, note=note, source=source)[0]


@transaction.atomic
def transfer_stock(*, actor: Any, from_store: Store, to_store: Store, item: Item, quantity: int,
                   expiry: date | None = None, note: str = "") -> list[StockMove]:
    """Goods go from one of the bureau's stores to another (one move per batch moved)."""
    _check_may(actor, from_store)
    _check_quantity(quantity)
    if from_store.pk == to_store.pk:
        raise DomainError("调出和调入不能是同一个储备点。", code="same_store", details={"field": "to_store"})
    if to_store.kind == StoreKind.SUPPLIER or from_store.kind == StoreKind.SUPPLIER:
        raise DomainError("供应商储备请通过调运单调用，不能直接调拨。", code="use_call_off",
                          details={"field": "to_store" if to_store.is_supplier else "from_store"})
    _check_active(from_store, item, "from_store")
    _check_active(to_store, item, "to_store")
    plan = _allocate(from_store, item, quantity, expiry)
    return _write_moves(actor=actor, kind=MoveKind.TRANSFER, purpose=Purpose.REPLENISH, item=item, plan=plan,
                        from_store=from_store, to_store=to_store, note=note)


@transaction.atomic
def issue_stock_moves(*, actor: Any, store: Store, item: Item, quantity: int, purpose: str, source: Any = None,
                      expiry: date | None = None, note: str = "") -> list[StockMove]:
    """Goods leave a store to people: all the moves written (one per batch taken)."""
    # An issue for a recorded source (a campaign delivery, a patrol encounter) may be made by the field
    # staff whose grant covers the store; a bare issue needs the storekeeper.
    _check_may(actor, store, "issue" if source is not None else "manage")
    _check_quantity(quantity)
    _check_purpose(MoveKind.ISSUE, purpose)
    _check_active(store, item)
    if store.is_supplier:
        raise DomainError("供应商储备须先调运入库，不能直接发放。", code="use_call_off", details={"field": "store"})
    plan = _allocate(store, item, quantity, expiry)
    return _write_moves(actor=actor, kind=MoveKind.ISSUE, purpose=purpose, item=item, plan=plan, from_store=store,
                        to_store=None, note=note, source=source)


def issue_stock(*, actor: Any, store: Store, item: Item, quantity: int, purpose: str, source: Any = None,
                expiry: date | None = None, note: str = "") -> StockMove:
    """Issue goods from a store — the one call a campaign delivery or a patrol makes. Returns the
    (first) move; when food is taken from several batches the others share its `group`."""
    return issue_stock_moves(actor=actor, store=store, item=item, quantity=quantity, purpose=purpose,
                             source=source, expiry=expiry, note=note)[0]


@transaction.atomic
def return_stock(*, actor: Any, store: Store, item: Item, quantity: int, expiry: date | None = None,
                 note: str = "", source: Any = None) -> StockMove:
    """Goods handed out but not delivered (a target unreachable, a patrol's leftovers) come back."""
    _check_may(actor, store, "issue" if source is not None else "manage")
    _check_quantity(quantity)
    _check_active(store, item)
    batch = _batch_for_receipt(item, expiry, store)
    return _write_moves(actor=actor, kind=MoveKind.RETURN, purpose=Purpose.RETURNED, item=item,
                        plan=[(batch, quantity)], from_store=None, to_store=store, note=note, source=source)[0]


@transaction.atomic
def adjust_stock(*, actor: Any, store: Store, item: Item, counted: int, reason: str,
                 expiry: date | None = None) -> StockMove | None:
    """A stock count found `counted` of an item (batch) at a store: the difference becomes an
    adjustment with the reason. None when the count agrees with the books."""
    _check_may(actor, store)
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise DomainError("盘点数量须为不小于 0 的整数。", code="invalid_quantity", details={"field": "counted"})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("盘点调整须写明原因。", code="reason_required", details={"field": "reason"})
    batched = item.perishable and not store.is_supplier
    if batched and expiry is None:
        raise DomainError(f"“{item}”按批次记账，请选择要盘点的批次（到期日）。", code="expiry_required",
                          details={"field": "expiry"})
    batch = expiry if batched else None
    # Lock the balance row, so the difference is taken against the quantity this transaction changes.
    row = (StockBalance.objects.select_for_update().filter(store=store, item=item, **_batch_filter(batch))
           .values_list("quantity", flat=True).first())
    booked = row or 0
    if counted == booked:
        return None
    difference = counted - booked
    return _write_moves(
        actor=actor, kind=MoveKind.ADJUSTMENT, purpose=Purpose.STOCK_COUNT, item=item,
        plan=[(batch, abs(difference))], from_store=store if difference < 0 else None,
        to_store=store if difference > 0 else None, note=reason, data={"booked": booked, "counted": counted},
    )[0]


@dataclass(frozen=True)
class CountedLine:
    """One line of a stock-count sheet: what was found of an item (batch)."""

    item: Item
    counted: int
    expiry: date | None = None


@transaction.atomic
def record_stock_count(*, actor: Any, store: Store, lines: Iterable[CountedLine], reason: str) -> list[StockMove]:
    """A whole stock count of a store: one adjustment per line that differs from the books."""
    moves = []
    for line in lines:
        move = adjust_stock(actor=actor, store=store, item=line.item, counted=line.counted, reason=reason,
                            expiry=line.expiry)
        if move is not None:
            moves.append(move)
    return moves


# --- minimum levels ----------------------------------------------------------------------------

@transaction.atomic
def set_minimum_level(*, actor: Any, store: Store, item: Item, minimum: int) -> MinimumLevel | None:
    """Set (or, with 0, remove) the least a store should hold of an item."""
    _check_may(actor, store)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        raise DomainError("最低库存须为不小于 0 的整数。", code="invalid_quantity", details={"field": "minimum"})
    level = MinimumLevel.objects.select_for_update().filter(store=store, item=item).first()
    if minimum == 0:
        if level is not None:
            attribute_to(level, actor)
            level.delete()
        return None
    level = level or MinimumLevel(store=store, item=item, minimum=minimum)
    level.minimum = minimum
    attribute_to(level, actor)
    level.save()
    return level


# --- call-off orders ---------------------------------------------------------------------------

def _next_call_off_number(day: date) -> str:
    prefix = f"DY{day:%Y%m%d}"
    last = (CallOffOrder.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    sequence = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{sequence:03d}"


def _check_move(order: CallOffOrder, target: str) -> None:
    if target not in CALL_OFF_TRANSITIONS[CallOffStatus(order.status)]:
        raise IllegalTransition(
            f"调运单 {order.number} 当前为“{order.get_status_display()}”，不能改为“{CallOffStatus(target).label}”。",
            details={"status": order.status, "allowed": list(CALL_OFF_TRANSITIONS[CallOffStatus(order.status)])})


@transaction.atomic
def place_call_off(*, actor: Any, supplier: Store, destination: Store, quantities: Mapping[Item, int],
                   note: str = "") -> CallOffOrder:
    """Order reserve goods from a supplier to one of the bureau's stores, under its valid agreement.

    The supplier's reserve is not touched until delivery; what is ordered must not exceed what the
    reserve holds now (less what open orders already claim)."""
    _check_may(actor, destination)
    if not supplier.is_supplier:
        raise DomainError(f"“{supplier}”不是协议供应商储备点。", code="not_a_supplier", details={"field": "supplier"})
    if destination.is_supplier:
        raise DomainError("调运只能送达区仓库或镇（街、场）物资点。", code="invalid_destination",
                          details={"field": "destination"})
    wanted = {item: quantity for item, quantity in quantities.items() if quantity}
    if not wanted:
        raise DomainError("请至少填写一种调运物资的数量。", code="no_lines", details={"field": "lines"})
    for quantity in wanted.values():
        _check_quantity(quantity, "lines")
    today = timezone.localdate()
    agreement = (supplier.agreements.filter(valid_from__lte=today, valid_to__gte=today)
                 .prefetch_related("lines").order_by("-valid_from").first())
    if agreement is None:
        raise DomainError(f"“{supplier}”没有在有效期内的储备协议，不能调运。", code="no_agreement",
                          details={"field": "supplier"})
    covered = {line.item_id for line in agreement.lines.all()}
    claimed = dict(CallOffLine.objects.filter(order__supplier=supplier, order__status=CallOffStatus.ORDERED)
                   .values("item_id").annotate(total=Sum("quantity")).values_list("item_id", "total"))
    for item, quantity in wanted.items():
        if item.pk not in covered:
            raise DomainError(f"协议 {agreement.number} 不含“{item}”。", code="not_in_agreement",
                              details={"field": "lines"})
        available = on_hand(supplier, item) - claimed.get(item.pk, 0)
        if quantity > available:
            raise InsufficientStock(
                f"“{supplier}”的{item}储备可调 {max(available, 0)}{item.unit}，不能调运 {quantity}{item.unit}。",
                details={"store": supplier.pk, "store_name": supplier.name, "item": item.code,
                         "item_name": item.name, "unit": item.unit, "on_hand": on_hand(supplier, item),
                         "available": max(available, 0), "requested": quantity})
    order = CallOffOrder(number=_next_call_off_number(today), supplier=supplier, destination=destination,
                         agreement=agreement, ordered_by=actor, note=note,
                         due_on=CallOffOrder.due_date(today, agreement.lead_time_days))
    attribute_to(order, actor)
    order.save()
    CallOffLine.objects.bulk_create(CallOffLine(order=order, item=item, quantity=quantity)
                                    for item, quantity in wanted.items())
    return order


@transaction.atomic
def deliver_call_off(order: CallOffOrder, *, actor: Any, delivered: Mapping[int, int] | None = None,
                     expiries: Mapping[int, date] | None = None, note: str = "") -> list[StockMove]:
    """The supplier's goods arrived: each line becomes a receipt (call-off) out of its reserve into the
    destination store. `delivered` maps item id → quantity that arrived (default: as ordered);
    `expiries` item id → batch date, required for food."""
    order = CallOffOrder.objects.select_for_update().select_related("supplier", "destination").get(pk=order.pk)
    if not is_admin(actor):
        try:
            _check_may(actor, order.destination)
        except NotPermitted:
            _check_may(actor, order.supplier)
    _check_move(order, CallOffStatus.DELIVERED)
    delivered = delivered or {}
    expiries = expiries or {}
    moves: list[StockMove] = []
    lines = list(order.lines.select_related("item"))
    for line in lines:
        quantity = delivered.get(line.item_id, line.quantity)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= line.quantity:
            raise DomainError(f"“{line.item}”的到货数量须在 0 到 {line.quantity} 之间。", code="invalid_quantity",
                              details={"field": f"delivered_{line.item_id}"})
        line.delivered_quantity = quantity
        line.expiry = _batch_for_receipt(line.item, expiries.get(line.item_id), order.destination) if quantity else None
        if quantity:
            moves += _write_moves(actor=actor, kind=MoveKind.RECEIPT, purpose=Purpose.CALL_OFF, item=line.item,
                                  plan=[(line.expiry, quantity)], from_store=order.supplier,
                                  to_store=order.destination, note=note or f"调运单 {order.number}", source=order)
    CallOffLine.objects.bulk_update(lines, ["delivered_quantity", "expiry"])
    order.status = CallOffStatus.DELIVERED
    order.delivered_at = timezone.now()
    order.closed_by = actor
    attribute_to(order, actor)
    order.save(update_fields=["status", "delivered_at", "closed_by"])
    return moves


@transaction.atomic
def cancel_call_off(order: CallOffOrder, *, actor: Any, reason: str) -> CallOffOrder:
    order = CallOffOrder.objects.select_for_update().select_related("destination").get(pk=order.pk)
    _check_may(actor, order.destination)
    _check_move(order, CallOffStatus.CANCELLED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("取消调运单须写明原因。", code="reason_required", details={"field": "reason"})
    order.status = CallOffStatus.CANCELLED
    order.closed_by = actor
    order.note = f"{order.note}\n取消原因：{reason}".strip()
    attribute_to(order, actor)
    order.save(update_fields=["status", "closed_by", "note"])
    return order


# --- the ledger check --------------------------------------------------------------------------

@dataclass(frozen=True)
class BalanceMismatch:
    store_id: int
    item_id: int
    expiry: date | None
    from_ledger: int
    in_table: int


def ledger_totals() -> dict[tuple[int, int, date | None], int]:
    """What every store should hold of every item (batch), summed from the ledger (two aggregates)."""
    totals: dict[tuple[int, int, date | None], int] = defaultdict(int)
    arrived = (StockMove.objects.filter(to_store__isnull=False).values_list("to_store_id", "item_id", "expiry")
               .annotate(total=Sum("quantity")).order_by())
    left = (StockMove.objects.filter(from_store__isnull=False)
            .values_list("from_store_id", "from_store__kind", "item_id", "expiry")
            .annotate(total=Sum("quantity")).order_by())
    for store_id, item_id, expiry, total in arrived:
        totals[(store_id, item_id, expiry)] += total
    for store_id, store_kind, item_id, expiry, total in left:
        # A call-off's expiry is the batch that arrived; the supplier's reserve keeps no batches.
        totals[(store_id, item_id, None if store_kind == StoreKind.SUPPLIER else expiry)] -= total
    return totals


def verify_balances() -> list[BalanceMismatch]:
    """Compare the balance table with the sum of the ledger; an empty list means they agree."""
    expected = ledger_totals()
    actual = {(s, i, e): q for s, i, e, q in StockBalance.objects.values_list("store_id", "item_id", "expiry",
                                                                             "quantity")}
    mismatches = []
    for key in sorted(set(expected) | set(actual), key=lambda k: (k[0], k[1], k[2] or date.max)):
        if expected.get(key, 0) != actual.get(key, 0):
            mismatches.append(BalanceMismatch(*key, from_ledger=expected.get(key, 0), in_table=actual.get(key, 0)))
    return mismatches
