"""The annual report (the article's statistics table) computed from records, for a period and an area subtree.

Public, stable names (the dashboards import them):

- `annual_report(user, *, start, end, area_code) -> AnnualReport`
- `year_period(year) -> (start, end)`
- section functions, each `(user, *, start, end, area_code)`: `subsidies`, `loans`, `employment`,
  `campaign_issues`, `one_window`, `subsidies_by_month`; `reserves(user, *, area_code)`
- `monthly_statistics(user, *, month, area_code) -> MonthlyStatistics` (town × category)
- the record sets behind the figures (used by the drill-down): `subsidy_records`, `loan_records`,
  `loan_subsidy_records`, `employment_tasks`, `campaign_lines`, `roster_entries`, `reserve_balances`,
  `reserve_lines`, `applications`, `received_tasks`, `decided_tasks`

Every figure is read through `visible_to(user)` of its source model; nothing is stored or cached.

**Category of a payment.** A ledger row counts under the category its person — or the household on the
row — held on the day of the payment (`CategoryAssignment` in force on `delivered_on`); when several were in
force, the first by the category's `order` (then id), so each row counts under exactly one category and the
categories add up to the total. A row whose person held none counts under "未列入对象类别". The lookup labels
a visible row and is not itself scoped: it reveals a category name, no other record.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr, TruncDate, TruncMonth
from django.utils import timezone

from onedoor.core.money import round_money
from onedoor.core.scoping import in_subtree, subtree_prefix

NO_DATA = "暂无数据（慈善/社工模块尚未上线）"
NO_CATEGORY = "none"
NO_CATEGORY_LABEL = "未列入对象类别"
NO_POLICY = "none"
EMPLOYMENT_SITUATION = "employment"
EMPLOYMENT_DEPARTMENTS = ("人社局",)
SUBSIDY_KIND = "cash"


def without_jit(func):
    """Run a report function with PostgreSQL's JIT compilation off (SET LOCAL, this transaction only).

    The report's scans carry two correlated look-ups per row, so the planner's cost estimate passes the JIT
    thresholds and PostgreSQL spends ~0.7 s compiling per statement — more than the scan itself takes at the
    article's scale (107,000 rows: 1.8 s with JIT, 0.8 s without). The bench runs its raw SQL the same way."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if connection.vendor != "postgresql":
            return func(*args, **kwargs)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            return func(*args, **kwargs)

    return wrapper


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in local time, for datetime columns."""
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def money(value: Any) -> Decimal:
    """A database sum as yuan: SQLite adds decimals as floats (93903.1999999999), so round to the fen."""
    if value is None:
        return Decimal("0.00")
    return round_money(value if isinstance(value, Decimal) else Decimal(str(value)))


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- result types ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a breakdown: key (code or id), label, figures and the drill-down parameters."""

    key: str
    label: str
    amount: Decimal = Decimal("0.00")
    count: int = 0
    people: int = 0
    drill: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "amount": str(self.amount), "count": self.count,
                "people": self.people}

    @property
    def query(self) -> str:
        """The drill-down querystring of this line."""
        return urlencode(self.drill)


@dataclass
class SubsidySection:
    amount: Decimal
    times: int
    by_policy: list[Row]
    by_category: list[Row]


@dataclass
class LoanSection:
    people: int
    loans: int
    principal: Decimal
    subsidy_amount: Decimal
    subsidy_times: int


@dataclass
class EmploymentSection:
    decided: int
    by_policy: list[Row]


@dataclass
class NoDataSection:
    available: bool = False
    message: str = NO_DATA


@dataclass
class CampaignCoverageRow:
    campaign_id: int
    name: str
    starts_on: date
    ends_on: date
    targets: int
    delivered: int
    remaining: int
    closed_otherwise: int
    percent: Decimal | None
    all_covered: bool
    statement: str
    by_category: list[Row]


@dataclass
class CampaignSection:
    issued: list[Row]          # items issued by kind: quantity in `count`, unit in `key`'s label
    issued_total: int
    campaigns: list[CampaignCoverageRow]


