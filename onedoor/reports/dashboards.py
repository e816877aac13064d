"""Dashboards per role: the figures behind each dashboard page, computed from the records on every request
(nothing cached or typed in) and always through the reader's scope (`visible_to`), so a town's leader sees
the town's figures and the district's leader the sum of the towns.

Each builder returns one JSON-ready dict: `figures` (the numbers, stable keys, what tests and other code
read) and `cards`, `charts`, `tiles`, `tables` (how the page shows them; see static/reports/dashboards.js).
Each costs a fixed number of queries whatever the data size (asserted in tests/reports/test_dashboards.py):
grouped aggregates, never a row per person. Where an app already has the read (intake's queue counts and
on-time rate, the window's 今日受理, relief's stock table, low-stock and expiry lists, coverage), it is reused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ZERO = Decimal("0.00")
LIST_ROWS = 10


@dataclass(frozen=True)
class Dashboard:
    name: str
    title: Any  # lazy text
    roles: frozenset[str]
    build: Callable[..., dict]
    description: Any = ""


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else None


def _change(now: Decimal | int, before: Decimal | int) -> str | None:
    """Change against the comparison as a signed percent, e.g. "+12.5%"; None without a base."""
    if not before:
        return None
    value = ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value:+}%"


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def same_day_a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _link(name: str, query: str = "", **kwargs) -> str:
    return reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else "")


def _department_name(row: dict, prefix: str = "department__") -> str:
    return row.get(f"{prefix}short_name") or row.get(f"{prefix}name") or "—"


# --- leader: the district (or town) dashboard ---------------------------------------------------------

def _ledger_months(user: Any, *, year: int, as_of: date, compare_to: date) -> dict:
    """Cash help (subsidies) by month over last year and this year to `as_of`, net of reversals: amount and
    人次 (an original row +1, a reversal −1, as ledger.selectors.totals counts them). One query grouped by
    day (at most 731 rows; grouping by a truncated month costs PostgreSQL a time-zone cast per row), folded
    into months and into last year's same period here."""
    from onedoor.ledger.choices import AssistanceKind
    from onedoor.ledger.models import AssistanceRecord

    rows = (AssistanceRecord.objects.visible_to(user)
            .filter(kind=AssistanceKind.CASH, delivered_on__gte=date(year - 1, 1, 1), delivered_on__lte=as_of)
            .order_by().values_list("delivered_on")
            .annotate(total=Sum("amount"), times=Sum(Case(When(reverses__isnull=True, then=Value(1)),
                                                          default=Value(-1), output_field=IntegerField()))))
    this_amount, this_times = [ZERO] * 12, [0] * 12
    last_amount, last_times = [ZERO] * 12, [0] * 12
    last_cut_amount, last_cut_times = ZERO, 0
    for day, total, times in rows:
        amount, times = _money(total), times or 0
        if day.year == year:
            this_amount[day.month - 1] += amount
            this_times[day.month - 1] += times
        else:
            last_amount[day.month - 1] += amount
            last_times[day.month - 1] += times
            if day <= compare_to:
                last_cut_amount += amount
                last_cut_times += times
    return {
        "this_year": {"amount": sum(this_amount, ZERO), "times": sum(this_times)},
        "last_year_to_date": {"amount": last_cut_amount, "times": last_cut_times},
        "last_year": {"amount": sum(last_amount, ZERO), "times": sum(last_times)},
        "monthly": {"this_year": {"amount": this_amount, "times": this_times},
                    "last_year": {"amount": last_amount, "times": last_times}},
    }


def _applications_count(user: Any, *, year: int, as_of: date, compare_to: date) -> dict:
    from onedoor.intake.models import Application

    year_start = _midnight(date(year, 1, 1))
    counts = (Application.objects.visible_to(user)
              .filter(submitted_at__gte=_midnight(date(year - 1, 1, 1)),
                      submitted_at__lt=_midnight(as_of + timedelta(days=1)))
              .aggregate(this_year=Count("pk", filter=Q(submitted_at__gte=year_start)),
                         last_year=Count("pk", filter=Q(submitted_at__lt=year_start)),
                         last_year_to_date=Count("pk", filter=Q(
                             submitted_at__lt=_midnight(compare_to + timedelta(days=1))))))
    return counts


def _deliveries_count(user: Any, *, year: int, as_of: date, compare_to: date) -> dict:
    """Campaign deliveries (送温暖 goods handed over and signed for) in the periods."""
    from onedoor.relief.models import Delivery

    return (Delivery.objects.visible_to(user)
            .filter(delivered_on__gte=date(year - 1, 1, 1), delivered_on__lte=as_of)
            .aggregate(this_year=Count("pk", filter=Q(delivered_on__gte=date(year, 1, 1))),
                       last_year=Count("pk", filter=Q(delivered_on__lt=date(year, 1, 1))),
                       last_year_to_date=Count("pk", filter=Q(delivered_on__lte=compare_to))))


