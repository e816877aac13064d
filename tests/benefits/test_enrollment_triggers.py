"""What recomputes an enrollment by itself: a new standard (from its month, with arrears through the
payroll), a household change (from the month after it), a death in the household (from the month
after it, with a review due within 3 months)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onedoor.benefits import payroll
from onedoor.benefits.models import BenefitRule, Enrollment, Review
from onedoor.core.models import Job
from onedoor.policies.actions import set_standard
from onedoor.registry.actions import add_member, change_head, record_death, remove_member


@pytest.fixture
def enroll(world, standards, dibao_policy, household_of, approve_for):
    """enroll(incomes, hukou_type="urban") -> the 低保 enrollment of a new household, from April 2026."""

    def make(incomes, *, hukou_type="urban"):
        household = household_of(incomes, hukou_type=hukou_type)
        return Enrollment.objects.get(decision=approve_for(dibao_policy, household.head, household=household))

    return make


@pytest.fixture
def new_standard(world, django_capture_on_commit_callbacks):
    """new_standard(kind, amount, month, hukou_type="") -> the standard, set by the admin through
    policies.set_standard, with the recompute job it starts run to its end (tests run tasks at once)."""

    def put(kind, amount, month, hukou_type=""):
        with django_capture_on_commit_callbacks(execute=True):
            return set_standard(actor=world.user("admin"), kind=kind, amount=Decimal(amount), effective_from=month,
                                hukou_type=hukou_type, basis="区政府文件")

    return put


def amounts(enrollment) -> list[tuple[date, Decimal]]:
    return list(enrollment.amounts.order_by("from_month").values_list("from_month", "amount"))


def test_a_new_standard_recomputes_from_its_month_and_the_next_run_pays_the_arrears(world, enroll, finance_pair,
                                                                                       time_machine, new_standard):
    # given an urban household paid 800 for April and May, and a rural one
    preparer, _ = finance_pair
    urban = enroll(["0"])
    rural = enroll(["0"], hukou_type="rural")
    for month in (date(2026, 4, 1), date(2026, 5, 1)):
        payroll.compute_run(payroll.create_run(actor=preparer, month=month), actor=preparer)
    time_machine.move_to(date(2026, 6, 3))

    # when the bureau raises the urban standard to 850 from April
    new_standard("dibao", "850.00", date(2026, 4, 1), hukou_type="urban")

    # then the urban amount is 850 from April, with the new standard in its basis; the rural one is untouched
    assert amounts(urban) == [(date(2026, 4, 1), Decimal("850.00"))]
    assert urban.amounts.get().basis["standard"] == "850.00"
    event = urban.events.get(code="amount_changed")
    assert "最低生活保障标准自2026年4月起调整为850.00" in event.note
    assert (event.data["old"], event.data["new"]) == ("800.00", "850.00")
    assert amounts(rural) == [(date(2026, 4, 1), Decimal("600.00"))]
    assert not rural.events.filter(code="amount_changed").exists()
    # the recompute ran as the admin's background job, which says what it did
    job = Job.objects.get(kind="benefits.recompute_for_standard")
    assert (job.status, job.created_by, job.total, job.done) == ("succeeded", world.user("admin"), 1, 1)
    assert job.counts == {"已调整": 1}
    # and June's run pays the difference for April and May once, beside June itself
    june = payroll.create_run(actor=preparer, month=date(2026, 6, 1))
    payroll.compute_run(june, actor=preparer)
    payroll.compute_run(june, actor=preparer)
    lines = sorted(june.payments.filter(enrollment=urban).values_list("month", "line", "amount"))
    assert lines == [(date(2026, 4, 1), "arrears", Decimal("50.00")), (date(2026, 5, 1), "arrears", Decimal("50.00")),
                     (date(2026, 6, 1), "regular", Decimal("850.00"))]
    assert list(june.payments.filter(enrollment=rural).values_list("line", "amount")) == [
        ("regular", Decimal("600.00"))]


def test_a_lower_standard_set_late_recovers_what_was_overpaid(world, enroll, finance_pair, time_machine,
                                                              new_standard):
    preparer, _ = finance_pair
    enrollment = enroll(["0"])
    payroll.compute_run(payroll.create_run(actor=preparer, month=date(2026, 4, 1)), actor=preparer)
    time_machine.move_to(date(2026, 5, 3))

    new_standard("dibao", "780.00", date(2026, 4, 1), hukou_type="urban")
    may = payroll.create_run(actor=preparer, month=date(2026, 5, 1))
    payroll.compute_run(may, actor=preparer)

    assert sorted(may.payments.filter(enrollment=enrollment).values_list("month", "line", "amount")) == [
        (date(2026, 4, 1), "recovery", Decimal("-20.00")), (date(2026, 5, 1), "regular", Decimal("780.00"))]


def test_a_standard_from_a_later_month_adds_an_amount_from_that_month(world, enroll, time_machine, new_standard):
    enrollment = enroll(["0"])
    time_machine.move_to(date(2026, 6, 3))

    new_standard("dibao", "900.00", date(2026, 9, 1), hukou_type="urban")

    assert amounts(enrollment) == [(date(2026, 4, 1), Decimal("800.00")), (date(2026, 9, 1), Decimal("900.00"))]


def test_a_standard_set_late_reaches_amounts_computed_after_its_month(world, enroll, make_person, time_machine,
                                                                     new_standard):
    # given 2000 from April and, after a fourth member joined in May, 2800 from June (at the old standard)
    enrollment = enroll(["300", "100", "0"])
    time_machine.move_to(date(2026, 5, 20))
    add_member(actor=world.user("clerk.wuxian"), household=enrollment.household,
               person=make_person("新成员", monthly_income=Decimal("0")), relation="child", on=date(2026, 5, 20))
    time_machine.move_to(date(2026, 7, 2))

    # when a standard of 850 from May is set in July
    new_standard("dibao", "850.00", date(2026, 5, 1), hukou_type="urban")

    # then May is (850 − 133.33) × 3 = 2150 and June's row follows too: (850 − 100) × 4 = 3000
    assert amounts(enrollment) == [(date(2026, 4, 1), Decimal("2000.00")), (date(2026, 5, 1), Decimal("2150.00")),
                                   (date(2026, 6, 1), Decimal("3000.00"))]


def test_an_orphan_allowance_follows_its_own_standard_only(world, standards, make_policy, make_person, approve_for,
                                                           enroll, time_machine, new_standard):
    orphan_policy = make_policy("孤儿基本生活保障", review_frequency="yearly")
    BenefitRule.objects.create(policy=orphan_policy, method="standard", standard_kind="orphan", rounding="fen")
    child = Enrollment.objects.get(decision=approve_for(orphan_policy, make_person("陈小", birth=date(2015, 2, 3))))
    dibao = enroll(["0"])
    time_machine.move_to(date(2026, 6, 3))

    new_standard("orphan", "1600.00", date(2026, 7, 1))

    assert amounts(child) == [(date(2026, 4, 1), Decimal("1500.00")), (date(2026, 7, 1), Decimal("1600.00"))]
    assert amounts(dibao) == [(date(2026, 4, 1), Decimal("800.00"))]


def test_an_enrollment_that_cannot_be_computed_is_listed_and_the_others_go_on(world, standards, make_policy,
                                                                             make_person, approve_for, time_machine,
                                                                             new_standard):
    from onedoor.registry.actions import assess_self_care

    tekun = make_policy("特困人员救助供养", review_frequency="yearly")
    BenefitRule.objects.create(policy=tekun, method="tekun", rounding="fen")
    assessed, unassessed = make_person("郑老"), make_person("何老")
    for person in (assessed, unassessed):
        assess_self_care(actor=world.user("clerk.wuxian"), person=person, unable=[])
    enrollments = [Enrollment.objects.get(decision=approve_for(tekun, person)) for person in (assessed, unassessed)]
    type(unassessed).objects.filter(pk=unassessed.pk).update(self_care="")  # the assessment lost since
    time_machine.move_to(date(2026, 6, 3))

    new_standard("tekun_basic", "1100.00", date(2026, 7, 1))

    job = Job.objects.get(kind="benefits.recompute_for_standard")
    assert job.status == "succeeded" and job.counts == {"已调整": 1, "失败": 1}
    assert job.errors == [{"message": "何老尚未评估生活自理能力，无法确定照料护理标准。", "enrollment": enrollments[1].pk}]
    assert amounts(enrollments[0])[-1] == (date(2026, 7, 1), Decimal("1200.00"))
    assert len(amounts(enrollments[1])) == 1


def test_a_member_joining_recomputes_the_household_from_the_next_month(world, enroll, make_person, time_machine):
    # given 3 people earning 300, 100 and 0: (800 − 133.33) × 3 = 2000 from April
    enrollment = enroll(["300", "100", "0"])
    clerk = world.user("clerk.wuxian")
    time_machine.move_to(date(2026, 5, 20))

    # when a fourth member without income joins on 20 May
    add_member(actor=clerk, household=enrollment.household, person=make_person("新成员", monthly_income=Decimal("0")),
               relation="child", on=date(2026, 5, 20))

    # then from June: (800 − 100) × 4 = 2800; May keeps 2000
    assert amounts(enrollment) == [(date(2026, 4, 1), Decimal("2000.00")), (date(2026, 6, 1), Decimal("2800.00"))]
    row = enrollment.amounts.get(from_month=date(2026, 6, 1))
    assert row.basis["household_size"] == 4
    assert row.reason == "家庭成员增加（2026-05-20）"
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("2800.00")


def test_a_member_leaving_recomputes_and_a_late_record_reaches_months_already_paid(world, enroll, finance_pair,
                                                                                 time_machine):
    preparer, _ = finance_pair
    enrollment = enroll(["300", "100", "0"])
    for month in (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)):
        payroll.compute_run(payroll.create_run(actor=preparer, month=month), actor=preparer)
    time_machine.move_to(date(2026, 6, 20))
    leaving = enrollment.household.memberships.get(person__name="成员2").person

    # the member without income left on 10 April; the town records it only in June
    remove_member(actor=world.user("clerk.wuxian"), household=enrollment.household, person=leaving,
                  on=date(2026, 4, 10), reason="外出务工，户口迁出")

    # from May: (800 − 200) × 2 = 1200; May and June were paid 2000, so July recovers 800 each
    assert amounts(enrollment) == [(date(2026, 4, 1), Decimal("2000.00")), (date(2026, 5, 1), Decimal("1200.00"))]
    july = payroll.create_run(actor=preparer, month=date(2026, 7, 1))
    payroll.compute_run(july, actor=preparer)
    assert sorted(july.payments.values_list("month", "line", "amount")) == [
        (date(2026, 5, 1), "recovery", Decimal("-800.00")), (date(2026, 6, 1), "recovery", Decimal("-800.00")),
        (date(2026, 7, 1), "regular", Decimal("1200.00"))]


def test_a_new_head_becomes_the_payee_and_the_amount_stays(world, enroll, time_machine):
    enrollment = enroll(["300", "100", "0"])
    time_machine.move_to(date(2026, 5, 6))
    new_head = enrollment.household.memberships.get(person__name="成员1").person

    change_head(actor=world.user("clerk.wuxian"), household=enrollment.household, new_head=new_head, reason="户主外出")

    enrollment.refresh_from_db()
    assert enrollment.person == new_head
    assert enrollment.events.get(code="payee_changed").data["after"] == new_head.pk
    assert amounts(enrollment) == [(date(2026, 4, 1), Decimal("2000.00"))]
    assert not enrollment.events.filter(code="amount_changed").exists()


def test_a_members_death_recomputes_the_household_and_schedules_a_review_within_three_months(
        world, enroll, time_machine):
    # given a household of three on 低保
    enrollment = enroll(["300", "100", "0"])
    time_machine.move_to(date(2026, 6, 20))
    member = enrollment.household.memberships.get(person__name="成员2").person

    # when the member without income dies on 10 June
    record_death(actor=world.user("clerk.wuxian"), person=member, death_date=date(2026, 6, 10))

    # then the benefit goes on, smaller from July: (800 − 200) × 2 = 1200
    enrollment.refresh_from_db()
    assert enrollment.status == "active"
    assert amounts(enrollment) == [(date(2026, 4, 1), Decimal("2000.00")), (date(2026, 7, 1), Decimal("1200.00"))]
    # and a review is due by 10 September
    review = Review.objects.get(enrollment=enrollment)
    assert (review.kind, review.due_on, review.reviewed_on) == ("after_death", date(2026, 9, 10), None)
    assert "成员2" in review.note
    assert enrollment.events.filter(code="review_scheduled").count() == 1


def test_scheduling_the_same_review_again_changes_nothing(world, enroll):
    from onedoor.benefits.reviews import schedule_review

    enrollment = enroll(["0"])
    handler = world.user("handler.mz")
    first = schedule_review(enrollment, kind="after_death", due_on=date(2026, 9, 10), actor=handler)
    again = schedule_review(enrollment, kind="after_death", due_on=date(2026, 9, 10), actor=handler)

    assert first.pk == again.pk
    assert Review.objects.filter(enrollment=enrollment).count() == 1
    assert enrollment.events.filter(code="review_scheduled").count() == 1


def test_the_payees_death_ends_the_benefit_and_schedules_no_review(world, enroll, time_machine):
    enrollment = enroll(["300", "0"])
    time_machine.move_to(date(2026, 6, 20))

    record_death(actor=world.user("clerk.wuxian"), person=enrollment.person, death_date=date(2026, 6, 10))

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.last_month) == ("ended", date(2026, 6, 1))
    assert not Review.objects.filter(enrollment=enrollment).exists()


def test_a_members_income_corrected_recomputes_the_household_from_the_next_month(world, enroll, time_machine):
    from onedoor.registry.actions import update_person

    # given 3 people earning 300, 100 and 0: 2000 from April
    enrollment = enroll(["300", "100", "0"])
    time_machine.move_to(date(2026, 5, 12))
    earner = enrollment.household.memberships.get(person__name="成员2").person

    # when the member without income is found to earn 600 a month
    update_person(actor=world.user("clerk.wuxian"), person=earner, changes={"monthly_income": "600"},
                  reason="核对发现有工资收入")

    # then from June: per capita (300 + 100 + 600) / 3 = 333.33; (800 − 333.33) × 3 = 1400.01 → 1400
    assert amounts(enrollment) == [(date(2026, 4, 1), Decimal("2000.00")), (date(2026, 6, 1), Decimal("1400.00"))]
    assert enrollment.amounts.get(from_month=date(2026, 6, 1)).reason == "家庭成员收入变化（2026-05-12）"
