"""Relief-stock fixtures: a small catalogue and four stores — the bureau warehouse (district), the
五显镇 and 莲花镇 stores, and one supplier reserve with a valid agreement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone


@dataclass
class Stock:
    quilt: object
    noodles: object
    warehouse: object
    wuxian: object
    lianhua: object
    supplier: object
    agreement: object
    keeper: object


@pytest.fixture
def stock(world) -> Stock:
    from onedoor.relief.models import Agreement, AgreementLine, Item, Store

    quilt = Item.objects.create(code="t-quilt", name="测试棉被", unit="床")
    noodles = Item.objects.create(code="t-noodles", name="测试面条", unit="袋", perishable=True)
    bureau = world.org("区民政局")
    warehouse = Store.objects.create(name="区救灾物资仓库（测试）", kind="warehouse", organisation=bureau,
                                     area=world.district)
    wuxian = Store.objects.create(name="五显镇物资点（测试）", kind="town", organisation=world.org("五显镇"),
                                  area=world.wuxian)
    lianhua = Store.objects.create(name="莲花镇物资点（测试）", kind="town", organisation=world.org("莲花镇"),
                                   area=world.lianhua)
    supplier = Store.objects.create(name="古龙储备（测试）", kind="supplier", organisation=world.org("古龙"),
                                    area=world.district)
    today = timezone.localdate()
    agreement = Agreement.objects.create(store=supplier, number="T-CB-1", valid_from=today - timedelta(days=30),
                                         valid_to=today + timedelta(days=300), lead_time_days=2,
                                         contact_name="古龙业务员")
    AgreementLine.objects.create(agreement=agreement, item=quilt, reserved_quantity=500)
    AgreementLine.objects.create(agreement=agreement, item=noodles, reserved_quantity=800)
    return Stock(quilt, noodles, warehouse, wuxian, lianhua, supplier, agreement, world.user("storekeeper"))


@pytest.fixture
def town_keeper(world):
    """make a storekeeper whose grant covers one town: town_keeper("lianhua")."""
    from onedoor.accounts.actions import assign_role, create_staff

    def make(town: str = "lianhua"):
        area = getattr(world, town)
        user = create_staff(actor=None, username=f"keeper.{town}", full_name=f"{town}保管",
                            organisation=world.org("莲花镇" if town == "lianhua" else "五显镇"), password="x-pass-1234")
        assign_role(actor=None, user=user, role="storekeeper", area=area, organisation=None)
        return user

    return make