def _tasks_this_year(user: Any, *, year: int, as_of: date) -> tuple[list[dict], list[dict]]:
    """This year's received tasks (one per requested policy) by state and by department: one grouped query."""
    from onedoor.intake.choices import OPEN_STATES, TaskState
    from onedoor.intake.models import Task

    rows = (Task.objects.visible_to(user).filter(received_on__gte=date(year, 1, 1), received_on__lte=as_of)
            .order_by().values("department_id", "department__short_name", "department__name", "state")
            .annotate(n=Count("pk")))
    by_state: dict[str, int] = {}
    by_department: dict[int, dict] = {}
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
        department = by_department.setdefault(row["department_id"], {
            "department_id": row["department_id"], "department": _department_name(row), "count": 0, "open": 0})
        department["count"] += row["n"]
        if row["state"] in OPEN_STATES:
            department["open"] += row["n"]
    states = [{"state": state.value, "label": str(state.label), "count": by_state[state.value]}
              for state in TaskState if by_state.get(state.value)]
    departments = sorted(by_department.values(), key=lambda r: (-r["count"], r["department"]))
    return states, departments


def _on_time(user: Any, *, year: int, as_of: date) -> dict:
    from onedoor.intake.selectors import on_time_rate_by_department

    rows = on_time_rate_by_department(user, date(year, 1, 1), as_of)
    decided = sum(r.decided for r in rows)
    on_time = sum(r.decided_on_time for r in rows)
    return {"decided": decided, "on_time": on_time, "rate": _percent(on_time, decided),
            "by_department": [{"department": r.department.short_name or r.department.name, "decided": r.decided,
                               "on_time": r.decided_on_time, "rate": r.rate} for r in rows]}


def current_campaign(user: Any):
    """The active campaign the user sees that started last (the one a leader asks about)."""
    from onedoor.relief.choices import CampaignStatus
    from onedoor.relief.selectors import campaigns

    return campaigns(user, status=CampaignStatus.ACTIVE).order_by("-starts_on", "-pk").first()


def _coverage(user: Any) -> dict | None:
    """Coverage by town of the current active campaign (relief.selectors.coverage), laid out over every
    town the reader sees inside the campaign's area (a town without targets shows as such)."""
    from onedoor.core.scoping import in_subtree
    from onedoor.geo.choices import TOWN_LEVELS
    from onedoor.geo.models import Area
    from onedoor.relief.selectors import coverage

    campaign = current_campaign(user)
    if campaign is None:
        return None
    found = coverage(campaign, user, by="town")
    rows = {row.code: row for row in found.rows}
    towns = list(Area.objects.current().visible_to(user).filter(in_subtree("code", campaign.area_id),
                                                                  level__in=TOWN_LEVELS)
                 .order_by("code").values_list("code", "name"))
    listed = []
    for code, name in towns:
        row = rows.pop(code, None)
        listed.append(_coverage_row(code, name, row))
    for code, row in sorted(rows.items()):  # an entry whose town is no longer current
        listed.append(_coverage_row(code, row.name, row))
    total = found.total
    return {"campaign": {"id": campaign.pk, "name": campaign.name, "starts_on": campaign.starts_on,
                         "ends_on": campaign.ends_on},
            "total": _coverage_row("", str(_("合计")), total), "towns": listed,
            "by_category": [_coverage_row(row.code, row.name, row) for row in found.by_category],
            "statement": found.statement}


def _coverage_row(code: str, name: str, row: Any) -> dict:
    if row is None:
        return {"code": code, "name": name, "targets": 0, "delivered": 0, "remaining": 0, "closed_otherwise": 0,
                "percent": None}
    return {"code": code, "name": name, "targets": row.targets, "delivered": row.delivered,
            "remaining": row.remaining, "closed_otherwise": row.closed_otherwise, "percent": row.percent}


def _stock_by_item(user: Any) -> list[dict]:
    """On hand per item at the bureau's warehouse, at the towns' stores and in supplier reserves
    (relief.selectors.stock_table: three queries)."""
    from onedoor.relief.choices import StoreKind
    from onedoor.relief.selectors import stock_table

    table = stock_table(user)
    kinds = {store.pk: store.kind for store in table.own_stores + table.supplier_stores}
    rows = []
    for item in table.items:
        held = {StoreKind.WAREHOUSE: 0, StoreKind.TOWN: 0, StoreKind.SUPPLIER: 0}
        for store_id, kind in kinds.items():
            held[kind] = held.get(kind, 0) + (table.cells.get((store_id, item.pk)) or 0)
        total = sum(held.values())
        if total:
            rows.append({"item": item.name, "unit": item.unit, "warehouse": held[StoreKind.WAREHOUSE],
                         "town": held[StoreKind.TOWN], "supplier": held[StoreKind.SUPPLIER], "total": total})
    return rows


