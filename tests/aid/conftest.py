"""Aid fixtures: reserve funds of 五显镇 and the district, and one-off/loan decisions approved through intake."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def funds(world):
    """funds(town_balance, district_balance, town_limit) -> (town fund, district fund), opened and topped up."""
    from onedoor.aid.actions import open_fund, top_up_fund

    def make(town=Decimal("1000.00"), district=Decimal("50000.00"), town_limit=Decimal("2000.00")):
        finance = world.user("finance")
        town_fund = open_fund(actor=finance, name="五显镇临时救助备用金", organisation=world.org("五显镇"),
                              area=world.wuxian, town_limit=town_limit)
        district_fund = open_fund(actor=finance, name="区临时救助备用金", organisation=world.org("区民政局"),
                                  area=world.district)
        if town:
            top_up_fund(town_fund, actor=finance, amount=town, reason="年初拨付")
        if district:
            top_up_fund(district_fund, actor=finance, amount=district, reason="年初拨付")
        town_fund.refresh_from_db()
        district_fund.refresh_from_db()
        return town_fund, district_fund

    return make


@pytest.fixture
def one_off_policy(make_policy):
    return make_policy("临时救助（急难型）", kind="one_off_cash", act_first_allowed=True, time_limit_days=10)


@pytest.fixture
def loan_policy(make_policy):
    return make_policy("创业担保贷款贴息", kind="loan", department="人社局")


@pytest.fixture
def decide(world, submit, time_machine):
    """decide(policy, amount, applicant=None, act_first=False, on=date) -> the approved task."""
    from onedoor.intake import actions

    def make(policy, amount, *, applicant=None, act_first=False, on=date(2026, 3, 10), handler="handler.mz"):
        time_machine.move_to(on)
        handler = world.user(handler)
        task = submit([policy], applicant=applicant, act_first=[policy.code] if act_first else []).tasks.get()
        if act_first:
            return actions.approve(task, actor=handler, reason="急难先行", amount=Decimal(amount), act_first=True)
        actions.accept_task(task, actor=handler)
        actions.start_investigation(task, actor=handler)
        actions.propose_decision(task, actor=handler, note="符合条件", amount=Decimal(amount))
        return actions.approve(task, actor=handler, reason="符合条件")

    return make
