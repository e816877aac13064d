"""Amount rules with worked examples: 低保 补差 by household with floor and rounding, 特困 basic +
care tier, 孤儿 by the standard; every amount keeps its inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onedoor.benefits.amounts import compute_amount, round_amount
from onedoor.benefits.models import BenefitRule
from onedoor.core.exceptions import DomainError
from onedoor.registry.actions import assess_self_care

MARCH = date(2026, 3, 1)


def test_rounding_to_yuan_jiao_and_fen_is_half_up():
    assert round_amount(Decimal("466.665"), "yuan") == Decimal("467.00")
    assert round_amount(Decimal("466.45"), "yuan") == Decimal("466.00")
    assert round_amount(Decimal("466.65"), "jiao") == Decimal("466.70")
    assert round_amount(Decimal("466.665"), "fen") == Decimal("466.67")


def test_dibao_is_the_gap_to_the_standard_times_the_household_size(standards, dibao_policy, household_of):
    # given an urban household of three earning 300 + 100 + 0 a month (per capita 133.33)
    household = household_of(["300", "100", "0"])
    rule = dibao_policy.benefit_rule

    # when the amount for March is computed with the urban standard of 800
    computed = compute_amount(rule, month=MARCH, person=household.head, household=household)

    # then (800 − 133.33) × 3 = 2000.01, rounded to the yuan: 2000
    assert computed.amount == Decimal("2000.00")
    assert computed.basis["standard"] == "800.00"
    assert computed.basis["household_size"] == 3
    assert computed.basis["per_capita_income"] == "133.33"
    assert computed.basis["gap_per_person"] == "666.67"


def test_rural_households_use_the_rural_standard(standards, dibao_policy, household_of):
    household = household_of(["200", "0"], hukou_type="rural")
    computed = compute_amount(dibao_policy.benefit_rule, month=MARCH, person=household.head, household=household)
    assert computed.amount == Decimal("1000.00")  # (600 − 100) × 2


def test_the_floor_lifts_a_small_gap(standards, dibao_policy, household_of):
    rule = dibao_policy.benefit_rule
    rule.floor_per_person = Decimal("60.00")
    household = household_of(["780", "780"])  # gap 20 per person, below the floor of 60
    computed = compute_amount(rule, month=MARCH, person=household.head, household=household)
    assert computed.amount == Decimal("120.00")


def test_no_gap_means_nothing_to_pay(standards, dibao_policy, household_of):
    household = household_of(["900"])
    computed = compute_amount(dibao_policy.benefit_rule, month=MARCH, person=household.head, household=household)
    assert computed.amount == Decimal("0.00")
    assert "不低于" in computed.basis["note"]


def test_a_standard_change_applies_from_its_month(standards, dibao_policy, household_of):
    standards("dibao", "850.00", month=date(2026, 7, 1), hukou_type="urban")
    household = household_of(["0"])
    rule = dibao_policy.benefit_rule
    assert compute_amount(rule, month=date(2026, 6, 1), person=household.head, household=household).amount == 800
    assert compute_amount(rule, month=date(2026, 7, 1), person=household.head, household=household).amount == 850


def test_tekun_is_basic_plus_the_care_tier(world, standards, make_policy, make_person):
    rule = BenefitRule.objects.create(policy=make_policy("特困人员救助供养"), method="tekun")
    person = make_person("吴特困")
    assess_self_care(actor=world.user("handler.mz"), person=person, unable=["bathing", "walking"])  # 半护理
    computed = compute_amount(rule, month=MARCH, person=person)
    assert computed.amount == Decimal("1440.00")
    assert computed.basis == {"method": "tekun", "month": "2026-03", "basic_standard": "1040.00",
                              "care_standard": "400.00", "self_care": "partial", "rounding": "yuan",
                              "amount": "1440.00"}


def test_tekun_without_a_self_care_assessment_is_refused(standards, make_policy, make_person):
    rule = BenefitRule.objects.create(policy=make_policy("特困人员救助供养"), method="tekun")
    with pytest.raises(DomainError, match="自理能力"):
        compute_amount(rule, month=MARCH, person=make_person("吴未评估"))


def test_orphans_get_the_standard(standards, make_policy, make_person):
    rule = BenefitRule.objects.create(policy=make_policy("孤儿基本生活保障"), method="standard",
                                      standard_kind="orphan", rounding="fen")
    assert compute_amount(rule, month=MARCH, person=make_person("小明", birth=date(2015, 5, 5))).amount == 1500


def test_a_missing_standard_is_named(make_policy, household_of):
    from onedoor.policies.models import Standard

    Standard.objects.all().delete()
    rule = BenefitRule.objects.create(policy=make_policy("最低生活保障", subject="household"), method="dibao_gap")
    household = household_of(["0"])
    with pytest.raises(DomainError, match="最低生活保障标准"):
        compute_amount(rule, month=MARCH, person=household.head, household=household)
