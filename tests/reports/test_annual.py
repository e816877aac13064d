"""The annual report against independent counts over the records of a small year (tests/reports/conftest.py):
each figure recomputed here in Python from the rows themselves, the drill-down totals equal to the figures,
and scoping (a town sees its own figures, the district is the sum of its towns)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from onedoor.reports import annual
from onedoor.reports.drill import drill

YEAR = 2026


def _report(user, area):
    start, end = annual.year_period(YEAR)
    return annual.annual_report(user, start=start, end=end, area_code=area)


def _ledger_rows(area_prefix: str = "350212"):
    from onedoor.ledger.models import AssistanceRecord

    return [r for r in AssistanceRecord.objects.all() if r.kind == "cash" and r.delivered_on.year == YEAR
            and r.area_id.startswith(area_prefix)]


def _category_of(record):
    """The category the person or the household on the row held that day, first by (order, id) — by hand."""
    from onedoor.registry.models import CategoryAssignment

    held = [a.category for a in CategoryAssignment.objects.select_related("category")
            if (a.person_id and a.person_id == record.person_id
                or a.household_id and a.household_id == record.household_id)
            and a.valid_from <= record.delivered_on and (a.valid_to is None or a.valid_to > record.delivered_on)]
    return min(held, key=lambda c: (c.order, c.pk)) if held else None


def test_each_figure_matches_an_independent_count(report_world, world):
    from onedoor.aid.models import Loan, LoanSubsidy
    from onedoor.intake.models import Application, Task, TaskEvent
    from onedoor.relief.models import AgreementLine, DeliveryLine, RosterEntry, StockBalance

    report = _report(world.user("leader"), world.district.code)

    # subsidies: cash rows of the year, reversals netted
    rows = _ledger_rows()
    assert report.subsidies.amount == sum(r.amount for r in rows) == Decimal("4500.00")
    assert report.subsidies.times == sum(-1 if r.reverses_id else 1 for r in rows) == 6
    per_policy = defaultdict(lambda: [Decimal(0), 0])
    per_category = defaultdict(lambda: [Decimal(0), 0])
    for r in rows:
        for bucket, key in ((per_policy, str(r.policy_id)), (per_category, str(getattr(_category_of(r), "pk", "none")))):
            bucket[key][0] += r.amount
            bucket[key][1] += -1 if r.reverses_id else 1
    assert {r.key: [r.amount, r.count] for r in report.subsidies.by_policy} == per_policy
    assert {r.key: [r.amount, r.count] for r in report.subsidies.by_category} == per_category
    assert {r.label: r.amount for r in report.subsidies.by_category} == {"低保": Decimal("3200.00"),
                                                                         "未列入对象类别": Decimal("1300.00")}

    # loans lent in the year; subsidies paid in it
    loans = [loan for loan in Loan.objects.all() if loan.start_date and loan.start_date.year == YEAR]
    assert (report.loans.people, report.loans.loans) == (len({loan.borrower_id for loan in loans}), 2)
    assert report.loans.principal == sum(loan.principal for loan in loans) == Decimal("180000.00")
    paid = [s for s in LoanSubsidy.objects.all() if s.status == "paid" and s.paid_on.year == YEAR]
    assert (report.loans.subsidy_amount, report.loans.subsidy_times) == (sum(s.amount for s in paid), len(paid))
    assert report.loans.subsidy_amount == Decimal("416.88")

    # employment: approved (also closed after approval) under the 人社局's employment policies
    approved = {e.task_id for e in TaskEvent.objects.filter(to_state="approved")}
    employment_tasks = [t for t in Task.objects.select_related("policy__department")
                        if t.pk in approved and t.policy.department.short_name == "人社局"
                        and "employment" in t.policy.life_situations and t.decided_at
                        and timezone.localtime(t.decided_at).year == YEAR and t.state in ("approved", "closed")]
    assert report.employment.decided == len(employment_tasks) == 2
    assert {r.key: r.count for r in report.employment.by_policy if r.count} == {
        str(report_world.employment.pk): 2}

    # campaign issues and coverage
    lines = list(DeliveryLine.objects.select_related("move"))
    assert report.campaigns.issued_total == sum(line.quantity for line in lines if line.move.purpose == "campaign") == 4
    [coverage] = report.campaigns.campaigns
    entries = list(RosterEntry.objects.filter(campaign=report_world.campaign))
    assert (coverage.targets, coverage.delivered) == (len(entries), sum(e.status == "delivered" for e in entries))
    assert (coverage.targets, coverage.delivered, coverage.remaining) == (3, 2, 1)
    assert "已送达 2 人" in coverage.statement

    # reserves: stock on hand outside suppliers, and agreement quantities
    on_hand = sum(b.quantity for b in StockBalance.objects.select_related("store") if b.store.kind != "supplier")
    assert [(r.label, r.count) for r in report.reserves.on_hand] == [("报表棉被（床）", on_hand)]
    assert on_hand == 100 + 10 + 10 - 4
    assert [r.count for r in report.reserves.suppliers] == [sum(x.reserved_quantity for x in AgreementLine.objects.all())]

    # one window
    apps = [a for a in Application.objects.all() if timezone.localtime(a.submitted_at).year == YEAR]
    assert report.one_window.received == len(apps) == 9
    assert {r.key: r.count for r in report.one_window.by_channel if r.count} == {"window": 8, "online": 1}
    tasks = list(Task.objects.all())
    decided = [t for t in tasks if t.decided_at]
    on_time = [t for t in decided if timezone.localtime(t.decided_at).date() <= t.due_date]
    assert (report.one_window.decided, report.one_window.decided_on_time) == (len(decided), len(on_time))
    from onedoor.core.workdays import working_days_between

    days = [working_days_between(t.received_on, timezone.localtime(t.decided_at).date()) for t in decided]
    assert report.one_window.average_working_days == (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
    by_department = defaultdict(int)
    for t in tasks:
        by_department[str(t.department_id)] += 1
    assert {r.key: r.count for r in report.one_window.by_department} == by_department
    from onedoor.policies.models import Policy

    active = [p for p in Policy.objects.all() if p.is_active]
    assert report.one_window.policies == len(active)
    assert report.one_window.departments == len({p.department_id for p in active})
    # charity and social work: no data, not zero
    assert report.charity.available is False and "暂无数据" in report.charity.message
    assert report.social_work.message == annual.NO_DATA


def _drill_total(user, row, name):
    return drill(user, row.drill).totals[name]


def test_drill_down_totals_equal_the_figures(report_world, world):
    leader = world.user("leader")
    report = _report(leader, world.district.code)
    base = {"year": str(YEAR), "area": world.district.code}
    total = drill(leader, {**base, "figure": "subsidies"})
    assert (total.totals["amount"], total.totals["times"]) == (report.subsidies.amount, report.subsidies.times)
    assert total.records.count() == 8  # seven originals and one reversal
    for row in [*report.subsidies.by_policy, *report.subsidies.by_category]:
        found = drill(leader, row.drill)
        assert (found.totals["amount"], found.totals["times"]) == (row.amount, row.count), row.label
    for row in report.employment.by_policy:
        assert drill(leader, row.drill).totals["count"] == row.count
    for row in report.campaigns.issued:
        assert drill(leader, row.drill).totals["quantity"] == row.count
    for campaign in report.campaigns.campaigns:
        found = drill(leader, {**base, "figure": "coverage", "campaign": campaign.campaign_id})
        assert (found.totals["targets"], found.totals["delivered"]) == (campaign.targets, campaign.delivered)
    for row in [*report.reserves.on_hand, *report.reserves.suppliers]:
        assert drill(leader, row.drill).totals["quantity"] == row.count
    for row in [*report.one_window.by_channel, *report.one_window.by_department]:
        assert drill(leader, row.drill).totals["count"] == row.count
    loans = drill(leader, {**base, "figure": "loans"}).totals
    assert (loans["people"], loans["principal"]) == (report.loans.people, report.loans.principal)
    assert drill(leader, {**base, "figure": "loan_subsidies"}).totals["amount"] == report.loans.subsidy_amount
    assert drill(leader, {**base, "figure": "decided"}).totals["count"] == report.one_window.decided
    assert drill(leader, {**base, "figure": "decided", "on_time": "1"}).totals["count"] == \
        report.one_window.decided_on_time
    assert drill(leader, {**base, "figure": "applications"}).totals["count"] == report.one_window.received


def test_a_town_sees_its_own_figures_and_the_district_is_the_sum_of_its_towns(report_world, world):
    leader = world.user("leader")
    district = _report(leader, world.district.code)
    wuxian = _report(leader, world.wuxian.code)
    lianhua = _report(leader, world.lianhua.code)
    assert wuxian.subsidies.amount == sum(r.amount for r in _ledger_rows("350212110")) == Decimal("2900.00")
    assert lianhua.subsidies.amount == Decimal("1600.00")

    def figures(report):
        return (report.subsidies.amount, report.subsidies.times, report.loans.people, report.loans.principal,
                report.loans.subsidy_amount, report.employment.decided, report.campaigns.issued_total,
                report.one_window.received, report.one_window.tasks, report.one_window.decided)

    assert figures(district) == tuple(a + b for a, b in zip(figures(wuxian), figures(lianhua), strict=True))
    # the town's own clerk gets the town's ledger and loan figures, and nothing of the other town
    clerk = _report(world.user("clerk.wuxian"), world.wuxian.code)
    assert (clerk.subsidies.amount, clerk.subsidies.times) == (wuxian.subsidies.amount, wuxian.subsidies.times)
    assert (clerk.loans.people, clerk.loans.principal) == (wuxian.loans.people, wuxian.loans.principal)
    other = _report(world.user("clerk.lianhua"), world.lianhua.code)
    assert other.subsidies.amount == lianhua.subsidies.amount
    # a reader without ledger rights (the storekeeper) gets zeros, never someone else's money
    keeper = _report(world.user("storekeeper"), world.district.code)
    assert (keeper.subsidies.amount, keeper.loans.people) == (Decimal("0.00"), 0)
    assert keeper.campaigns.issued_total == 4


def test_the_period_can_be_any_range(report_world, world):
    leader = world.user("leader")
    april = annual.annual_report(leader, start=date(YEAR, 4, 1), end=date(YEAR, 4, 30), area_code=world.district.code)
    assert (april.subsidies.amount, april.subsidies.times) == (Decimal("1600.00"), 2)
    months = annual.subsidies_by_month(leader, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31),
                                       area_code=world.district.code)
    assert [r.key for r in months][:2] == ["2026-01", "2026-02"] and len(months) == 12
    assert sum(r.amount for r in months) == Decimal("4500.00")
    assert {r.key: r.amount for r in months if r.amount} == {"2026-04": Decimal("1600.00"),
                                                             "2026-05": Decimal("2400.00"),
                                                             "2026-06": Decimal("500.00")}


def test_monthly_statistics_by_town_and_category(report_world, world):
    leader = world.user("leader")
    stats = annual.monthly_statistics(leader, month=date(YEAR, 5, 1), area_code=world.district.code)
    names = dict(stats.categories)
    dibao = next(code for code, name in stats.categories if name == "低保")
    assert names["none"] == "未列入对象类别"
    wx, lh = world.wuxian.code, world.lianhua.code
    assert (stats.cell(wx, dibao).people, stats.cell(wx, dibao).amount) == (1, Decimal("800.00"))
    assert (stats.cell(wx, "none").people, stats.cell(wx, "none").amount) == (1, Decimal("800.00"))
    assert (stats.cell(lh, dibao).people, stats.cell(lh, dibao).amount) == (1, Decimal("800.00"))
    assert stats.total.amount == sum(r.amount for r in _ledger_rows() if r.delivered_on.month == 5)
    assert stats.total.people == 3 and stats.town_totals[wx].amount == Decimal("1600.00")
    # every town of the district is listed, with zeros where nothing was paid
    assert len(stats.towns) >= 10 and stats.town_totals[world.district.code[:6] + "001000"].people == 0
    # June: the 莲花镇 payment and its return net out, the person is not counted as covered
    june = annual.monthly_statistics(leader, month=date(YEAR, 6, 1), area_code=world.lianhua.code)
    assert [code for code, _ in june.towns] == [lh]
    assert (june.total.people, june.total.times, june.total.amount) == (0, 0, Decimal("0.00"))


def test_no_records_gives_zeros_and_empty_lists(world, db):
    report = _report(world.user("leader"), world.district.code)
    assert (report.subsidies.amount, report.subsidies.times, report.subsidies.by_policy) == (Decimal("0.00"), 0, [])
    assert report.one_window.on_time_rate is None and report.one_window.average_working_days is None
    assert report.campaigns.campaigns == [] and report.charity.available is False


def test_the_report_runs_a_fixed_number_of_queries(report_world, world, django_assert_max_num_queries):
    leader = world.user("leader")
    with django_assert_max_num_queries(35):
        _report(leader, world.district.code)


@pytest.mark.parametrize("figure", ["nope", ""])
def test_an_unknown_figure_is_404(figure, world, db):
    from django.http import Http404

    with pytest.raises(Http404):
        drill(world.user("leader"), {"figure": figure})
