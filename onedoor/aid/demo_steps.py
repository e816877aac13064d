"""Demo district, aid part: a reserve fund (备用金) for the district and for every town window,
topped up by the demo finance officer, so 急难型 临时救助 in the intake demo can be paid at once."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation, User
from onedoor.demo.steps import demo_step

from . import actions
from .models import ReserveFund

DISTRICT = "350212000000"
TOWN_FUND = Decimal("50000.00")
DISTRICT_FUND = Decimal("300000.00")
TOWN_LIMIT = Decimal("3000.00")  # larger one-off payments are decided and paid by the district


@demo_step(55, "临时救助备用金")
@transaction.atomic
def load_demo_funds(options: dict) -> str:
    if ReserveFund.objects.exists():
        return f"已有 {ReserveFund.objects.count()} 个备用金账户，未改动"
    finance = User.objects.filter(username="finance").first()
    if finance is None:
        return "没有演示财务账号，跳过"
    bureau = Organisation.objects.get(kind=OrganisationKind.BUREAU, area_id=DISTRICT)
    district = actions.open_fund(actor=finance, name="区级临时救助资金", organisation=bureau, area=bureau.area)
    actions.top_up_fund(district, actor=finance, amount=DISTRICT_FUND, reason="年度预算拨入（演示）")
    towns = Organisation.objects.filter(kind=OrganisationKind.TOWN_OFFICE).select_related("area").order_by("area_id")
    for office in towns:
        fund = actions.open_fund(actor=finance, name=f"{office}临时救助备用金", organisation=office, area=office.area,
                                 town_limit=TOWN_LIMIT)
        actions.top_up_fund(fund, actor=finance, amount=TOWN_FUND, reason="年度备用金拨付（演示）")
    return f"区级 1 个（{DISTRICT_FUND} 元），镇（街、场）{towns.count()} 个（各 {TOWN_FUND} 元，单笔限额 {TOWN_LIMIT} 元）"