@dataclass
class ReserveSection:
    on_hand: list[Row]         # stock on hand at the warehouse and town stores: quantity in `count`
    suppliers: list[Row]       # quantities reserved by agreements in force: quantity in `count`
    total: list[Row]
    as_of: date


@dataclass
class OneWindowSection:
    received: int
    by_channel: list[Row]
    tasks: int
    by_department: list[Row]
    decided: int
    decided_on_time: int
    on_time_rate: Decimal | None
    average_working_days: Decimal | None
    departments: int
    policies: int


@dataclass
class AnnualReport:
    start: date
    end: date
    area_code: str
    area_name: str
    subsidies: SubsidySection
    loans: LoanSection
    employment: EmploymentSection
    charity: NoDataSection
    social_work: NoDataSection
    campaigns: CampaignSection
    reserves: ReserveSection
    one_window: OneWindowSection

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON form (docs/subsystems/reports.md): money as strings with two decimals."""
        from .schema import report_dict

        return report_dict(self)


@dataclass
class MonthlyCell:
    people: int = 0
    times: int = 0
    amount: Decimal = Decimal("0.00")


@dataclass
class MonthlyStatistics:
    month: date
    area_code: str
    area_name: str
    towns: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    cells: dict[tuple[str, str], MonthlyCell]
    town_totals: dict[str, MonthlyCell]
    category_totals: dict[str, MonthlyCell]
    total: MonthlyCell

    def cell(self, town: str, category: str) -> MonthlyCell:
        return self.cells.get((town, category), MonthlyCell())


# --- the record sets behind the figures -------------------------------------------------------------------------


CATEGORY_KEY_BASE = 10**8   # key = category.order × base + category.id: sorts like (order, id), decodes by mod
NO_CATEGORY_KEY = 10**15


def category_keys() -> dict[int, int]:
    """Every category's key (order × base + id), read once: the look-up maps ids to keys with a CASE instead of
    joining the category table for every ledger row."""
    from onedoor.registry.models import Category

    return {pk: order * CATEGORY_KEY_BASE + pk for pk, order in Category.objects.values_list("pk", "order")}


def category_key_sql(keys: dict[int, int], *, outer: str = "ledger_assistancerecord") -> str:
    """The same look-up as plain SQL over the ledger table `outer` (the bench's raw baseline uses it too): per
    side, `MIN(CASE category_id …)` over the assignments in force — an aggregate without GROUP BY, which
    PostgreSQL runs as one index scan per row. Only integers are interpolated (ids and keys)."""
    big = NO_CATEGORY_KEY
    if not keys:
        return str(big)
    mapping = " ".join(f"WHEN {int(pk)} THEN {int(key)}" for pk, key in keys.items())

    def side(name: str) -> str:
        return (f"COALESCE((SELECT MIN(CASE ca.category_id {mapping} ELSE {big} END)"
                f" FROM registry_categoryassignment ca WHERE ca.{name}_id = {outer}.{name}_id"
                f" AND ca.valid_from <= {outer}.delivered_on"
                f" AND (ca.valid_to IS NULL OR ca.valid_to > {outer}.delivered_on)), {big})")

    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    return f"{least}({side('person')}, CASE WHEN {outer}.household_id IS NULL THEN {big} ELSE {side('household')} END)"


def category_on_delivery(keys: dict[int, int] | None = None) -> RawSQL:
    """The category key a ledger row counts under (see the module docstring): the first by (order, id) of the
    person's and the household's categories in force on the day, NO_CATEGORY_KEY when none. Two correlated
    single-column index look-ups per row (person, household) rather than one OR, so each uses its index; a
    row without a household skips the second (CASE evaluates its branch only when taken). For a queryset of
    `AssistanceRecord` whose table is not aliased (the report's and the drill-down's)."""
    keys = category_keys() if keys is None else keys
    return RawSQL(category_key_sql(keys), [], output_field=BigIntegerField())


def grouped_by_category(records: QuerySet, keys: dict[int, int] | None = None) -> list[tuple[int, Any, int]]:
    """(category key, amount, 人次) of ledger rows: the key computed in a derived table and grouped outside it,
    so the database hashes the few keys instead of sorting the rows by the look-up expression."""
    inner = records.order_by().annotate(report_category=category_on_delivery(keys)).values(
        "report_category", "amount", "reverses_id")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # the reader sees no ledger row at all (visible_to gave none())
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT report_category, SUM(amount), SUM(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END)"
                       f" FROM ({sql}) x GROUP BY report_category", params)
        return cursor.fetchall()


def category_key(category) -> int:
    return category.order * CATEGORY_KEY_BASE + category.pk


def category_of_key(key: int) -> int | None:
    return None if key is None or key >= NO_CATEGORY_KEY else key % CATEGORY_KEY_BASE


def subsidy_records(user: Any, *, start: date, end: date, area_code: str, policy: str | None = None,
                    category: str | None = None) -> QuerySet:
    """Cash ledger rows (originals and reversals) delivered in the period in the area."""
    from onedoor.ledger.models import AssistanceRecord

    records = (AssistanceRecord.objects.visible_to(user).filter(kind=SUBSIDY_KIND)
               .filter(delivered_on__gte=start, delivered_on__lte=end).filter(in_subtree("area", area_code)))
    if policy:
        records = records.filter(policy__isnull=True) if policy == NO_POLICY else records.filter(policy_id=policy)
    if category:
        keys = category_keys()
        key = NO_CATEGORY_KEY if category == NO_CATEGORY else keys.get(int(category), -1)
        records = records.annotate(report_category=category_on_delivery(keys)).filter(report_category=key)
    return records


TIMES = Sum(Case(When(reverses__isnull=True, then=Value(1)), default=Value(-1), output_field=IntegerField()))


def ledger_totals(records: QuerySet) -> tuple[Decimal, int]:
    """Amount (reversals net out) and 人次 (originals − reversals) of ledger rows: one query."""
    row = records.order_by().aggregate(amount=Sum("amount"), times=TIMES)
    return money(row["amount"]), row["times"] or 0


def loan_records(user: Any, *, start: date, end: date, area_code: str) -> QuerySet:
    """Loans that started (were lent) in the period: registered with the bank's contract, any status since."""
    from onedoor.aid.models import Loan

    return (Loan.objects.visible_to(user).filter(start_date__gte=start, start_date__lte=end)
            .filter(in_subtree("area", area_code)))


def loan_subsidy_records(user: Any, *, start: date, end: date, area_code: str) -> QuerySet:
    """Interest subsidies paid in the period."""
    from onedoor.aid.choices import SubsidyStatus
    from onedoor.aid.models import LoanSubsidy

    return (LoanSubsidy.objects.visible_to(user).filter(status=SubsidyStatus.PAID)
            .filter(paid_on__gte=start, paid_on__lte=end).filter(in_subtree("loan__area", area_code)))


def employment_policy_ids() -> list[int]:
    """The employment department's employment policies: policies of the department(s) named (short name) in
    settings.ONEDOOR["EMPLOYMENT_DEPARTMENTS"] (default 人社局) whose life situations include 就业创业 — 就业困难
    人员认定, 灵活就业社保补贴, 公益性岗位, 就业服务 … (its pension or other lines are not employment outcomes)."""
    from django.conf import settings

    from onedoor.policies.models import Policy

    names = settings.ONEDOOR.get("EMPLOYMENT_DEPARTMENTS", EMPLOYMENT_DEPARTMENTS)
    rows = Policy.objects.filter(department__short_name__in=names).values_list("pk", "life_situations")
    return [pk for pk, situations in rows if EMPLOYMENT_SITUATION in (situations or [])]


def approved_tasks(user: Any, *, start: date, end: date, area_code: str) -> QuerySet:
    """Tasks approved with the decision made in the period (still approved, or closed after the approval)."""
    from onedoor.intake.choices import TaskState
    from onedoor.intake.models import Task, TaskEvent

    low, high = _day_bounds(start, end)
    was_approved = Exists(TaskEvent.objects.filter(task=OuterRef("pk"), to_state=TaskState.APPROVED))
    return (Task.objects.visible_to(user).filter(decided_at__gte=low, decided_at__lt=high)
            .filter(in_subtree("area", area_code))
            .filter(Q(state=TaskState.APPROVED) | Q(state=TaskState.CLOSED) & was_approved))


def employment_tasks(user: Any, *, start: date, end: date, area_code: str, policy: str | None = None,
                     policy_ids: list[int] | None = None) -> QuerySet:
    ids = employment_policy_ids() if policy_ids is None else policy_ids
    tasks = approved_tasks(user, start=start, end=end, area_code=area_code).filter(policy_id__in=ids)
    if policy:
        tasks = tasks.filter(policy_id=policy)
    return tasks


def campaign_lines(user: Any, *, start: date, end: date, area_code: str, item: str | None = None) -> QuerySet:
    """Delivery lines of campaign deliveries made in the period to people of the area, whose stock move
    (`StockMove` purpose campaign) the user may see."""
    from onedoor.relief.choices import MoveKind, Purpose
    from onedoor.relief.models import DeliveryLine, StockMove

    moves = StockMove.objects.visible_to(user).filter(kind=MoveKind.ISSUE, purpose=Purpose.CAMPAIGN)
    lines = (DeliveryLine.objects.filter(move__in=moves.values("pk"))
             .filter(delivery__delivered_on__gte=start, delivery__delivered_on__lte=end)
             .filter(in_subtree("delivery__entry__area", area_code)))
    if item:
        lines = lines.filter(item_id=item)
    return lines


def campaigns_in_period(user: Any, *, start: date, end: date, area_code: str) -> QuerySet:
    """Campaigns running at some time in the period whose area and the report's area overlap."""
    from onedoor.relief.models import Campaign, ancestor_codes

    return (Campaign.objects.visible_to(user).filter(starts_on__lte=end, ends_on__gte=start)
            .filter(in_subtree("area", area_code) | Q(area_id__in=ancestor_codes(area_code)))
            .order_by("starts_on", "pk"))


def roster_entries(user: Any, *, area_code: str, campaign: str | int | None = None,
                   campaign_ids: list[int] | None = None, status: str | None = None) -> QuerySet:
    from onedoor.relief.models import RosterEntry

    entries = RosterEntry.objects.visible_to(user).filter(in_subtree("area", area_code))
    if campaign_ids is not None:
        entries = entries.filter(campaign_id__in=campaign_ids)
    if campaign:
        entries = entries.filter(campaign_id=campaign)
    if status:
        entries = entries.filter(status=status)
    return entries


def reserve_balances(user: Any, *, area_code: str, item: str | None = None) -> QuerySet:
    """Stock on hand at the warehouse and the town stores (not suppliers) of the area."""
    from onedoor.relief.choices import StoreKind
    from onedoor.relief.models import StockBalance

    balances = (StockBalance.objects.visible_to(user).exclude(store__kind=StoreKind.SUPPLIER)
                .filter(store__is_active=True, quantity__gt=0).filter(in_subtree("store__area", area_code)))
    return balances.filter(item_id=item) if item else balances


def reserve_lines(user: Any, *, area_code: str, on: date, item: str | None = None) -> QuerySet:
    """Quantities suppliers hold in reserve under the agreements in force on `on`."""
    from onedoor.relief.models import AgreementLine

    lines = (AgreementLine.objects.visible_to(user)
             .filter(agreement__valid_from__lte=on, agreement__valid_to__gte=on, agreement__store__is_active=True)
             .filter(in_subtree("agreement__store__area", area_code)))
    return lines.filter(item_id=item) if item else lines


def applications(user: Any, *, start: date, end: date, area_code: str, channel: str | None = None) -> QuerySet:
    from onedoor.intake.models import Application

    low, high = _day_bounds(start, end)
    apps = (Application.objects.visible_to(user).filter(submitted_at__gte=low, submitted_at__lt=high)
            .filter(in_subtree("area", area_code)))
    return apps.filter(channel=channel) if channel else apps


def received_tasks(user: Any, *, start: date, end: date, area_code: str, department: str | None = None) -> QuerySet:
    from onedoor.intake.models import Task

    tasks = (Task.objects.visible_to(user).filter(received_on__gte=start, received_on__lte=end)
             .filter(in_subtree("area", area_code)))
    return tasks.filter(department_id=department) if department else tasks


def decided_tasks(user: Any, *, start: date, end: date, area_code: str, on_time: bool | None = None) -> QuerySet:
    """Tasks decided (approved or refused) in the period; `on_time`: decided on or before the due date."""
    from onedoor.intake.models import Task

    low, high = _day_bounds(start, end)
    tasks = (Task.objects.visible_to(user).filter(decided_at__gte=low, decided_at__lt=high)
             .filter(in_subtree("area", area_code))
             .annotate(decided_on=TruncDate("decided_at", tzinfo=timezone.get_current_timezone())))
    if on_time is True:
        tasks = tasks.filter(decided_on__lte=F("due_date"))
    elif on_time is False:
        tasks = tasks.filter(decided_on__gt=F("due_date"))
    return tasks


# --- sections -------------------------------------------------------------------------------------------------


def _period_params(start: date, end: date, area_code: str) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat(), "area": area_code}