def leader_figures(user: Any, *, year: int | None = None, today: date | None = None) -> dict:
    """The leader's figures for `year` (default this year) to today (or to 31 December of a past year),
    against the same period of the year before and the whole year before."""
    today = today or timezone.localdate()
    year = year or today.year
    as_of = today if year == today.year else date(year, 12, 31)
    compare_to = same_day_a_year_before(as_of)
    period = {"year": year, "as_of": as_of, "compare_to": compare_to}
    ledger = _ledger_months(user, **period)
    states, departments = _tasks_this_year(user, year=year, as_of=as_of)
    return {
        **period,
        "subsidy": {key: ledger[key] for key in ("this_year", "last_year_to_date", "last_year")},
        "monthly": ledger["monthly"],
        "applications": _applications_count(user, **period),
        "deliveries": _deliveries_count(user, **period),
        "tasks_by_state": states,
        "tasks_by_department": departments,
        "on_time": _on_time(user, year=year, as_of=as_of),
        "coverage": _coverage(user),
        "stock": _stock_by_item(user),
    }


def _card(key: str, label: str, value: Any, *, unit: str = "", compare: Any = None, compare_label: str = "",
          change: str | None = None, href: str = "", tone: str = "") -> dict:
    card = {"key": key, "label": label, "value": value, "unit": unit, "href": href, "tone": tone}
    if compare is not None:
        card.update({"compare": compare, "compare_label": compare_label, "change": change})
    return card


def _bar(key: str, title: str, categories: list, series: list[dict], *, kind: str = "bar", horizontal: bool = False,
         height: int = 280, wide: bool = False) -> dict:
    return {"key": key, "title": title, "kind": kind, "categories": categories, "series": series,
            "horizontal": horizontal, "height": height, "wide": wide}


def _series(name: str, data: list, *, stack: str = "", kind: str = "") -> dict:
    return {"name": name, "data": [float(v) if isinstance(v, Decimal) else v for v in data], "stack": stack,
            "kind": kind}


def leader(user: Any, *, year: int | None = None, today: date | None = None) -> dict:
    f = leader_figures(user, year=year, today=today)
    year, compare_to = f["year"], f["compare_to"]
    same = _("去年同期（至 %(day)s）") % {"day": compare_to.isoformat()}
    subsidy, apps, deliveries = f["subsidy"], f["applications"], f["deliveries"]
    ledger_query = f"kind=cash&start={year}-01-01&end={f['as_of'].isoformat()}"
    on_time = f["on_time"]
    cards = [
        _card("subsidy_amount", _("%(year)s 年救助资金（元）") % {"year": year}, subsidy["this_year"]["amount"],
              compare=subsidy["last_year_to_date"]["amount"], compare_label=same,
              change=_change(subsidy["this_year"]["amount"], subsidy["last_year_to_date"]["amount"]),
              href=_link("ledger:record_list", ledger_query)),
        _card("subsidy_times", _("%(year)s 年救助人次") % {"year": year}, subsidy["this_year"]["times"],
              compare=subsidy["last_year_to_date"]["times"], compare_label=same,
              change=_change(subsidy["this_year"]["times"], subsidy["last_year_to_date"]["times"]),
              href=_link("ledger:record_list", ledger_query)),
        _card("applications", _("%(year)s 年受理申请") % {"year": year}, apps["this_year"],
              compare=apps["last_year_to_date"], compare_label=same,
              change=_change(apps["this_year"], apps["last_year_to_date"])),
        _card("deliveries", _("%(year)s 年送温暖送达") % {"year": year}, deliveries["this_year"],
              compare=deliveries["last_year_to_date"], compare_label=same,
              change=_change(deliveries["this_year"], deliveries["last_year_to_date"])),
        _card("on_time", _("按期办结率"), f"{on_time['rate']}%" if on_time["rate"] is not None else "—",
              compare=_("%(on_time)s / %(decided)s 件") % on_time, compare_label=_("按期 / 已决定"),
              tone="" if on_time["rate"] is None else ("success" if on_time["rate"] >= 90 else "warning")),
    ]
    months = [_("%(m)s月") % {"m": m} for m in range(1, 13)]
    monthly = f["monthly"]
    charts = [
        _bar("monthly_amount", _("每月救助资金（元）"), months, [
            _series(_("%(year)s 年") % {"year": year}, monthly["this_year"]["amount"]),
            _series(_("%(year)s 年") % {"year": year - 1}, monthly["last_year"]["amount"], kind="line"),
        ], wide=True),
        _bar("monthly_times", _("每月救助人次"), months, [
            _series(_("%(year)s 年") % {"year": year}, monthly["this_year"]["times"]),
            _series(_("%(year)s 年") % {"year": year - 1}, monthly["last_year"]["times"], kind="line"),
        ], wide=True),
        _bar("tasks_by_state", _("今年受理事项按状态"), [r["label"] for r in f["tasks_by_state"]],
             [_series(_("事项"), [r["count"] for r in f["tasks_by_state"]])], kind="pie"),
        _bar("tasks_by_department", _("今年受理事项按部门"), [r["department"] for r in f["tasks_by_department"]],
             [_series(_("在办"), [r["open"] for r in f["tasks_by_department"]], stack="n"),
              _series(_("已办结或已决定"), [r["count"] - r["open"] for r in f["tasks_by_department"]], stack="n")],
             horizontal=True, height=max(240, 28 * len(f["tasks_by_department"]) + 80)),
        _bar("on_time_by_department", _("各部门按期办结率（%）"),
             [r["department"] for r in on_time["by_department"]],
             [_series(_("按期率"), [r["rate"] for r in on_time["by_department"]])],
             horizontal=True, height=max(240, 28 * len(on_time["by_department"]) + 80)),
    ]
    stock = f["stock"]
    charts.append(_bar("stock", _("物资库存"), [f"{r['item']}（{r['unit']}）" for r in stock], [
        _series(_("区仓库"), [r["warehouse"] for r in stock], stack="s"),
        _series(_("镇（街、场）物资点"), [r["town"] for r in stock], stack="s"),
        _series(_("协议供应商储备"), [r["supplier"] for r in stock], stack="s"),
    ], horizontal=True, height=max(240, 28 * len(stock) + 80)))
    coverage = f["coverage"]
    tiles = None
    if coverage:
        towns = coverage["towns"]
        tiles = {"title": _("%(name)s：各镇（街、场）覆盖情况") % {"name": coverage["campaign"]["name"]},
                 "statement": coverage["statement"],
                 "items": [{"name": t["name"], "percent": t["percent"], "targets": t["targets"],
                            "delivered": t["delivered"], "remaining": t["remaining"]} for t in towns]}
        charts.append(_bar("coverage_by_town", _("送温暖送达进度（人）"), [t["name"] for t in towns], [
            _series(_("已送达"), [t["delivered"] for t in towns], stack="c"),
            _series(_("未送达"), [t["remaining"] for t in towns], stack="c"),
            _series(_("其他办结"), [t["closed_otherwise"] for t in towns], stack="c"),
        ], wide=True))
    return {"figures": f, "cards": cards, "charts": charts, "tiles": tiles, "tables": []}


