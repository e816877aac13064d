"""The default amount rules of the shipped catalogue: one for every monthly-cash policy, loaded once
(by the demo step and the command), never overwriting a rule the bureau edited; the plain-Chinese
basis of each method."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import yaml
from django.core.management import call_command

from onedoor.benefits.explain import explain_basis
from onedoor.benefits.models import BenefitRule, Enrollment
from onedoor.benefits.rules import DEFAULT_RULES, load_benefit_rules
from onedoor.policies.actions import CATALOGUE_FILE
from onedoor.policies.models import Policy


def monthly_codes_in_the_catalogue() -> set[str]:
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return {entry["code"] for entry in data["policies"] if entry["kind"] == "monthly_cash"}


def test_every_monthly_cash_policy_of_the_catalogue_has_a_default_rule(world):
    assert set(DEFAULT_RULES) == monthly_codes_in_the_catalogue()


def test_loading_creates_each_rule_once_and_keeps_the_bureaus_edits(world):
    first = load_benefit_rules()

    assert sorted(first.created) == sorted(DEFAULT_RULES)
    codes = monthly_codes_in_the_catalogue()
    assert set(BenefitRule.objects.values_list("policy__code", flat=True)) >= codes
    assert not Policy.objects.filter(code__in=codes, benefit_rule__isnull=True).exists()
    dibao = BenefitRule.objects.get(policy__code="mz-dibao")
    assert (dibao.method, dibao.rounding, dibao.fading_months) == ("dibao_gap", "yuan", 6)
    assert BenefitRule.objects.get(policy__code="mz-unsupported-child").standard_kind == "unsupported_child"

    # the bureau edits one; loading again changes nothing
    dibao.floor_per_person = Decimal("50.00")
    dibao.save()
    second = load_benefit_rules()

    assert (second.created, sorted(second.unchanged)) == ([], sorted(DEFAULT_RULES))
    assert BenefitRule.objects.get(policy__code="mz-dibao").floor_per_person == Decimal("50.00")
    assert BenefitRule.objects.count() == len(DEFAULT_RULES)


def test_policies_not_loaded_or_no_longer_monthly_are_reported_not_invented(world):
    Policy.objects.filter(code="ty-pension").update(kind="one_off_cash")

    result = load_benefit_rules(rules={**DEFAULT_RULES, "no-such-policy": {"method": "decided"}})

    assert result.missing == ["no-such-policy"] and result.not_monthly == ["ty-pension"]
    assert "no-such-policy" in result.summary()
    assert not BenefitRule.objects.filter(policy__code="ty-pension").exists()


def test_the_command_and_the_demo_step_load_the_rules(world):
    from onedoor.demo.steps import steps

    out = StringIO()
    call_command("load_benefit_rules", stdout=out)
    assert f"新建 {len(DEFAULT_RULES)} 条" in out.getvalue()

    ordered = [(step.order, step.name) for step in steps()]
    assert (45, "待遇计算规则") in ordered
    assert ordered.index((40, "政策目录")) < ordered.index((45, "待遇计算规则"))
    step = next(step for step in steps() if step.order == 45)
    assert "新建 0 条" in step.run({})


def shipped(code: str) -> Policy:
    """A catalogue policy with its procedure cut short: approve_for hands in no documents, posts no 公示."""
    Policy.objects.filter(code=code).update(required_documents=[], notice_required=False)
    return Policy.objects.get(code=code)


def test_the_shipped_dibao_rule_gives_the_worked_example(world, standards, household_of, approve_for):
    load_benefit_rules()
    policy = shipped("mz-dibao")
    household = household_of(["300", "100", "0"])

    enrollment = Enrollment.objects.get(decision=approve_for(policy, household.head, household=household))

    assert enrollment.monthly_amount == Decimal("2000.00")
    assert explain_basis(enrollment.amounts.get().basis) == (
        "城镇低保标准 800 元 − 人均收入 133.33 元 = 666.67 元 × 3 人 = 2000 元（取整到元）")


def test_each_method_explains_itself():
    assert explain_basis({"method": "dibao_gap", "standard": "800.00", "per_capita_income": "750.00",
                          "household_size": 2, "floor_per_person": "100.00", "rounding": "yuan",
                          "amount": "200.00", "hukou_type": "urban"}) == (
        "城镇低保标准 800 元 − 人均收入 750 元 = 50 元，低于每人最低发放额，按 100 元 × 2 人 = 200 元")
    assert explain_basis({"method": "dibao_gap", "standard": "600.00", "per_capita_income": "650.00",
                          "household_size": 2, "floor_per_person": "0.00", "rounding": "yuan", "amount": "0.00",
                          "hukou_type": "rural"}) == "农村低保标准 600 元 − 人均收入 650 元，人均收入不低于低保标准，不发放（0 元）"
    assert explain_basis({"method": "tekun", "basic_standard": "1037.53", "care_standard": "500.00",
                          "self_care": "partial", "rounding": "fen", "amount": "1537.53"}) == (
        "特困基本生活标准 1037.53 元 + 照料护理标准（半护理）500 元 = 1537.53 元")
    assert explain_basis({"method": "standard", "standard_kind": "orphan", "standard": "1500.00",
                          "amount": "1500.00"}) == "孤儿基本生活费 1500 元"
    assert explain_basis({"method": "fixed", "fixed_amount": "300.00"}) == "固定金额 300 元"
    assert explain_basis({"method": "decided", "decided_amount": "456.70"}) == "审批决定的金额 456.70 元"
    assert explain_basis({"correction_of": "2026-04", "difference": "-20.00"}) == "2026-04 月份追回 20 元（按重新核定的金额）"
    assert explain_basis({}) == ""


def test_the_tekun_rule_adds_the_care_tier(world, standards, make_person, approve_for):
    from onedoor.registry.actions import assess_self_care

    load_benefit_rules()
    person = make_person("吴老", birth=date(1950, 1, 2))
    assess_self_care(actor=world.user("clerk.wuxian"), person=person, unable=["walking", "bathing"])

    enrollment = Enrollment.objects.get(decision=approve_for(shipped("mz-tekun"), person))

    # 1040 basic + 400 (半护理: unable in 1–3 of the six items)
    assert enrollment.monthly_amount == Decimal("1440.00")
    assert "照料护理标准（半护理）400 元" in explain_basis(enrollment.amounts.get().basis)