@without_jit
def subsidies(user: Any, *, start: date, end: date, area_code: str) -> SubsidySection:
    """Cash paid (ledger kind cash, net of reversals): by policy, and by category at the time. Four queries."""
    from onedoor.policies.models import Policy
    from onedoor.registry.models import Category

    records = subsidy_records(user, start=start, end=end, area_code=area_code).order_by()
    base = {**_period_params(start, end, area_code), "figure": "subsidies"}
    per_policy = list(records.values("policy_id").annotate(amount=Sum("amount"), times=TIMES))
    names = dict(Policy.objects.filter(pk__in=[r["policy_id"] for r in per_policy if r["policy_id"]])
                 .values_list("pk", "name"))
    by_policy = [Row(str(r["policy_id"] or NO_POLICY), names.get(r["policy_id"], "其他项目"),
                     money(r["amount"]), r["times"] or 0,
                     drill={**base, "policy": str(r["policy_id"] or NO_POLICY)}) for r in per_policy]
    by_policy.sort(key=lambda r: (-r.amount, r.label))
    per_category = [{"report_category": category_of_key(key), "amount": amount, "times": times}
                    for key, amount, times in grouped_by_category(records)]
    categories = {c.pk: c for c in Category.objects.filter(pk__in=[r["report_category"] for r in per_category
                                                                    if r["report_category"]])}
    by_category = []
    for r in per_category:
        category = categories.get(r["report_category"])
        key = str(category.pk) if category else NO_CATEGORY
        by_category.append(Row(key, category.name if category else NO_CATEGORY_LABEL, money(r["amount"]),
                               r["times"] or 0, drill={**base, "category": key}))
    by_category.sort(key=lambda r: (categories[int(r.key)].order if r.key != NO_CATEGORY else 10**6, r.key))
    amount = money(sum((r.amount for r in by_policy), Decimal(0)))
    times = sum(r.count for r in by_policy)
    return SubsidySection(amount, times, by_policy, by_category)


