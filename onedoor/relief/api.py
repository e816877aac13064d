"""The stock API: balances, the ledger, and recording a move.

Thin handlers over `relief.selectors` and `relief.actions`. Reads go through `visible_to`: lists leave
out what the user may not see, and a move naming a store outside the user's scope answers 422 as if
the store did not exist (the same answer either way, so existence does not leak). Input that is wrong answers 422 with
`details` naming each field; asking for more than a store holds answers 409 `insufficient_stock` with
what is on hand in `details`; a store the user may not manage answers 403.
"""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

try:
    from ninja import Status
except ImportError:  # django-ninja before 1.6 took a (status, body) tuple

    def Status(status_code, value):  # noqa: N802
        return status_code, value

from onedoor.core.api_paging import Pages
from onedoor.core.exceptions import DomainError

from . import actions, selectors
from .choices import PURPOSES_BY_KIND, MoveKind, StoreKind
from .models import Item, StockBalance, StockMove, Store

router = Router(tags=["物资储备"])


class InvalidInput(DomainError):
    """Input naming something that does not exist or does not fit; `details` maps field → message."""

    code = "invalid_input"
    status = 422


def _field_error(exc: DomainError) -> DomainError:
    if type(exc) is DomainError and isinstance(exc.details, dict) and "field" in exc.details:
        return InvalidInput(exc.message, code=exc.code, details={exc.details["field"]: exc.message})
    return exc


class BalanceOut(Schema):
    store_id: int
    store: str
    store_kind: str
    item: str = Field(description="物资代码")
    item_name: str
    unit: str
    expiry: date | None = Field(None, description="批次到期日（食品）")
    quantity: int

    @staticmethod
    def resolve_store(obj: StockBalance) -> str:
        return obj.store.name

    @staticmethod
    def resolve_store_kind(obj: StockBalance) -> str:
        return obj.store.kind

    @staticmethod
    def resolve_item(obj: StockBalance) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj: StockBalance) -> str:
        return obj.item.name

    @staticmethod
    def resolve_unit(obj: StockBalance) -> str:
        return obj.item.unit


class StockFilter(Schema):
    store: int | None = Field(None, ge=1, le=2**31 - 1, description="储备点编号")
    item: str | None = Field(None, max_length=30, description="物资代码")
    kind: StoreKind | None = Field(None, description="储备点类型")
    expiring_within: int | None = Field(None, ge=0, le=3650, description="只列出这么多天内到期（含已过期）的批次")


class MoveOut(Schema):
    id: int
    occurred_at: datetime
    kind: str
    purpose: str
    item: str
    item_name: str
    quantity: int
    from_store_id: int | None
    to_store_id: int | None
    expiry: date | None
    group: str | None
    actor: str | None
    note: str

    @staticmethod
    def resolve_item(obj: StockMove) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj: StockMove) -> str:
        return obj.item.name

    @staticmethod
    def resolve_group(obj: StockMove) -> str | None:
        return str(obj.group) if obj.group else None

    @staticmethod
    def resolve_actor(obj: StockMove) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class MoveFilter(Schema):
    store: int | None = Field(None, ge=1, le=2**31 - 1, description="出库或入库的储备点编号")
    item: str | None = Field(None, max_length=30, description="物资代码")
    kind: MoveKind | None = None
    date_from: date | None = None
    date_to: date | None = None


class MoveIn(Schema):
    kind: MoveKind = Field(description="receipt 入库、transfer 调拨、issue 发放、adjustment 盘点调整、return 退回入库")
    item: str = Field(max_length=30, description="物资代码")
    quantity: int | None = Field(None, ge=1, le=10_000_000, description="数量（盘点调整用 counted）")
    counted: int | None = Field(None, ge=0, le=10_000_000, description="盘点调整：实盘数量")
    store: int | None = Field(None, ge=1, le=2**31 - 1, description="入库、发放、盘点、退回的储备点")
    from_store: int | None = Field(None, ge=1, le=2**31 - 1, description="调拨：调出")
    to_store: int | None = Field(None, ge=1, le=2**31 - 1, description="调拨：调入")
    purpose: str | None = Field(None, max_length=12, description="用途：入库 purchase/donation；发放 campaign/patrol/one_off_aid")
    expiry: date | None = Field(None, description="批次到期日：食品入库必填；出库不填则先到期先发")
    note: str = Field("", max_length=500, description="说明；盘点调整时为调整原因（必填）")


