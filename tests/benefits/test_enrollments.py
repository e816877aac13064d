"""Enrollments come from approved decisions (the intake hand-over), start the month after the
decision, and change only through actions that leave an event: recompute, fading out, death."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onedoor.benefits import actions
from onedoor.benefits.models import Enrollment
from onedoor.core.exceptions import Conflict, DomainError
from onedoor.registry.actions import record_death


def test_an_approved_dibao_decision_starts_an_enrollment_the_next_month(world, standards, dibao_policy,
                                                                         household_of, approve_for):
    household = household_of(["300", "100", "0"])

    task = approve_for(dibao_policy, household.head, household=household, decided_on=date(2026, 3, 10))

    enrollment = Enrollment.objects.get(decision=task)
    assert enrollment.start_month == date(2026, 4, 1)
    assert enrollment.monthly_amount == Decimal("2000.00")
    assert enrollment.household == household
    assert enrollment.review_due == date(2027, 4, 1)  # yearly review
    assert enrollment.amounts.get().basis["household_size"] == 3
    assert list(enrollment.events.values_list("code", flat=True)) == ["enrolled"]


def test_one_off_policies_do_not_enroll(world, make_policy, make_person, approve_for):
    policy = make_policy("临时救助", kind="one_off_cash")
    task = approve_for(policy, make_person("郑临时"), amount=Decimal("800"))
    assert not Enrollment.objects.filter(decision=task).exists()


def test_a_second_live_enrollment_for_the_same_policy_is_refused(world, standards, dibao_policy, household_of,
                                                                  approve_for):
    household = household_of(["0"])
    approve_for(dibao_policy, household.head, household=household)
    with pytest.raises(Conflict, match="已在享受"):
        approve_for(dibao_policy, household.head, household=household, decided_on=date(2026, 5, 6))


def test_a_household_policy_needs_the_household(world, standards, dibao_policy, make_person, approve_for):
    with pytest.raises(DomainError, match="按户保障"):
        approve_for(dibao_policy, make_person("孙无户"))


def test_recompute_from_a_month_keeps_the_earlier_amount(world, standards, dibao_policy, household_of,
                                                         approve_for):
    household = household_of(["0"])
    enrollment = Enrollment.objects.get(decision=approve_for(dibao_policy, household.head, household=household))
    standards("dibao", "900.00", month=date(2026, 7, 1), hukou_type="urban")

    actions.recompute_amount(enrollment, actor=world.user("handler.mz"), from_month=date(2026, 7, 1),
                             reason="2026年7月起提高低保标准")

    rows = list(enrollment.amounts.order_by("from_month").values_list("from_month", "amount"))
    assert rows == [(date(2026, 4, 1), Decimal("800.00")), (date(2026, 7, 1), Decimal("900.00"))]
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("900.00")


def test_fading_out_is_at_most_six_months(world, standards, dibao_policy, household_of, approve_for):
    household = household_of(["0"])
    enrollment = Enrollment.objects.get(decision=approve_for(dibao_policy, household.head, household=household))
    handler = world.user("handler.mz")
    with pytest.raises(DomainError, match="1 至 6"):
        actions.start_fading(enrollment, actor=handler, months=7, reason="家庭成员就业")
    actions.start_fading(enrollment, actor=handler, months=6, reason="家庭成员就业", from_month=date(2026, 5, 1))
    enrollment.refresh_from_db()
    assert enrollment.status == "ending"
    assert enrollment.last_month == date(2026, 10, 1)


def test_death_ends_every_benefit_after_the_month_of_death(world, standards, dibao_policy, household_of,
                                                           approve_for, time_machine):
    household = household_of(["0"])
    enrollment = Enrollment.objects.get(decision=approve_for(dibao_policy, household.head, household=household))
    time_machine.move_to(date(2026, 8, 20))

    record_death(actor=world.user("clerk.wuxian"), person=household.head, death_date=date(2026, 6, 15))

    enrollment.refresh_from_db()
    assert enrollment.status == "ended"
    assert enrollment.last_month == date(2026, 6, 1)
    assert enrollment.events.last().code == "deceased"