@without_jit
def subsidies_by_month(user: Any, *, start: date, end: date, area_code: str) -> list[Row]:
    """Cash paid per month of the period (key YYYY-MM): one query. Months without payments are listed with 0."""
    records = subsidy_records(user, start=start, end=end, area_code=area_code).order_by()
    found = {}
    for r in records.annotate(month=TruncMonth("delivered_on")).values("month").annotate(amount=Sum("amount"),
                                                                                         times=TIMES):
        month = r["month"]
        month = month.date() if isinstance(month, datetime) else month
        found[month.strftime("%Y-%m")] = r
    rows = []
    month = date(start.year, start.month, 1)
    while month <= end:
        key = month.strftime("%Y-%m")
        r = found.get(key, {})
        month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        rows.append(Row(key, key, money(r.get("amount")), r.get("times") or 0,
                        drill={**_period_params(max(start, month), min(end, month_end), area_code),
                               "figure": "subsidies"}))
        month = month_end + timedelta(days=1)
    return rows


def loans(user: Any, *, start: date, end: date, area_code: str) -> LoanSection:
    """Loans lent in the period (people, number, principal) and interest subsidies paid in it: two queries."""
    lent = loan_records(user, start=start, end=end, area_code=area_code).order_by().aggregate(
        people=Count("borrower", distinct=True), loans=Count("pk"), principal=Sum("principal"))
    paid = loan_subsidy_records(user, start=start, end=end, area_code=area_code).order_by().aggregate(
        amount=Sum("amount"), times=Count("pk"))
    return LoanSection(lent["people"] or 0, lent["loans"] or 0, money(lent["principal"]),
                       money(paid["amount"]), paid["times"] or 0)