class MovesOut(Schema):
    moves: list[MoveOut]


@router.get("/stock", response=list[BalanceOut], summary="库存：各储备点各物资（食品按批次）的现有数量")
@paginate(Pages)
def list_stock(request, filters: Query[StockFilter]):
    return selectors.balances(request.auth, store=filters.store, item=filters.item, kind=filters.kind,
                              expiring_within=filters.expiring_within)


@router.get("/stock-moves", response=list[MoveOut], summary="出入库记录（按储备点、物资、类型、日期筛选；新的在前）")
@paginate(Pages)
def list_stock_moves(request, filters: Query[MoveFilter]):
    return selectors.moves(request.auth, store=filters.store, item=filters.item, kind=filters.kind,
                           date_from=filters.date_from, date_to=filters.date_to)


def _store(user, pk: int | None, field: str, errors: dict, action: str = "view") -> Store | None:
    if pk is None:
        errors[field] = "请指定储备点。"
        return None
    store = selectors.visible_stores(user).filter(pk=pk).first()
    if store is None:
        errors[field] = f"没有编号为 {pk} 的储备点，或您无权查看。"
    return store


def _require(value, field: str, message: str, errors: dict):
    if value is None:
        errors[field] = message
    return value


@router.post("/stock-moves", response={201: MovesOut, 200: MovesOut},
             summary="记一笔出入库：入库、调拨、发放、盘点调整或退回；库存不足时 409 并给出现有数量")
def create_stock_move(request, payload: MoveIn):
    user = request.auth
    errors: dict[str, str] = {}
    item = Item.objects.filter(code=payload.item, is_active=True).first()
    if item is None:
        errors["item"] = f"没有物资代码“{payload.item}”。"
    kind = payload.kind
    if kind in (MoveKind.RECEIPT, MoveKind.ISSUE):
        allowed = [p.value for p in PURPOSES_BY_KIND[kind]]
        if payload.purpose not in allowed:
            errors["purpose"] = f"用途应为：{'、'.join(allowed)}。"
    if kind == MoveKind.TRANSFER:
        from_store = _store(user, payload.from_store, "from_store", errors)
        to_store = _store(user, payload.to_store, "to_store", errors)
    else:
        store = _store(user, payload.store, "store", errors)
    if kind == MoveKind.ADJUSTMENT:
        _require(payload.counted, "counted", "盘点调整请填写实盘数量 counted。", errors)
    else:
        _require(payload.quantity, "quantity", "请填写数量。", errors)
    if errors:
        raise InvalidInput("请求数据有误，请按提示修改。", details=errors)
    try:
        if kind == MoveKind.RECEIPT:
            moves = [actions.receive_stock(actor=user, store=store, item=item, quantity=payload.quantity,
                                           purpose=payload.purpose, expiry=payload.expiry, note=payload.note)]
        elif kind == MoveKind.TRANSFER:
            moves = actions.transfer_stock(actor=user, from_store=from_store, to_store=to_store, item=item,
                                           quantity=payload.quantity, expiry=payload.expiry, note=payload.note)
        elif kind == MoveKind.ISSUE:
            moves = actions.issue_stock_moves(actor=user, store=store, item=item, quantity=payload.quantity,
                                              purpose=payload.purpose, expiry=payload.expiry, note=payload.note)
        elif kind == MoveKind.RETURN:
            moves = [actions.return_stock(actor=user, store=store, item=item, quantity=payload.quantity,
                                          expiry=payload.expiry, note=payload.note)]
        else:
            move = actions.adjust_stock(actor=user, store=store, item=item, counted=payload.counted,
                                        reason=payload.note, expiry=payload.expiry)
            moves = [move] if move else []
    except DomainError as exc:
        if isinstance(exc.details, dict) and exc.details.get("field") == "reason":
            exc.details["field"] = "note"
        raise _field_error(exc) from exc
    loaded = list(StockMove.objects.filter(pk__in=[m.pk for m in moves]).select_related("item", "actor")
                  .order_by("pk"))
    return Status(201 if loaded else 200, {"moves": loaded})