# --- dispatcher: queues and overdue by department -------------------------------------------------------

def dispatcher_figures(user: Any, *, today: date | None = None) -> dict:
    from onedoor.core.workdays import add_working_days
    from onedoor.intake.choices import OPEN_STATES, TaskState
    from onedoor.intake.models import Task
    from onedoor.intake.selectors import on_time_rate_by_department, overdue_tasks, queue_counts
    from onedoor.intake.views_tasks import DUE_SOON_WORKING_DAYS

    today = today or timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS).date
    running = ~Q(state=TaskState.RETURNED)
    rows = (Task.objects.visible_to(user).filter(state__in=OPEN_STATES).order_by()
            .values("department_id", "department__short_name", "department__name", "state")
            .annotate(n=Count("pk"), unassigned=Count("pk", filter=Q(handler__isnull=True)),
                      overdue=Count("pk", filter=running & Q(due_date__lt=today)),
                      due_soon=Count("pk", filter=running & Q(due_date__gte=today, due_date__lte=soon))))
    by_state: dict[str, int] = {}
    departments: dict[int, dict] = {}
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
        department = departments.setdefault(row["department_id"], {
            "department_id": row["department_id"], "department": _department_name(row), "open": 0,
            "unassigned": 0, "overdue": 0, "due_soon": 0, "returned": 0})
        department["open"] += row["n"]
        department["unassigned"] += row["unassigned"]
        department["overdue"] += row["overdue"]
        department["due_soon"] += row["due_soon"]
        if row["state"] == TaskState.RETURNED:
            department["returned"] += row["n"]
    since = today - timedelta(days=90)
    rates = on_time_rate_by_department(user, since, today)
    oldest = list(overdue_tasks(user, today)[:LIST_ROWS])
    return {
        "today": today, "due_soon_until": soon,
        "counts": queue_counts(user, today),
        "by_department": sorted(departments.values(), key=lambda r: (-r["overdue"], -r["open"], r["department"])),
        "by_state": [{"state": s.value, "label": str(s.label), "count": by_state[s.value]}
                     for s in TaskState if by_state.get(s.value)],
        "on_time_since": since,
        "on_time": [{"department": r.department.short_name or r.department.name, "decided": r.decided,
                     "on_time": r.decided_on_time, "rate": r.rate} for r in rates],
        "oldest_overdue": [{"id": t.pk, "receipt_no": t.application.receipt_no, "policy": t.policy.name,
                            "department": t.department.short_name or t.department.name, "due_date": t.due_date,
                            "days_overdue": (today - t.due_date).days, "handler": str(t.handler or "")}
                           for t in oldest],
    }