def employment(user: Any, *, start: date, end: date, area_code: str) -> EmploymentSection:
    """Approvals under the employment policies (认定就业困难, 灵活就业社保补贴, 公益性岗位 …) by policy: three queries."""
    from onedoor.policies.models import Policy

    ids = employment_policy_ids()
    counts = dict(employment_tasks(user, start=start, end=end, area_code=area_code, policy_ids=ids).order_by()
                  .values_list("policy_id").annotate(n=Count("pk")))
    base = {**_period_params(start, end, area_code), "figure": "employment"}
    rows = [Row(str(p.pk), p.name, count=counts.get(p.pk, 0), drill={**base, "policy": str(p.pk)})
            for p in Policy.objects.filter(pk__in=ids).order_by("order", "code")]
    return EmploymentSection(sum(r.count for r in rows), rows)


def campaign_issues(user: Any, *, start: date, end: date, area_code: str) -> CampaignSection:
    """Items issued in campaigns by kind, and coverage of each campaign of the period: five queries."""
    from onedoor.registry.models import Category
    from onedoor.relief.models import Item
    from onedoor.relief.selectors import Coverage, CoverageRow

    base = _period_params(start, end, area_code)
    per_item = dict(campaign_lines(user, start=start, end=end, area_code=area_code).order_by()
                    .values_list("item_id").annotate(q=Sum("quantity")))
    items = Item.objects.filter(pk__in=per_item).order_by("name")
    issued = [Row(str(i.pk), f"{i.name}（{i.unit}）", count=per_item[i.pk] or 0,
                  drill={**base, "figure": "campaign_issues", "item": str(i.pk)}) for i in items]
    campaigns = list(campaigns_in_period(user, start=start, end=end, area_code=area_code))
    ids = [c.pk for c in campaigns]
    entries = roster_entries(user, area_code=area_code, campaign_ids=ids).order_by()
    totals: dict[int, dict[str, int]] = {}
    per_category: dict[int, dict[int, dict[str, int]]] = {}
    for campaign_id, category_id, status, n in (entries.values_list("campaign_id", "category_id", "status")
                                                .annotate(n=Count("pk"))):
        counts = totals.setdefault(campaign_id, {})
        counts[status] = counts.get(status, 0) + n
        per_category.setdefault(campaign_id, {}).setdefault(category_id, {})[status] = n
    category_ids = {cid for per in per_category.values() for cid in per}
    categories = list(Category.objects.filter(pk__in=category_ids).order_by("order", "pk")) if category_ids else []
    rows = []
    for campaign in campaigns:
        by_category = [CoverageRow(c.code, c.name, per_category[campaign.pk][c.pk]) for c in categories
                       if c.pk in per_category.get(campaign.pk, {})]
        cov = Coverage(campaign, CoverageRow("", "合计", totals.get(campaign.pk, {})), [], by_category)
        drill = {**base, "figure": "coverage", "campaign": str(campaign.pk)}
        rows.append(CampaignCoverageRow(
            campaign.pk, campaign.name, campaign.starts_on, campaign.ends_on, cov.total.targets, cov.total.delivered,
            cov.total.remaining, cov.total.closed_otherwise, _percent(cov.total.delivered, cov.total.targets),
            cov.all_covered, cov.statement,
            [Row(str(next(c.pk for c in categories if c.code == r.code)), r.name, count=r.targets, people=r.delivered,
                 drill=drill) for r in by_category]))
    return CampaignSection(issued, sum(r.count for r in issued), rows)


