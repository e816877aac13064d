"""Benefits fixtures: standards in force, a household, and decisions approved through intake so that
enrollments come from the real hand-over (intake.signals.task_approved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def standards(world):
    from onedoor.policies.models import Standard

    def put(kind, amount, *, month=date(2026, 1, 1), hukou_type=""):
        # The shipped catalogue may hold its own placeholder figures: the test states its own.
        standard, _ = Standard.objects.update_or_create(kind=kind, effective_from=month, hukou_type=hukou_type,
                                                        defaults={"amount": Decimal(amount)})
        return standard

    Standard.objects.all().delete()

    put("dibao", "800.00", hukou_type="urban")
    put("dibao", "600.00", hukou_type="rural")
    put("tekun_basic", "1040.00")
    put("tekun_care_self", "100.00")
    put("tekun_care_partial", "400.00")
    put("tekun_care_full", "800.00")
    put("orphan", "1500.00")
    return put


@pytest.fixture
def dibao_policy(make_policy):
    from onedoor.benefits.models import BenefitRule

    policy = make_policy("最低生活保障", subject="household", review_frequency="yearly")
    BenefitRule.objects.create(policy=policy, method="dibao_gap", rounding="yuan")
    return policy


@pytest.fixture
def household_of(world, make_person):
    """household_of(incomes, hukou_type="urban") -> a household whose members earn these monthly incomes."""
    from onedoor.registry.actions import add_member, create_household

    def make(incomes, *, hukou_type="urban", formed_on=date(2026, 1, 1)):
        clerk = world.user("clerk.wuxian")
        people = [make_person(f"成员{i}", monthly_income=Decimal(income), hukou_type=hukou_type,
                              bank_name="同安农商银行", bank_account=f"62210000{i:08d}")
                  for i, income in enumerate(incomes)]
        household = create_household(actor=clerk, head=people[0], hukou_type=hukou_type, formed_on=formed_on)
        for person in people[1:]:
            add_member(actor=clerk, household=household, person=person, relation="child", on=formed_on)
        return household

    return make


@pytest.fixture
def approve_for(world, submit, time_machine):
    """approve_for(policy, applicant, household=None, decided_on=date, amount=None) -> the approved task."""
    from onedoor.intake import actions

    def make(policy, applicant, *, household=None, decided_on=date(2026, 3, 10), amount=None):
        time_machine.move_to(decided_on)
        handler = world.user("handler.mz")
        task = submit([policy], applicant=applicant, household=household).tasks.get()
        actions.accept_task(task, actor=handler)
        actions.start_investigation(task, actor=handler)
        actions.propose_decision(task, actor=handler, note="符合条件", amount=amount)
        return actions.approve(task, actor=handler, reason="符合条件")

    return make


@pytest.fixture
def finance_pair(world):
    """Two finance officers: one prepares a payroll run, the other approves it (four eyes)."""
    from onedoor.accounts.actions import assign_role, create_staff

    second = create_staff(actor=None, username="finance.two", full_name="周复核", organisation=world.org("区民政局"),
                          password="onedoor-demo-2")
    assign_role(actor=None, user=second, role="finance", area=world.district, note="测试")
    return world.user("finance"), second


@pytest.fixture
def enrolled(world, standards, dibao_policy, household_of, approve_for):
    """enrolled(n) -> n 低保 households enrolled from April 2026 (decided in March), 800 each."""
    from onedoor.benefits.models import Enrollment

    def make(count):
        result = []
        for _ in range(count):
            household = household_of(["0"])
            task = approve_for(dibao_policy, household.head, household=household)
            result.append(Enrollment.objects.get(decision=task))
        return result

    return make