def dispatcher(user: Any, *, today: date | None = None, **_ignored) -> dict:
    f = dispatcher_figures(user, today=today)
    counts = f["counts"]
    dispatch_url = _link("intake:dispatch") if user.has_role("dispatcher") else ""
    cards = [
        _card("open", _("在办事项"), counts["open"], href=dispatch_url),
        _card("unassigned", _("待分派"), counts["unassigned"], href=dispatch_url, tone="primary"),
        _card("overdue", _("已超期"), counts["overdue"], href=dispatch_url, tone="danger" if counts["overdue"] else ""),
        _card("due_soon", _("即将到期（3 个工作日内）"), counts["due_soon"], tone="warning" if counts["due_soon"] else ""),
        _card("returned", _("待补正材料"), counts["returned"]),
    ]
    departments = f["by_department"]
    height = max(240, 28 * len(departments) + 80)
    charts = [
        _bar("queues_by_department", _("各部门在办事项"), [r["department"] for r in departments], [
            _series(_("已超期"), [r["overdue"] for r in departments], stack="q"),
            _series(_("即将到期"), [r["due_soon"] for r in departments], stack="q"),
            _series(_("其他在办"), [r["open"] - r["overdue"] - r["due_soon"] for r in departments], stack="q"),
        ], horizontal=True, height=height, wide=True),
        _bar("by_state", _("在办事项按状态"), [r["label"] for r in f["by_state"]],
             [_series(_("事项"), [r["count"] for r in f["by_state"]])], kind="pie"),
        _bar("on_time", _("近 90 天各部门按期办结率（%）"), [r["department"] for r in f["on_time"]],
             [_series(_("按期率"), [r["rate"] for r in f["on_time"]])], horizontal=True,
             height=max(240, 28 * len(f["on_time"]) + 80)),
    ]
    tables = [
        {"key": "departments", "title": _("各部门队列"),
         "columns": [_("部门"), _("在办"), _("待分派"), _("已超期"), _("即将到期"), _("待补正")],
         "rows": [[r["department"], r["open"], r["unassigned"],
                   {"text": r["overdue"], "tone": "danger" if r["overdue"] else ""}, r["due_soon"], r["returned"]]
                  for r in departments],
         "empty": _("没有在办事项。")},
        {"key": "oldest_overdue", "title": _("超期最久的事项"),
         "columns": [_("受理编号"), _("事项"), _("承办部门"), _("经办人"), _("办理期限"), _("超期天数")],
         "rows": [[{"text": t["receipt_no"], "href": _link("intake:task_detail", pk=t["id"])}, t["policy"],
                   t["department"], t["handler"] or _("未分派"), t["due_date"].isoformat(),
                   {"text": t["days_overdue"], "tone": "danger"}] for t in f["oldest_overdue"]],
         "empty": _("没有超期事项。")},
    ]
    return {"figures": f, "cards": cards, "charts": charts, "tiles": None, "tables": tables}


# --- window clerk: today's applications --------------------------------------------------------------

def window_figures(user: Any, *, today: date | None = None) -> dict:
    from django.db.models.functions import TruncDate

    from onedoor.intake.choices import TaskState
    from onedoor.intake.models import Application, Task
    from onedoor.intake.views_window import todays_applications

    today = today or timezone.localdate()
    applications = todays_applications(user, today)
    listed = list(applications[:LIST_ROWS * 5])
    count = len(listed) if len(listed) < LIST_ROWS * 5 else applications.count()
    state_rows = (Task.objects.visible_to(user).filter(application__in=applications.values("pk")).order_by()
                  .values("state").annotate(n=Count("pk")))
    by_state = {row["state"]: row["n"] for row in state_rows}
    first_day = today - timedelta(days=13)
    daily_rows = (Application.objects.visible_to(user)
                  .filter(window_id=user.organisation_id, submitted_at__gte=_midnight(first_day),
                          submitted_at__lt=_midnight(today + timedelta(days=1)))
                  .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
                  .order_by().values("day").annotate(n=Count("pk")))
    daily = {row["day"]: row["n"] for row in daily_rows}
    returned = (Task.objects.visible_to(user)
                .filter(application__window_id=user.organisation_id, state=TaskState.RETURNED).count())
    return {
        "today": today,
        "count": count,
        "tasks_by_state": [{"state": s.value, "label": str(s.label), "count": by_state[s.value]}
                           for s in TaskState if by_state.get(s.value)],
        "daily": [{"day": first_day + timedelta(days=n), "count": daily.get(first_day + timedelta(days=n), 0)}
                  for n in range(14)],
        "returned_waiting": returned,
        "applications": [{
            "id": a.pk, "receipt_no": a.receipt_no, "time": timezone.localtime(a.submitted_at).strftime("%H:%M"),
            "applicant": a.applicant.name, "channel": a.get_channel_display(),
            "tasks": [{"policy": t.policy.name, "state": t.state, "label": t.get_state_display()}
                      for t in a.shown_tasks]} for a in listed],
    }


