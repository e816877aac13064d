"""Eligibility suggestions: every rule met, not met and unknown; verdicts; standards by date and hukou
type; facts read from the registry; bounded queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onedoor.policies.eligibility import Facts, evaluate, facts_for_person, suggest, suggest_for_person
from onedoor.policies.models import Policy, Standard
from onedoor.registry.actions import add_member, assign_category, create_household
from onedoor.registry.models import Category

ON = date(2026, 3, 10)


@pytest.fixture
def policy(world):
    counter = iter(range(1, 1000))

    def make(*, categories=(), **fields):
        made = Policy.objects.create(code=f"elig-{next(counter)}", name="测试政策", department=world.org("区民政局"),
                                     kind="monthly_cash", **fields)
        made.eligible_categories.set(Category.objects.filter(code__in=categories))
        return made

    return make


def only(suggestion):
    assert len(suggestion.checks) == 1
    return suggestion.checks[0]


def test_a_policy_without_conditions_is_possible_never_likely(policy):
    result = evaluate(policy(), Facts(age=40, local_hukou=True), ON)
    assert result.checks == () and result.verdict == "possible" and result.verdict_label == "需进一步核实"


@pytest.mark.parametrize("facts, met, verdict", [
    (Facts(categories=frozenset({"dibao"})), True, "likely"),
    (Facts(categories=frozenset({"tekun"})), False, "unlikely"),
    (Facts(), False, "unlikely"),
])
def test_categories_any_one_is_enough(policy, facts, met, verdict):
    result = evaluate(policy(categories=["dibao", "dibao_edge"]), facts, ON)
    check = only(result)
    assert check.met is met and result.verdict == verdict
    assert "低保" in check.rule


@pytest.mark.parametrize("age, met", [(59, False), (60, True), (79, True), (80, False), (None, None)])
def test_age_at_least_min_and_under_max(policy, age, met):
    result = evaluate(policy(min_age=60, max_age=80), Facts(age=age), ON)
    check = only(result)
    assert check.met is met
    assert check.rule == "年满 60 周岁、未满 80 周岁"
    assert result.verdict == {True: "likely", False: "unlikely", None: "possible"}[met]


@pytest.mark.parametrize("has, met", [(True, True), (False, False), (None, None)])
def test_disability(policy, has, met):
    assert only(evaluate(policy(requires_disability=True), Facts(has_disability=has), ON)).met is met


@pytest.mark.parametrize("local, met", [(True, True), (False, False), (None, None)])
def test_local_hukou(policy, local, met):
    assert only(evaluate(policy(requires_local_hukou=True), Facts(local_hukou=local), ON)).met is met


@pytest.mark.parametrize("hukou, income, met", [
    ("urban", Decimal("798.09"), True),     # below the urban standard 798.10
    ("urban", Decimal("798.10"), False),    # not below
    ("rural", Decimal("600.00"), False),    # above the rural 593.90
    ("rural", Decimal("593.89"), True),
    ("", Decimal("500.00"), True),          # below both: whatever the hukou type
    ("", Decimal("900.00"), False),         # above both
    ("", Decimal("700.00"), None),          # between rural and urban: depends on the hukou type
    ("urban", None, None),                  # income unknown
])
def test_income_below_the_dibao_standard_of_the_hukou_type(policy, hukou, income, met):
    result = evaluate(policy(income_rule="below"), Facts(hukou_type=hukou, per_capita_income=income), ON)
    assert only(result).met is met


def test_income_ratio_multiplies_the_standard(policy):
    edge = policy(income_rule="below", income_ratio=Decimal("1.50"))
    check = only(evaluate(edge, Facts(hukou_type="urban", per_capita_income=Decimal("1100.00"),
                                      household_size=3), ON))
    assert check.met is True  # 1100 < 798.10 × 1.5 = 1197.15
    assert "1197.15" in check.explanation and "家庭 3 人" in check.explanation
    assert check.rule == "家庭人均月收入低于低保标准 × 1.5"


def test_income_uses_the_standard_in_force_on_the_day(world, policy):
    # given the bureau raises the urban standard from July
    Standard.objects.create(kind="dibao", hukou_type="urban", amount=Decimal("900.00"), effective_from=date(2026, 7, 1))
    dibao = policy(income_rule="below")
    facts = Facts(hukou_type="urban", per_capita_income=Decimal("850.00"))

    # then 850 is above the standard in June and below it in July
    assert only(evaluate(dibao, facts, date(2026, 6, 30))).met is False
    assert only(evaluate(dibao, facts, date(2026, 7, 1))).met is True
    # and before any standard there is nothing to compare with
    before = only(evaluate(dibao, facts, date(2025, 12, 31)))
    assert before.met is None and "尚未设定" in before.explanation


def test_one_unmet_rule_makes_it_unlikely_one_unknown_possible(policy):
    rules = policy(min_age=60, requires_local_hukou=True)
    assert evaluate(rules, Facts(age=70, local_hukou=True), ON).verdict == "likely"
    assert evaluate(rules, Facts(age=70, local_hukou=None), ON).verdict == "possible"
    assert evaluate(rules, Facts(age=50, local_hukou=None), ON).verdict == "unlikely"


def test_suggest_orders_and_hides_unlikely_in_bounded_queries(world, django_assert_max_num_queries):
    facts = Facts(age=82, categories=frozenset({"tekun"}), local_hukou=True, hukou_type="rural",
                  per_capita_income=Decimal("0.00"), household_size=1, has_disability=None)
    with django_assert_max_num_queries(4):
        found = suggest(facts, ON)
    verdicts = [s.verdict for s in found]
    assert verdicts == sorted(verdicts, key=["likely", "possible"].index)
    codes = [s.policy.code for s in found]
    assert {"mz-tekun", "mz-elderly-allowance", "yb-medical-aid"} <= set(codes)
    assert "mz-orphan" not in codes  # under 18 only
    with_unlikely = suggest(facts, ON, include_unlikely=True)
    assert "mz-orphan" in [s.policy.code for s in with_unlikely]
    assert len(with_unlikely) == Policy.objects.filter(is_active=True).count()


def test_facts_from_the_registry(world, make_person):
    # given a 五显镇 couple in a rural household in 低保, the wife with a disability
    head = make_person("陈户主", birth=date(1950, 5, 1), hukou_area=world.wuxian_village, hukou_type="rural",
                       monthly_income="300.00")
    wife = make_person("林配偶", birth=date(1953, 6, 1), disability_kind="physical", disability_grade=2,
                       monthly_income="100.00")
    clerk = world.user("clerk.wuxian")
    household = create_household(actor=clerk, head=head, formed_on=date(2025, 1, 1))
    add_member(actor=clerk, household=household, person=wife, relation="spouse", on=date(2025, 1, 1))
    assign_category(actor=clerk, category=Category.objects.get(code="dibao"), household=household,
                    valid_from=date(2025, 2, 1), source="decision", reason="审批")
    assign_category(actor=clerk, category=Category.objects.get(code="tekun"), person=head,
                    valid_from=date(2026, 6, 1), source="decision", reason="审批")

    facts = facts_for_person(head, ON)
    assert facts.age == 75
    assert facts.categories == frozenset({"dibao"})  # 特困 only from June
    assert facts.local_hukou is True and facts.hukou_type == "rural"
    assert facts.per_capita_income == Decimal("200.00") and facts.household_size == 2
    assert facts.has_disability is None
    assert facts_for_person(head, date(2026, 6, 1)).categories == frozenset({"dibao", "tekun"})
    assert facts_for_person(wife, ON).has_disability is True
    assert facts_for_person(wife, ON).local_hukou is None  # 户籍地 not recorded

    codes = {s.policy.code: s for s in suggest_for_person(wife, ON)}
    assert codes["mz-disability-living"].verdict == "possible"  # 户籍 unknown
    assert codes["mz-dibao"].checks[-1].met is True


def test_a_person_outside_any_household_counts_alone(world, make_person):
    person = make_person("单身汉", birth=date(1990, 1, 1), hukou_area=world.lianhua_village,
                         monthly_income="1500.00")
    facts = facts_for_person(person, ON)
    assert facts.household_size == 1 and facts.per_capita_income == Decimal("1500.00")
    assert facts.categories == frozenset() and facts.hukou_type == ""
    dibao = {s.policy.code: s for s in suggest_for_person(person, ON, include_unlikely=True)}["mz-dibao"]
    assert dibao.verdict == "unlikely"  # 1500 is above both standards


def test_a_hukou_outside_the_district_is_not_local(world, make_person):
    from onedoor.geo.models import Area

    elsewhere = Area.objects.exclude(code__startswith="350212").first()
    if elsewhere is None:
        pytest.skip("no area outside the district in the fixture tree")
    person = make_person("外地人", hukou_area=elsewhere)
    assert facts_for_person(person, ON).local_hukou is False