def reserves(user: Any, *, area_code: str, on: date | None = None) -> ReserveSection:
    """Stock on hand now (warehouse and town stores) and supplier reserves under agreements in force: three
    queries. Balances are the current stock, not the stock at the end of a past period."""
    from onedoor.relief.models import Item

    on = on or timezone.localdate()
    hand = dict(reserve_balances(user, area_code=area_code).order_by().values_list("item_id")
                .annotate(q=Sum("quantity")))
    held = dict(reserve_lines(user, area_code=area_code, on=on).order_by().values_list("item_id")
                .annotate(q=Sum("reserved_quantity")))
    items = {i.pk: i for i in Item.objects.filter(pk__in=set(hand) | set(held))}
    order = sorted(items.values(), key=lambda i: i.name)
    base = {"area": area_code, "figure": "reserves"}

    def rows(source: dict[int, int], side: str) -> list[Row]:
        return [Row(str(i.pk), f"{i.name}（{i.unit}）", count=source[i.pk] or 0,
                    drill={**base, "side": side, "item": str(i.pk)}) for i in order if i.pk in source]

    total = [Row(str(i.pk), f"{i.name}（{i.unit}）", count=(hand.get(i.pk) or 0) + (held.get(i.pk) or 0))
             for i in order]
    return ReserveSection(rows(hand, "on_hand"), rows(held, "suppliers"), total, on)