def window(user: Any, *, today: date | None = None, **_ignored) -> dict:
    f = window_figures(user, today=today)
    today_url = _link("intake:today")
    states = f["tasks_by_state"]
    cards = [
        _card("count", _("今日受理申请"), f["count"], href=today_url, tone="primary"),
        _card("tasks", _("今日申请事项"), sum(r["count"] for r in states)),
        _card("returned", _("本窗口待补正事项"), f["returned_waiting"], tone="warning" if f["returned_waiting"] else ""),
    ]
    charts = [
        _bar("tasks_by_state", _("今日申请事项的办理状态"), [r["label"] for r in states],
             [_series(_("事项"), [r["count"] for r in states])], kind="pie"),
        _bar("daily", _("近 14 天每日受理申请"), [r["day"].strftime("%m-%d") for r in f["daily"]],
             [_series(_("申请"), [r["count"] for r in f["daily"]])]),
    ]
    tables = [{"key": "applications", "title": _("今日受理"),
               "columns": [_("时间"), _("受理编号"), _("申请人"), _("渠道"), _("事项与状态")],
               "rows": [[a["time"], {"text": a["receipt_no"], "href": _link("intake:application_detail", pk=a["id"])},
                         a["applicant"], a["channel"],
                         "；".join(f"{t['policy']}（{t['label']}）" for t in a["tasks"])]
                        for a in f["applications"]],
               "empty": _("今天还没有受理申请。")}]
    return {"figures": f, "cards": cards, "charts": charts, "tiles": None, "tables": tables}


# --- storekeeper: stock and alerts ----------------------------------------------------------------------

def storekeeper_figures(user: Any) -> dict:
    from onedoor.relief.choices import CallOffStatus
    from onedoor.relief.selectors import call_offs, expired, expiring, low_stock

    low = list(low_stock(user)[:LIST_ROWS + 1])
    soon = list(expiring(user)[:LIST_ROWS + 1])
    past = list(expired(user)[:LIST_ROWS + 1])
    ordered = list(call_offs(user, status=CallOffStatus.ORDERED)[:LIST_ROWS + 1])
    return {
        "stock": _stock_by_item(user),
        "low_stock": [{"store": m.store.name, "item": m.item.name, "unit": m.item.unit, "on_hand": m.on_hand,
                       "minimum": m.minimum} for m in low[:LIST_ROWS]],
        "expiring": [{"store": b.store.name, "item": b.item.name, "unit": b.item.unit, "quantity": b.quantity,
                      "expiry": b.expiry} for b in soon[:LIST_ROWS]],
        "expired": [{"store": b.store.name, "item": b.item.name, "unit": b.item.unit, "quantity": b.quantity,
                     "expiry": b.expiry} for b in past[:LIST_ROWS]],
        "call_offs_open": [{"id": o.pk, "supplier": o.supplier.name, "destination": o.destination.name,
                            "ordered_at": timezone.localtime(o.ordered_at).date()} for o in ordered[:LIST_ROWS]],
        "more": {"low_stock": len(low) > LIST_ROWS, "expiring": len(soon) > LIST_ROWS,
                 "expired": len(past) > LIST_ROWS, "call_offs_open": len(ordered) > LIST_ROWS},
    }


