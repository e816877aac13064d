"""Pages of relief stock: the stock table, a store's page, movements, the receive / transfer / issue /
return / adjust forms, the stock count, low-stock and expiry lists, call-off orders, xlsx exports.

Reads go through `relief.selectors` (scoped); every store or order a request names is looked up
through `get_visible_or_404`. The forms offer only the stores the user may manage, and each calls one
action. A page that changes stock is refused (403) to a user who manages no store."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.scoping import get_visible_or_404
from onedoor.core.tabular import Column, Sheet, write_xlsx

from . import actions, selectors
from .choices import CallOffStatus, StoreKind
from .forms import AdjustForm, CancelForm, IssueForm, MoveFilterForm, ReceiveForm, ReturnForm, TransferForm
from .models import CallOffOrder, StockBalance, Store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 100_000  # movements in one export; narrow the period for more


def _managed(user) -> Any:
    stores = selectors.visible_stores(user, "manage")
    if not stores.exists():
        raise PermissionDenied
    return stores


def _errors_onto(form, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _days(request) -> int:
    try:
        return min(max(int(request.GET.get("days", selectors.EXPIRY_WARNING_DAYS)), 0), 3650)
    except ValueError:
        return selectors.EXPIRY_WARNING_DAYS


# --- reading ----------------------------------------------------------------------------------

@login_required
def stock(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in StoreKind.values else ""
    table = selectors.stock_table(request.user, kind=kind or None)
    return render(request, "relief/stock.html", {
        "table": table, "rows": table.rows(), "kind": kind, "kinds": StoreKind.choices,
        "can_manage": request.user.has_role("storekeeper", "admin"),
    })


@login_required
def store_detail(request, pk: int):
    store = get_visible_or_404(request.user, Store.objects.select_related("area", "organisation"), pk=pk)
    balances = list(StockBalance.objects.filter(store=store, quantity__gt=0).select_related("item")
                    .order_by("item_id", "expiry"))
    minimums = {m.item_id: m.minimum for m in store.minimums.all()}
    for balance in balances:
        balance.minimum = minimums.get(balance.item_id)
    agreements = list(store.agreements.prefetch_related("lines__item")) if store.is_supplier else []
    recent = list(selectors.moves(request.user, store=store.pk)[:20])
    return render(request, "relief/store_detail.html", {
        "store": store, "balances": balances, "agreements": agreements, "recent": recent,
        "today": timezone.localdate(),
        "can_manage": selectors.visible_stores(request.user, "manage").filter(pk=store.pk).exists(),
    })


def _move_filters(request) -> tuple[MoveFilterForm, dict]:
    form = MoveFilterForm(request.GET or None, stores=selectors.visible_stores(request.user))
    if not form.is_bound:
        return form, {}
    form.is_valid()
    values = dict(form.cleaned_data)
    store = values.get("store")
    values["store"] = store.pk if store else None
    return form, values


@login_required
def move_list(request):
    form, values = _move_filters(request)
    rows = selectors.moves(request.user, **values)
    return render(request, "relief/move_list.html", {
        "form": form, "page": paginate(request, rows), "querystring": querystring_without_page(request),
    })


@login_required
def alerts(request):
    days = _days(request)
    return render(request, "relief/alerts.html", {
        "days": days, "low": list(selectors.low_stock(request.user)[:500]),
        "expiring": list(selectors.expiring(request.user, days)[:500]),
        "expired": list(selectors.expired(request.user)[:500]), "today": timezone.localdate(),
    })


# --- moves ------------------------------------------------------------------------------------

def _move_page(request, form_class, title: str, run, **form_kwargs):
    stores = _managed(request.user)
    form = form_class(request.POST or None, stores=stores, initial=request.GET.dict() or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            done = run(form.cleaned_data)
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, done)
            return redirect("relief:move_list")
    return render(request, "relief/move_form.html", {"form": form, "title": title})


@login_required
def receive(request):
    def run(data: dict) -> str:
        move = actions.receive_stock(actor=request.user, store=data["store"], item=data["item"],
                                     quantity=data["quantity"], purpose=data["purpose"], expiry=data["expiry"],
                                     note=data["note"])
        return _("已入库：%(store)s %(item)s %(n)s%(unit)s。") % {
            "store": move.to_store, "item": move.item, "n": move.quantity, "unit": move.item.unit}

    return _move_page(request, ReceiveForm, _("入库"), run)


@login_required
def transfer(request):
    def run(data: dict) -> str:
        moves = actions.transfer_stock(actor=request.user, from_store=data["from_store"], to_store=data["to_store"],
                                       item=data["item"], quantity=data["quantity"], expiry=data["expiry"],
                                       note=data["note"])
        return _("已调拨：%(item)s %(n)s%(unit)s，%(a)s → %(b)s。") % {
            "item": data["item"], "n": sum(m.quantity for m in moves), "unit": data["item"].unit,
            "a": data["from_store"], "b": data["to_store"]}

    # Goods may go to any of the bureau's stores the user can see, not only those they manage.
    return _move_page(request, TransferForm, _("调拨"), run, destinations=selectors.visible_stores(request.user))


@login_required
def issue(request):
    def run(data: dict) -> str:
        moves = actions.issue_stock_moves(actor=request.user, store=data["store"], item=data["item"],
                                          quantity=data["quantity"], purpose=data["purpose"], expiry=data["expiry"],
                                          note=data["note"])
        return _("已发放：%(store)s %(item)s %(n)s%(unit)s。") % {
            "store": data["store"], "item": data["item"], "n": sum(m.quantity for m in moves),
            "unit": data["item"].unit}

    return _move_page(request, IssueForm, _("发放出库"), run)


@login_required
def return_goods(request):
    def run(data: dict) -> str:
        move = actions.return_stock(actor=request.user, store=data["store"], item=data["item"],
                                    quantity=data["quantity"], expiry=data["expiry"], note=data["note"])
        return _("已退回入库：%(store)s %(item)s %(n)s%(unit)s。") % {
            "store": move.to_store, "item": move.item, "n": move.quantity, "unit": move.item.unit}

    return _move_page(request, ReturnForm, _("退回入库"), run)


@login_required
def adjust(request):
    stores = _managed(request.user)
    form = AdjustForm(request.POST or None, stores=stores, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            move = actions.adjust_stock(actor=request.user, store=data["store"], item=data["item"],
                                        counted=data["counted"], reason=data["reason"], expiry=data["expiry"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            if move is None:
                messages.info(request, _("实盘数量与账面一致，未作调整。"))
            else:
                messages.success(request, _("已按实盘调整。"))
            return redirect("relief:store_detail", pk=data["store"].pk)
    return render(request, "relief/move_form.html", {"form": form, "title": _("盘点调整")})


def _count_lines(store: Store) -> list[dict]:
    """One line per item (per batch for food) of a count sheet, with the booked quantity."""
    held = {}
    for balance in StockBalance.objects.filter(store=store).select_related("item"):
        held[(balance.item_id, balance.expiry)] = balance.quantity
    lines = []
    for item in selectors.active_items():
        batches = sorted(expiry for (item_id, expiry) in held if item_id == item.pk and expiry is not None)
        if item.perishable:
            for expiry in batches:
                lines.append({"item": item, "expiry": expiry, "booked": held[(item.pk, expiry)],
                              "name": f"c_{item.pk}_{expiry:%Y%m%d}"})
        else:
            lines.append({"item": item, "expiry": None, "booked": held.get((item.pk, None), 0),
                          "name": f"c_{item.pk}"})
    return lines


@login_required
def stock_count(request, pk: int):
    """The count sheet of a store: type what was found; each difference becomes an adjustment."""
    store = get_visible_or_404(request.user, Store, "manage", pk=pk)
    lines = _count_lines(store)
    errors: dict[str, str] = {}
    reason = request.POST.get("reason", "").strip()
    if request.method == "POST":
        counted = []
        for line in lines:
            raw = request.POST.get(line["name"], "").strip()
            line["value"] = raw
            if raw == "":
                continue  # not counted: left as booked
            if not raw.isdigit():
                errors[line["name"]] = _("请填写不小于 0 的整数。")
                continue
            counted.append(actions.CountedLine(item=line["item"], counted=int(raw), expiry=line["expiry"]))
        if not reason:
            errors["reason"] = _("盘点调整须写明原因。")
        if not errors:
            try:
                moves = actions.record_stock_count(actor=request.user, store=store, lines=counted, reason=reason)
            except DomainError as exc:
                errors["form"] = exc.message
            else:
                messages.success(request, _("盘点完成：%(n)s 项有差异，已调整。") % {"n": len(moves)})
                return redirect("relief:store_detail", pk=store.pk)
    return render(request, "relief/stock_count.html", {"store": store, "lines": lines, "errors": errors,
                                                       "reason": reason})


# --- call-off orders ----------------------------------------------------------------------------

@login_required
def call_off_list(request):
    status = request.GET.get("status", "")
    status = status if status in CallOffStatus.values else ""
    rows = selectors.call_offs(request.user, status=status or None)
    return render(request, "relief/call_off_list.html", {
        "page": paginate(request, rows), "querystring": querystring_without_page(request), "status": status,
        "statuses": CallOffStatus.choices, "today": timezone.localdate(),
        "can_place": selectors.visible_stores(request.user, "manage").exclude(kind=StoreKind.SUPPLIER).exists(),
    })


@login_required
def call_off_create(request):
    destinations = list(_managed(request.user).exclude(kind=StoreKind.SUPPLIER))
    if not destinations:
        raise PermissionDenied
    today = timezone.localdate()
    suppliers = list(selectors.visible_stores(request.user).filter(
        kind=StoreKind.SUPPLIER, agreements__valid_from__lte=today, agreements__valid_to__gte=today).distinct())
    items = list(selectors.active_items())
    errors: dict[str, str] = {}
    values = request.POST
    if request.method == "POST":
        supplier = next((s for s in suppliers if str(s.pk) == values.get("supplier")), None)
        destination = next((s for s in destinations if str(s.pk) == values.get("destination")), None)
        if supplier is None:
            errors["supplier"] = _("请选择供应商。")
        if destination is None:
            errors["destination"] = _("请选择送达的储备点。")
        quantities = {}
        for item in items:
            raw = values.get(f"q_{item.pk}", "").strip()
            if raw and not raw.isdigit():
                errors[f"q_{item.pk}"] = _("请填写正整数。")
            elif raw and int(raw):
                quantities[item] = int(raw)
        if not errors:
            try:
                order = actions.place_call_off(actor=request.user, supplier=supplier, destination=destination,
                                               quantities=quantities, note=values.get("note", "")[:500])
            except DomainError as exc:
                errors["form"] = exc.message
            else:
                messages.success(request, _("调运单 %(n)s 已下单，应于 %(d)s 前送达。") % {
                    "n": order.number, "d": f"{order.due_on:%Y-%m-%d}"})
                return redirect("relief:call_off_detail", pk=order.pk)
    return render(request, "relief/call_off_form.html", {
        "suppliers": suppliers, "destinations": destinations, "items": items, "errors": errors, "values": values,
    })


def _order(request, pk: int) -> CallOffOrder:
    return get_visible_or_404(request.user, CallOffOrder.objects.select_related(
        "supplier", "destination", "agreement", "ordered_by", "closed_by"), pk=pk)


@login_required
def call_off_detail(request, pk: int):
    order = _order(request, pk)
    lines = list(order.lines.select_related("item"))
    manage = selectors.visible_stores(request.user, "manage")
    return render(request, "relief/call_off_detail.html", {
        "order": order, "lines": lines, "cancel_form": CancelForm(),
        "can_close": order.status == CallOffStatus.ORDERED
        and manage.filter(pk__in=[order.supplier_id, order.destination_id]).exists(),
    })


@require_POST
@login_required
def call_off_deliver(request, pk: int):
    order = _order(request, pk)
    delivered: dict[int, int] = {}
    expiries: dict[int, date] = {}
    try:
        for line in order.lines.select_related("item"):
            raw = request.POST.get(f"d_{line.item_id}", "").strip()
            if raw:
                if not raw.isdigit():
                    raise DomainError(_("“%(item)s”的到货数量须为整数。") % {"item": line.item})
                delivered[line.item_id] = int(raw)
            raw_expiry = request.POST.get(f"e_{line.item_id}", "").strip()
            if raw_expiry:
                try:
                    expiries[line.item_id] = date.fromisoformat(raw_expiry)
                except ValueError:
                    raise DomainError(_("“%(item)s”的到期日格式不对。") % {"item": line.item}) from None
        moves = actions.deliver_call_off(order, actor=request.user, delivered=delivered, expiries=expiries)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认到货，%(n)s 笔入库。") % {"n": len(moves)})
    return redirect("relief:call_off_detail", pk=order.pk)


@require_POST
@login_required
def call_off_cancel(request, pk: int):
    order = _order(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("取消调运单须写明原因。"))
    else:
        try:
            actions.cancel_call_off(order, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("调运单已取消。"))
    return redirect("relief:call_off_detail", pk=order.pk)


# --- exports (no personal data: no access-log row) ------------------------------------------------

def _xlsx(filename: str, sheets: list[Sheet]) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def export_stock(request):
    """Two sheets: the stock table (items × stores) and every batch on hand."""
    table = selectors.stock_table(request.user)
    stores = table.own_stores + table.supplier_stores
    columns = [Column(_("物资")), Column(_("单位"))]
    columns += [Column(store.name, kind="int") for store in table.own_stores]
    columns += [Column(_("自有库存合计"), kind="int")]
    columns += [Column(store.name, kind="int") for store in table.supplier_stores]
    columns += [Column(_("协议储备合计"), kind="int"), Column(_("总计"), kind="int")]
    summary = [[row["item"].name, row["item"].unit, *row["own"], row["own_total"], *row["reserve"],
                row["reserve_total"], row["total"]] for row in table.rows()]
    batches = selectors.balances(request.user).filter(store__in=stores)
    detail = ([b.store.name, b.store.get_kind_display(), b.item.name, b.item.unit, b.expiry, b.quantity]
              for b in batches.iterator(chunk_size=2000))
    return _xlsx(f"stock-{timezone.localdate():%Y%m%d}.xlsx", [
        Sheet(_("库存汇总"), columns, summary),
        Sheet(_("库存明细"), [Column(_("储备点")), Column(_("类型")), Column(_("物资")), Column(_("单位")),
                          Column(_("到期日"), kind="date"), Column(_("数量"), kind="int")], detail),
    ])


@login_required
def export_moves(request):
    values = _move_filters(request)[1]
    rows = selectors.moves(request.user, **values)[:EXPORT_LIMIT]
    data = ([f"{timezone.localtime(m.occurred_at):%Y-%m-%d %H:%M}", m.get_kind_display(),
             m.get_purpose_display(), m.item.name, m.item.unit, m.quantity,
             m.from_store.name if m.from_store else "", m.to_store.name if m.to_store else "", m.expiry,
             str(m.actor) if m.actor else "", m.note] for m in rows.iterator(chunk_size=2000))
    columns = [Column(_("时间"), width=20), Column(_("类型")), Column(_("用途")), Column(_("物资")), Column(_("单位")),
               Column(_("数量"), kind="int"), Column(_("出库点")), Column(_("入库点")), Column(_("到期日"), kind="date"),
               Column(_("经办人")), Column(_("说明"))]
    return _xlsx(f"stock-moves-{timezone.localdate():%Y%m%d}.xlsx", [Sheet(_("出入库记录"), columns, data)])

