"""Drill-down: the records behind each figure of the annual report, scoped, with totals equal to the figure.

`drill(user, params)` reads `figure` and its filters (policy, category, item, campaign, status, side, channel,
department, on_time) plus the period and area, and returns a `Drill`: a title, column headers, the record
queryset (for paging) and the totals computed over the whole set by the same functions as the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from onedoor.core.idnumber import mask_id_number

from . import annual
from .annual import money
from .params import parse_period, resolve_area


@dataclass
class Drill:
    figure: str
    title: str
    columns: list[str]
    records: QuerySet
    totals: dict[str, Any]
    cells: Callable[[Any], list[Any]]
    params: dict[str, str] = field(default_factory=dict)

    def rows(self, objects) -> list[list[Any]]:
        return [self.cells(obj) for obj in objects]


def _person(person) -> str:
    if person is None:
        return ""
    number = mask_id_number(person.id_number) if person.id_number else (person.temp_identifier or "")
    return f"{person.name}（{number}）" if number else person.name


def _digits(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Http404("没有找到，或者您无权查看。")
    return text


def _key(value: Any, *, allowed: tuple[str, ...] = ()) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if text in allowed:
        return text
    return _digits(text)


def _local(dt) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%d %H:%M}" if dt else ""


FIGURES = {
    "subsidies": "救助资金发放（现金，扣除冲销）",
    "loans": "贴息贷款（当期放款）",
    "loan_subsidies": "贷款贴息支付",
    "employment": "就业援助批准事项",
    "campaign_issues": "送温暖活动发放物资",
    "coverage": "活动名单对象",
    "reserves": "物资储备",
    "applications": "受理申请",
    "tasks": "办理事项（按承办部门）",
    "decided": "已作出决定的事项",
}


def drill(user: Any, params: Any) -> Drill:
    figure = str(params.get("figure") or "")
    if figure not in FIGURES:
        raise Http404("没有这个统计项。")
    period = parse_period(params)
    area = resolve_area(user, params.get("area"))
    start, end = period.start, period.end
    base = {**period.as_params(), "area": area, "figure": figure}
    built = BUILDERS[figure](user, params, start, end, area, base)
    built.params = base
    return built


def _subsidies(user, params, start, end, area, base) -> Drill:
    policy = _key(params.get("policy"), allowed=(annual.NO_POLICY,))
    category = _key(params.get("category"), allowed=(annual.NO_CATEGORY,))
    records = annual.subsidy_records(user, start=start, end=end, area_code=area, policy=policy, category=category)
    amount, times = annual.ledger_totals(records)
    base.update({k: v for k, v in (("policy", policy), ("category", category)) if v})
    return Drill("subsidies", FIGURES["subsidies"], ["日期", "受助人", "区划", "政策或项目", "实施部门", "金额（元）", "人次"],
                 records.select_related("person", "area", "policy", "department").order_by("delivered_on", "pk"),
                 {"amount": amount, "times": times},
                 lambda r: [r.delivered_on, _person(r.person), r.area.name, r.what,
                            r.department.short_name or r.department.name, r.amount, -1 if r.reverses_id else 1])


def _loans(user, params, start, end, area, base) -> Drill:
    records = annual.loan_records(user, start=start, end=end, area_code=area)
    agg = records.order_by().aggregate(people=Count("borrower", distinct=True), loans=Count("pk"),
                                       principal=Sum("principal"))
    return Drill("loans", FIGURES["loans"], ["放款日期", "借款人", "区划", "贷款银行", "本金（元）", "状态"],
                 records.select_related("borrower", "area", "bank").order_by("start_date", "pk"),
                 {"people": agg["people"] or 0, "loans": agg["loans"] or 0,
                  "principal": money(agg["principal"])},
                 lambda r: [r.start_date, _person(r.borrower), r.area.name, r.bank.name if r.bank else "", r.principal,
                            r.get_status_display()])


def _loan_subsidies(user, params, start, end, area, base) -> Drill:
    records = annual.loan_subsidy_records(user, start=start, end=end, area_code=area)
    agg = records.order_by().aggregate(amount=Sum("amount"), times=Count("pk"))
    return Drill("loan_subsidies", FIGURES["loan_subsidies"], ["支付日期", "借款人", "季度", "贴息金额（元）"],
                 records.select_related("loan__borrower").order_by("paid_on", "pk"),
                 {"amount": money(agg["amount"]), "times": agg["times"] or 0},
                 lambda r: [r.paid_on, _person(r.loan.borrower), f"{r.quarter:%Y-%m}", r.amount])


def _task_cells(t) -> list[Any]:
    return [t.application.receipt_no, _person(t.application.applicant), t.area.name, t.policy.name,
            t.department.short_name or t.department.name, t.received_on, t.due_date, _local(t.decided_at),
            t.get_state_display()]


TASK_COLUMNS = ["受理编号", "申请人", "区划", "政策", "承办部门", "受理日期", "办理期限", "决定时间", "状态"]
TASK_RELATED = ("application__applicant", "area", "policy", "department")


def _employment(user, params, start, end, area, base) -> Drill:
    policy = _digits(params.get("policy"))
    records = annual.employment_tasks(user, start=start, end=end, area_code=area, policy=policy)
    if policy:
        base["policy"] = policy
    return Drill("employment", FIGURES["employment"], TASK_COLUMNS,
                 records.select_related(*TASK_RELATED).order_by("decided_at", "pk"),
                 {"count": records.order_by().count()}, _task_cells)


def _campaign_issues(user, params, start, end, area, base) -> Drill:
    item = _digits(params.get("item"))
    records = annual.campaign_lines(user, start=start, end=end, area_code=area, item=item)
    if item:
        base["item"] = item
    quantity = records.order_by().aggregate(q=Sum("quantity"))["q"] or 0
    return Drill("campaign_issues", FIGURES["campaign_issues"], ["送达日期", "对象", "村（社区）", "活动", "物资", "数量"],
                 records.select_related("delivery__entry__person", "delivery__entry__area",
                                        "delivery__entry__campaign", "item").order_by("delivery__delivered_on", "pk"),
                 {"quantity": quantity},
                 lambda r: [r.delivery.delivered_on, _person(r.delivery.entry.person), r.delivery.entry.area.name,
                            r.delivery.entry.campaign.name, f"{r.item.name}（{r.item.unit}）", r.quantity])


def _coverage(user, params, start, end, area, base) -> Drill:
    campaign = _digits(params.get("campaign"))
    if not campaign:
        raise Http404("没有找到，或者您无权查看。")
    campaign_ids = list(annual.campaigns_in_period(user, start=start, end=end, area_code=area)
                        .filter(pk=campaign).values_list("pk", flat=True))
    if not campaign_ids:
        raise Http404("没有找到，或者您无权查看。")
    status = str(params.get("status") or "").strip() or None
    from onedoor.relief.choices import EntryStatus

    if status and status not in EntryStatus.values:
        raise Http404("没有这个状态。")
    records = annual.roster_entries(user, area_code=area, campaign_ids=campaign_ids, status=status)
    base["campaign"] = campaign
    if status:
        base["status"] = status
    per_status = dict(records.order_by().values_list("status").annotate(n=Count("pk")))
    return Drill("coverage", FIGURES["coverage"], ["对象", "类别", "村（社区）", "住址", "状态"],
                 records.select_related("person", "category", "area").order_by("town_id", "area_id", "pk"),
                 {"targets": sum(per_status.values()), "delivered": per_status.get(EntryStatus.DELIVERED, 0)},
                 lambda r: [_person(r.person), r.category.name, r.area.name, r.address, r.get_status_display()])


def _reserves(user, params, start, end, area, base) -> Drill:
    side = str(params.get("side") or "on_hand")
    item = _digits(params.get("item"))
    base.update({"side": side, **({"item": item} if item else {})})
    if side == "on_hand":
        records = annual.reserve_balances(user, area_code=area, item=item)
        quantity = records.order_by().aggregate(q=Sum("quantity"))["q"] or 0
        return Drill("reserves", "库存物资（仓库及镇物资点）", ["储备点", "物资", "到期日（批次）", "数量"],
                     records.select_related("store", "item").order_by("store__name", "item__name", "expiry", "pk"),
                     {"quantity": quantity},
                     lambda r: [r.store.name, f"{r.item.name}（{r.item.unit}）", r.expiry or "", r.quantity])
    if side == "suppliers":
        records = annual.reserve_lines(user, area_code=area, on=timezone.localdate(), item=item)
        quantity = records.order_by().aggregate(q=Sum("reserved_quantity"))["q"] or 0
        return Drill("reserves", "协议供应商储备", ["供应商储备点", "协议编号", "有效期至", "物资", "协议储备数量"],
                     records.select_related("agreement__store", "item").order_by("agreement__store__name", "pk"),
                     {"quantity": quantity},
                     lambda r: [r.agreement.store.name, r.agreement.number, r.agreement.valid_to,
                                f"{r.item.name}（{r.item.unit}）", r.reserved_quantity])
    raise Http404("没有这个统计项。")


def _applications(user, params, start, end, area, base) -> Drill:
    from onedoor.intake.choices import Channel

    channel = str(params.get("channel") or "").strip() or None
    if channel and channel not in Channel.values:
        raise Http404("没有这个渠道。")
    records = annual.applications(user, start=start, end=end, area_code=area, channel=channel)
    if channel:
        base["channel"] = channel
    return Drill("applications", FIGURES["applications"], ["受理编号", "申请人", "区划", "受理窗口", "渠道", "受理时间"],
                 records.select_related("applicant", "area", "window").order_by("submitted_at", "pk"),
                 {"count": records.order_by().count()},
                 lambda r: [r.receipt_no, _person(r.applicant), r.area.name, r.window.short_name or r.window.name,
                            r.get_channel_display(), _local(r.submitted_at)])


def _tasks(user, params, start, end, area, base) -> Drill:
    department = _digits(params.get("department"))
    records = annual.received_tasks(user, start=start, end=end, area_code=area, department=department)
    if department:
        base["department"] = department
    return Drill("tasks", FIGURES["tasks"], TASK_COLUMNS,
                 records.select_related(*TASK_RELATED).order_by("received_on", "pk"),
                 {"count": records.order_by().count()}, _task_cells)


def _decided(user, params, start, end, area, base) -> Drill:
    on_time = {"1": True, "0": False}.get(str(params.get("on_time") or ""))
    records = annual.decided_tasks(user, start=start, end=end, area_code=area, on_time=on_time)
    if on_time is not None:
        base["on_time"] = "1" if on_time else "0"
    title = FIGURES["decided"] + ("（按期）" if on_time else "（超期）" if on_time is False else "")
    return Drill("decided", title, TASK_COLUMNS,
                 records.select_related(*TASK_RELATED).order_by("decided_at", "pk"),
                 {"count": records.order_by().count()}, _task_cells)


BUILDERS: dict[str, Callable[..., Drill]] = {
    "subsidies": _subsidies, "loans": _loans, "loan_subsidies": _loan_subsidies, "employment": _employment,
    "campaign_issues": _campaign_issues, "coverage": _coverage, "reserves": _reserves,
    "applications": _applications, "tasks": _tasks, "decided": _decided,
}


def as_text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