def storekeeper(user: Any, **_ignored) -> dict:
    f = storekeeper_figures(user)
    stock = f["stock"]
    alerts = _link("relief:alerts")
    more = _("（仅列前 %(n)s 项）") % {"n": LIST_ROWS}

    def count(key: str) -> str:
        return f"{len(f[key])}+" if f["more"][key] else str(len(f[key]))

    cards = [
        _card("items", _("有库存的物资"), len(stock), href=_link("relief:stock")),
        _card("low_stock", _("低于最低库存"), count("low_stock"), href=alerts, tone="danger" if f["low_stock"] else ""),
        _card("expiring", _("30 天内到期批次"), count("expiring"), href=alerts, tone="warning" if f["expiring"] else ""),
        _card("expired", _("已过期未出库批次"), count("expired"), href=alerts, tone="danger" if f["expired"] else ""),
        _card("call_offs_open", _("待到货调运单"), count("call_offs_open"), href=_link("relief:call_off_list")),
    ]
    charts = [_bar("stock", _("各物资库存"), [f"{r['item']}（{r['unit']}）" for r in stock], [
        _series(_("区仓库"), [r["warehouse"] for r in stock], stack="s"),
        _series(_("镇（街、场）物资点"), [r["town"] for r in stock], stack="s"),
        _series(_("协议供应商储备"), [r["supplier"] for r in stock], stack="s"),
    ], horizontal=True, height=max(240, 28 * len(stock) + 80), wide=True)]
    tables = [
        {"key": "low_stock", "title": _("低库存") + (more if f["more"]["low_stock"] else ""),
         "columns": [_("储备点"), _("物资"), _("现有"), _("最低库存")],
         "rows": [[r["store"], r["item"], {"text": f"{r['on_hand']} {r['unit']}", "tone": "danger"},
                   f"{r['minimum']} {r['unit']}"] for r in f["low_stock"]],
         "empty": _("没有低于最低库存的物资。")},
        {"key": "expiring", "title": _("临期批次（30 天内）") + (more if f["more"]["expiring"] else ""),
         "columns": [_("储备点"), _("物资"), _("数量"), _("到期日")],
         "rows": [[r["store"], r["item"], f"{r['quantity']} {r['unit']}",
                   {"text": r["expiry"].isoformat(), "tone": "warning"}] for r in f["expiring"]],
         "empty": _("没有临期物资。")},
        {"key": "expired", "title": _("已过期未出库") + (more if f["more"]["expired"] else ""),
         "columns": [_("储备点"), _("物资"), _("数量"), _("到期日")],
         "rows": [[r["store"], r["item"], f"{r['quantity']} {r['unit']}",
                   {"text": r["expiry"].isoformat(), "tone": "danger"}] for r in f["expired"]],
         "empty": _("没有过期物资。")},
        {"key": "call_offs_open", "title": _("待到货的供应商调运单"),
         "columns": [_("供应商"), _("调入"), _("下单日期")],
         "rows": [[{"text": r["supplier"], "href": _link("relief:call_off_detail", pk=r["id"])}, r["destination"],
                   r["ordered_at"].isoformat()] for r in f["call_offs_open"]],
         "empty": _("没有待到货的调运单。")},
    ]
    return {"figures": f, "cards": cards, "charts": charts, "tiles": None, "tables": tables}


# --- finance: payroll runs and reconciliation -----------------------------------------------------------

RUNS_SHOWN = 12


def finance_figures(user: Any) -> dict:
    from django.db.models import Exists, OuterRef

    from onedoor.benefits.choices import BankFileKind, PaymentStatus, RunState
    from onedoor.benefits.models import BankFile, Payment, PayrollRun

    visible_runs = PayrollRun.objects.visible_to(user)
    runs = list(visible_runs.select_related("policy").order_by("-month", "-pk")[:RUNS_SHOWN])
    ids = [run.pk for run in runs]
    # payroll.totals_of for every shown run at once (one grouped query instead of one per run)
    totals: dict[int, dict[str, dict]] = {}
    for row in (Payment.objects.visible_to(user).filter(run_id__in=ids).order_by().values("run_id", "status")
                .annotate(count=Count("pk"), amount=Sum("amount"))):
        totals.setdefault(row["run_id"], {})[row["status"]] = {"count": row["count"], "amount": _money(row["amount"])}
    files: dict[int, dict[str, BankFile]] = {}
    for bank_file in BankFile.objects.filter(run_id__in=ids).order_by("created_at", "pk"):
        files.setdefault(bank_file.run_id, {})[bank_file.kind] = bank_file  # the latest of each kind
    by_state = dict(visible_runs.order_by().values_list("state").annotate(n=Count("pk")))
    failed = (Payment.objects.visible_to(user).filter(status=PaymentStatus.FAILED)
              .annotate(reissued=Exists(Payment.objects.filter(reissue_of=OuterRef("pk")))).filter(reissued=False)
              .aggregate(count=Count("pk"), amount=Sum("amount")))
    rows = []
    for run in runs:
        statuses = totals.get(run.pk, {})
        exported, returned = files.get(run.pk, {}).get(BankFileKind.EXPORT), files.get(run.pk, {}).get(
            BankFileKind.RETURN)
        rows.append({
            "id": run.pk, "month": run.month, "policy": run.policy.name if run.policy else str(_("全部政策")),
            "state": run.state, "state_label": run.get_state_display(), "payment_count": run.payment_count,
            "total_amount": run.total_amount,
            "by_status": {status.value: statuses.get(status.value, {"count": 0, "amount": ZERO})
                          for status in PaymentStatus},
            "exported": {"rows": exported.rows, "amount": exported.total_amount} if exported else None,
            "returned": {"rows": returned.rows, "amount": returned.total_amount,
                         "summary": returned.summary} if returned else None,
        })
    return {
        "runs": rows,
        "runs_by_state": [{"state": s.value, "label": str(s.label), "count": by_state[s.value]}
                          for s in RunState if by_state.get(s.value)],
        "awaiting_reconciliation": by_state.get(RunState.EXPORTED, 0),
        "failed_not_reissued": {"count": failed["count"], "amount": _money(failed["amount"])},
    }


