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


@dataclass
class CampaignWorld:
    """A district campaign over 特困供养, 孤儿 and 单人低保户 with the stock it issues from.

    五显镇 village: 杨全 (特困), 李孤 (孤儿), 王单 (单人低保户, a one-person household);
    莲花镇 village: 陈特 (特困); 林亡 (特困, died before the roster); 赵外 (低保, not a target)."""

    campaign: object
    stock: Stock
    yang: object
    orphan: object
    single: object
    chen: object
    dead: object
    other: object


@pytest.fixture
def make_campaign(world, stock, make_person):
    from datetime import date

    from onedoor.registry.actions import assign_category, create_household, record_death
    from onedoor.registry.models import Category
    from onedoor.relief import actions
    from onedoor.relief.campaigns import TeamSpec, create_campaign

    def make(**overrides) -> CampaignWorld:
        clerk = world.user("clerk.wuxian")
        since = date(2025, 1, 1)

        def assign(code, person=None, household=None):
            assign_category(actor=clerk, category=Category.objects.get(code=code), valid_from=since,
                            source="manual", reason="测试认定", person=person, household=household)

        yang = make_person("杨全")
        orphan = make_person("李孤", birth=date(2015, 6, 1))
        single = make_person("王单", birth=date(1960, 1, 2))
        chen = make_person("陈特", area=world.lianhua_village, actor=world.user("clerk.lianhua"))
        dead = make_person("林亡", area=world.lianhua_village, actor=world.user("clerk.lianhua"))
        other = make_person("赵外", area=world.lianhua_village, actor=world.user("clerk.lianhua"))
        assign("tekun", person=yang)
        assign("orphan", person=orphan)
        assign("dibao_single", household=create_household(actor=clerk, head=single))
        assign("tekun", person=chen)
        assign("tekun", person=dead)
        assign("dibao", household=create_household(actor=clerk, head=other))
        record_death(actor=clerk, person=dead, death_date=date(2026, 1, 5))
        for store in (stock.wuxian, stock.lianhua, stock.warehouse):
            actions.receive_stock(actor=stock.keeper, store=store, item=stock.quilt, quantity=20)
        options = dict(
            actor=stock.keeper, name="2026 寒冬送温暖（测试）", organisation=world.org("区民政局"), area=world.district,
            starts_on=date(2026, 11, 1), ends_on=date(2027, 2, 28),
            categories=Category.objects.filter(code__in=["tekun", "orphan", "dibao_single"]),
            items={stock.quilt: 1}, store=stock.warehouse,
            teams=[TeamSpec(town=world.wuxian, store=stock.wuxian), TeamSpec(town=world.lianhua, store=stock.lianhua)],
        )
        options.update(overrides)
        campaign = create_campaign(**options)
        return CampaignWorld(campaign, stock, yang, orphan, single, chen, dead, other)

    return make


@pytest.fixture
def signature_png() -> bytes:
    """A real PNG of a scribble, as the phone's signature pad sends it."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 90), (80, 20), (150, 100), (290, 30)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def signature_url(signature_png):
    import base64

    return "data:image/png;base64," + base64.b64encode(signature_png).decode()
