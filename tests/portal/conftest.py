"""Fixtures of the public portal: a small catalogue built in the test (so each test states what it
relies on), and a clean rate-limit budget for every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(world):
    """低保 (bureau, needs documents, 7-day notice), 公租房 (住建局), 医疗救助 (医保局) — test policies beside
    whatever catalogue the fixture district ships, told apart by their codes (t-…)."""
    from onedoor.policies.models import Policy
    from onedoor.registry.models import Category

    dibao = Policy.objects.create(
        code="t-dibao", name="最低生活保障（测试）", department=world.org("区民政局"), kind="monthly_cash",
        subject="household", income_rule="below", income_ratio="1.00", requires_local_hukou=True,
        required_documents=["身份证", "户口簿", "家庭收入情况说明"], time_limit_days=30, notice_required=True,
        guide="家庭人均收入低于当地低保标准、家庭财产符合规定的本区户籍居民，可以申请低保，按月领取补差。",
        keywords="低保 最低生活保障 生活困难", life_situations=["living"], order=10)
    housing = Policy.objects.create(
        code="t-housing", name="公共租赁住房保障（测试）", department=world.org("住建局"), kind="service",
        guide="住房困难的低收入家庭可以申请公租房或租赁补贴。", keywords="公租房 住房 租房",
        life_situations=["housing"], time_limit_days=20, order=20)
    medical = Policy.objects.create(
        code="t-medical", name="医疗救助（测试）", department=world.org("医保局"), kind="one_off_cash",
        guide="低保、特困等困难群众看病自付费用较高的，可以申请医疗救助。", keywords="医疗救助 看病 住院",
        life_situations=["illness", "living"], time_limit_days=15, order=30)
    medical.eligible_categories.set(Category.objects.filter(code__in=["dibao", "tekun"]))
    return {"dibao": dibao, "housing": housing, "medical": medical}


@pytest.fixture
def town_window(world):
    office = world.org("五显镇")
    office.phone = "0592-7000110"
    office.address = "五显镇政府一楼便民服务大厅"
    office.save(update_fields=["phone", "address"])
    return office