def finance(user: Any, **_ignored) -> dict:
    from onedoor.benefits.choices import PaymentStatus, RunState

    f = finance_figures(user)
    runs = list(reversed(f["runs"]))  # oldest first on the charts
    states = {r["state"]: r["count"] for r in f["runs_by_state"]}
    cards = [
        _card("awaiting_reconciliation", _("已导出待对账批次"), f["awaiting_reconciliation"],
              href=_link("benefits:run_list"), tone="warning" if f["awaiting_reconciliation"] else ""),
        _card("in_preparation", _("编制或审核中批次"),
              sum(states.get(s, 0) for s in (RunState.DRAFT, RunState.COMPUTED, RunState.APPROVED)),
              href=_link("benefits:run_list")),
        _card("failed", _("发放失败待重发（笔）"), f["failed_not_reissued"]["count"],
              compare=f["failed_not_reissued"]["amount"], compare_label=_("金额（元）"),
              href=_link("benefits:failed_list"), tone="danger" if f["failed_not_reissued"]["count"] else ""),
    ]
    months = [r["month"].strftime("%Y-%m") + ("" if r["policy"] == str(_("全部政策")) else f" {r['policy']}")
              for r in runs]
    charts = [
        _bar("run_amounts", _("各批次发放金额（元）"), months, [
            _series(PaymentStatus(s).label, [r["by_status"][s]["amount"] for r in runs], stack="a")
            for s in (PaymentStatus.PAID, PaymentStatus.EXPORTED, PaymentStatus.PENDING, PaymentStatus.FAILED)
        ], wide=True),
        _bar("runs_by_state", _("批次状态"), [r["label"] for r in f["runs_by_state"]],
             [_series(_("批次"), [r["count"] for r in f["runs_by_state"]])], kind="pie"),
    ]
    tables = [{"key": "runs", "title": _("最近的发放批次"),
               "columns": [_("月份"), _("政策"), _("状态"), _("笔数"), _("金额（元）"), _("已到账"), _("失败"),
                           _("银行回盘")],
               "rows": [[{"text": r["month"].strftime("%Y-%m"), "href": _link("benefits:run_detail", run_id=r["id"])},
                         r["policy"], r["state_label"], r["payment_count"], f"{r['total_amount']:,.2f}",
                         r["by_status"]["paid"]["count"],
                         {"text": r["by_status"]["failed"]["count"],
                          "tone": "danger" if r["by_status"]["failed"]["count"] else ""},
                         (_("%(rows)s 笔 %(amount)s 元") % {"rows": r["returned"]["rows"],
                                                            "amount": f"{r['returned']['amount']:,.2f}"})
                         if r["returned"] else (_("待回盘") if r["exported"] else "—")] for r in f["runs"]],
               "empty": _("还没有发放批次。")}]
    return {"figures": f, "cards": cards, "charts": charts, "tiles": None, "tables": tables}


# --- registry of dashboards ----------------------------------------------------------------------------

DASHBOARDS: dict[str, Dashboard] = {d.name: d for d in (
    Dashboard("leader", gettext_lazy("领导看板"), frozenset({"leader"}), leader,
              gettext_lazy("救助资金与人次对比去年、受理与按期办结、送温暖覆盖、物资库存")),
    Dashboard("dispatcher", gettext_lazy("调度看板"), frozenset({"dispatcher", "handler"}), dispatcher,
              gettext_lazy("各部门在办、待分派与超期事项，按期办结率")),
    Dashboard("window", gettext_lazy("窗口看板"), frozenset({"window_clerk"}), window,
              gettext_lazy("今日受理的申请及其办理状态")),
    Dashboard("storekeeper", gettext_lazy("物资看板"), frozenset({"storekeeper"}), storekeeper,
              gettext_lazy("各物资库存、低库存与临期预警、待到货调运")),
    Dashboard("finance", gettext_lazy("财务看板"), frozenset({"finance"}), finance,
              gettext_lazy("发放批次、银行回盘对账与发放失败")),
)}

DASHBOARD_ROLES = frozenset().union(*(d.roles for d in DASHBOARDS.values()))


def dashboards_for(user: Any) -> list[Dashboard]:
    """The dashboards a user may open, in the order above (the first is where the entry sends them).
    The admin role (IT) opens them all; figures still follow its scope."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = set(user.roles)
    if "admin" in roles:
        return list(DASHBOARDS.values())
    return [d for d in DASHBOARDS.values() if d.roles & roles]


def build(name: str, user: Any, **options) -> dict:
    dashboard = DASHBOARDS[name]
    data = dashboard.build(user, **options)
    return {"dashboard": name, "title": str(dashboard.title), "generated_at": timezone.now(), **data}