def one_window(user: Any, *, start: date, end: date, area_code: str) -> OneWindowSection:
    """Applications by channel, tasks by department, decisions on time, average working days to a decision, and
    the catalogue's size: six queries (plus the working-day calendar)."""
    from onedoor.accounts.models import Organisation
    from onedoor.core.workdays import WorkCalendar, working_days_between
    from onedoor.intake.choices import Channel
    from onedoor.policies.models import Policy

    base = _period_params(start, end, area_code)
    per_channel = dict(applications(user, start=start, end=end, area_code=area_code).order_by()
                       .values_list("channel").annotate(n=Count("pk")))
    by_channel = [Row(value, str(label), count=per_channel.get(value, 0),
                      drill={**base, "figure": "applications", "channel": value})
                  for value, label in Channel.choices]
    per_department = dict(received_tasks(user, start=start, end=end, area_code=area_code).order_by()
                          .values_list("department_id").annotate(n=Count("pk")))
    departments = Organisation.objects.in_bulk(list(per_department))
    by_department = sorted(
        (Row(str(pk), departments[pk].short_name or departments[pk].name, count=n,
             drill={**base, "figure": "tasks", "department": str(pk)}) for pk, n in per_department.items()),
        key=lambda r: (-r.count, r.label))
    pairs = list(decided_tasks(user, start=start, end=end, area_code=area_code).order_by()
                 .values_list("received_on", "decided_on", "due_date").annotate(n=Count("pk")))
    decided = sum(n for *_, n in pairs)
    on_time = sum(n for _, decided_on, due, n in pairs if decided_on <= due)
    average = None
    if pairs:
        calendar = WorkCalendar.load(min(p[0] for p in pairs), max(p[1] for p in pairs))
        days = sum(working_days_between(received, decided_on, calendar) * n for received, decided_on, _, n in pairs)
        average = (Decimal(days) / decided).quantize(Decimal("0.1"), ROUND_HALF_UP)
    catalogue = Policy.objects.filter(is_active=True).aggregate(
        policies=Count("pk"), departments=Count("department", distinct=True))
    return OneWindowSection(sum(per_channel.values()), by_channel, sum(per_department.values()), by_department,
                            decided, on_time, _percent(on_time, decided), average, catalogue["departments"],
                            catalogue["policies"])


def area_name(code: str) -> str:
    from onedoor.geo.models import Area

    return Area.objects.filter(code=code).values_list("name", flat=True).first() or code


@without_jit
def annual_report(user: Any, *, start: date, end: date, area_code: str) -> AnnualReport:
    """The whole report: about thirty aggregate queries whatever the number of records."""
    return AnnualReport(
        start=start, end=end, area_code=area_code, area_name=area_name(area_code),
        subsidies=subsidies(user, start=start, end=end, area_code=area_code),
        loans=loans(user, start=start, end=end, area_code=area_code),
        employment=employment(user, start=start, end=end, area_code=area_code),
        charity=NoDataSection(), social_work=NoDataSection(),
        campaigns=campaign_issues(user, start=start, end=end, area_code=area_code),
        reserves=reserves(user, area_code=area_code),
        one_window=one_window(user, start=start, end=end, area_code=area_code),
    )


# --- monthly statistics ---------------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@without_jit
def monthly_statistics(user: Any, *, month: date, area_code: str) -> MonthlyStatistics:
    """Cash paid in a month by town × category (the table sent upward monthly): people covered (distinct people
    with a net positive payment count), person-times and amount. Four queries."""
    from onedoor.geo.choices import TOWN_LEVELS
    from onedoor.geo.models import Area
    from onedoor.registry.models import Category

    start, end = month_bounds(month)
    records = (subsidy_records(user, start=start, end=end, area_code=area_code).order_by()
               .annotate(town=Substr("area_id", 1, 9), report_category=category_on_delivery()))
    per_person = (records.values("town", "report_category", "person_id")
                  .annotate(amount=Sum("amount"), times=TIMES))
    cells: dict[tuple[str, str], MonthlyCell] = {}
    for r in per_person:
        key = (r["town"].ljust(12, "0"), str(category_of_key(r["report_category"]) or NO_CATEGORY))
        cell = cells.setdefault(key, MonthlyCell())
        cell.amount += money(r["amount"])
        cell.times += r["times"] or 0
        cell.people += 1 if (r["times"] or 0) > 0 else 0
    prefix = subtree_prefix(area_code)
    town_names = dict(Area.objects.filter(level__in=TOWN_LEVELS).filter(in_subtree("code", area_code))
                      .values_list("code", "name"))
    if len(prefix) >= 9:  # a town or a village: its own town
        town_names.setdefault(prefix[:9].ljust(12, "0"), area_name(prefix[:9].ljust(12, "0")))
    for town, _category in cells:
        town_names.setdefault(town, town)
    categories = list(Category.objects.filter(pk__in=[int(c) for _, c in cells if c != NO_CATEGORY])
                      .order_by("order", "pk"))
    category_list = [(str(c.pk), c.name) for c in categories]
    if any(c == NO_CATEGORY for _, c in cells):
        category_list.append((NO_CATEGORY, NO_CATEGORY_LABEL))
    towns = sorted(town_names.items())

    def add(into: MonthlyCell, cell: MonthlyCell) -> None:
        into.people += cell.people
        into.times += cell.times
        into.amount += cell.amount

    town_totals = {code: MonthlyCell() for code, _ in towns}
    category_totals = {code: MonthlyCell() for code, _ in category_list}
    total = MonthlyCell()
    for (town, category), cell in cells.items():
        add(town_totals[town], cell)
        add(category_totals[category], cell)
        add(total, cell)
    return MonthlyStatistics(start, area_code, area_name(area_code), towns, category_list, cells, town_totals,
                             category_totals, total)
