"""Eligibility suggestions (政策找人 / 缺什么送什么): which policies a person or household may qualify
for, and why — each rule of a policy is checked against the known facts and comes out met, not met or
unknown, with a plain Chinese explanation.

The verdict is deliberately modest: "likely" only when every rule the policy has was checked and met;
"possible" when nothing contradicts it but something is unknown (or the policy has no rule to check);
"unlikely" as soon as one rule is not met. It is a pointer for staff and citizens, never a decision.

`Facts` is what we know; `facts_for_person` reads them from the registry. The public self-check builds
`Facts` from a citizen's answers and calls `suggest` directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onedoor.registry.models import CategoryAssignment, HouseholdMember, Person

from .choices import IncomeRule, StandardKind
from .models import Policy, Standard

DISTRICT_PREFIX = "350212"
HUKOU_LABELS = {"urban": "城镇", "rural": "农村"}

LIKELY = "likely"
POSSIBLE = "possible"
UNLIKELY = "unlikely"
VERDICT_LABELS = {LIKELY: _("可能符合"), POSSIBLE: _("需进一步核实"), UNLIKELY: _("暂不符合")}
VERDICT_RANK = {LIKELY: 0, POSSIBLE: 1, UNLIKELY: 2}


@dataclass(frozen=True)
class Facts:
    """What is known about a person and their household; None (or "") means unknown."""

    age: int | None = None
    categories: frozenset[str] = frozenset()  # registry Category codes in force
    has_disability: bool | None = None
    local_hukou: bool | None = None  # 户籍 in 同安区
    hukou_type: str = ""  # "urban" / "rural" / "" unknown
    per_capita_income: Decimal | None = None  # household per-capita monthly income, yuan
    household_size: int | None = None


@dataclass(frozen=True)
class Check:
    """One rule of a policy against the facts: met True / False, or None when the facts do not say."""

    rule: str
    met: bool | None
    explanation: str


@dataclass(frozen=True)
class Suggestion:
    policy: Policy
    verdict: str  # "likely" | "possible" | "unlikely"
    checks: tuple[Check, ...]

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])

    @property
    def met_count(self) -> int:
        return sum(1 for check in self.checks if check.met is True)

    @property
    def unknown_checks(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.met is None)


# --- standards -------------------------------------------------------------------------------------

class DibaoStandards:
    """The 低保标准 in force on a day for urban, rural and unified ('') households, read in one query."""

    def __init__(self, on: date):
        rows = Standard.objects.filter(kind=StandardKind.DIBAO, effective_from__lte=on).order_by("-effective_from")
        self.by_type: dict[str, Decimal] = {}
        for row in rows.only("hukou_type", "amount"):
            self.by_type.setdefault(row.hukou_type, row.amount)

    def for_type(self, hukou_type: str) -> Decimal | None:
        """The standard for a hukou type: its own row, else a unified one."""
        return self.by_type.get(hukou_type) if hukou_type else self.by_type.get("")

    def candidates(self) -> dict[str, Decimal]:
        """When the hukou type is unknown: the standard each type would have."""
        found = {t: self.for_type(t) for t in ("urban", "rural")}
        found = {t: amount for t, amount in found.items() if amount is not None}
        if not found and "" in self.by_type:
            found[""] = self.by_type[""]
        return found


# --- the rules ---------------------------------------------------------------------------------------

def _yuan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))} 元"


def _check_categories(policy: Policy, facts: Facts) -> Check | None:
    wanted = list(policy.eligible_categories.all())
    if not wanted:
        return None
    names = "、".join(c.name for c in wanted)
    rule = f"属于以下类别之一：{names}"
    matched = [c.name for c in wanted if c.code in facts.categories]
    if matched:
        return Check(rule, True, f"已认定为{'、'.join(matched)}。")
    return Check(rule, False, f"目前没有认定为{names}中的任何一类。")


def _check_age(policy: Policy, facts: Facts) -> Check | None:
    low, high = policy.min_age, policy.max_age
    if low is None and high is None:
        return None
    if low is not None and high is not None:
        rule = f"年满 {low} 周岁、未满 {high} 周岁"
    elif low is not None:
        rule = f"年满 {low} 周岁"
    else:
        rule = f"未满 {high} 周岁"
    if facts.age is None:
        return Check(rule, None, "年龄不详。")
    ok = (low is None or facts.age >= low) and (high is None or facts.age < high)
    return Check(rule, ok, f"现年 {facts.age} 周岁，{'符合' if ok else '不符合'}年龄要求。")


def _check_disability(policy: Policy, facts: Facts) -> Check | None:
    if not policy.requires_disability:
        return None
    rule = "持有残疾人证"
    if facts.has_disability is None:
        return Check(rule, None, "没有残疾情况的记录，需核实是否持证。")
    if facts.has_disability:
        return Check(rule, True, "登记有残疾情况。")
    return Check(rule, False, "没有残疾。")


def _check_hukou(policy: Policy, facts: Facts) -> Check | None:
    if not policy.requires_local_hukou:
        return None
    rule = "同安区户籍"
    if facts.local_hukou is None:
        return Check(rule, None, "户籍地不详。")
    if facts.local_hukou:
        return Check(rule, True, "户籍在同安区。")
    return Check(rule, False, "户籍不在同安区（急难情形可在事发地申请临时救助）。")


def _check_income(policy: Policy, facts: Facts, standards: DibaoStandards) -> Check | None:
    if policy.income_rule != IncomeRule.BELOW_STANDARD:
        return None
    ratio = policy.income_ratio
    times = "" if ratio == 1 else f" × {ratio.normalize():f}"
    rule = f"家庭人均月收入低于低保标准{times}"
    if facts.per_capita_income is None:
        return Check(rule, None, "家庭收入不详，需核对家庭经济状况。")
    income = facts.per_capita_income
    size = f"（家庭 {facts.household_size} 人）" if facts.household_size else ""
    said = f"家庭人均月收入 {_yuan(income)}{size}"
    if facts.hukou_type:
        standard = standards.for_type(facts.hukou_type)
        if standard is None:
            return Check(rule, None, f"{said}；尚未设定{HUKOU_LABELS.get(facts.hukou_type, '')}低保标准，无法比较。")
        limit = standard * ratio
        ok = income < limit
        kind = HUKOU_LABELS.get(facts.hukou_type, "")
        return Check(rule, ok, f"{said}，{'低于' if ok else '不低于'}{kind}标准线 {_yuan(limit)}。")
    limits = {t: amount * ratio for t, amount in standards.candidates().items()}
    if not limits:
        return Check(rule, None, f"{said}；尚未设定低保标准，无法比较。")
    if all(income < limit for limit in limits.values()):
        return Check(rule, True, f"{said}，低于标准线 {_yuan(min(limits.values()))}。")
    if all(income >= limit for limit in limits.values()):
        return Check(rule, False, f"{said}，不低于标准线 {_yuan(max(limits.values()))}。")
    shown = "、".join(f"{HUKOU_LABELS.get(t, '统一')} {_yuan(v)}" for t, v in sorted(limits.items()))
    return Check(rule, None, f"{said}；城乡标准不同（{shown}），需确认户口性质。")


def _verdict(checks: Iterable[Check]) -> str:
    checks = list(checks)
    if any(check.met is False for check in checks):
        return UNLIKELY
    if checks and all(check.met is True for check in checks):
        return LIKELY
    return POSSIBLE


def _evaluate(policy: Policy, facts: Facts, standards: DibaoStandards) -> Suggestion:
    found = (_check_categories(policy, facts), _check_age(policy, facts), _check_disability(policy, facts),
             _check_hukou(policy, facts), _check_income(policy, facts, standards))
    checks = tuple(check for check in found if check is not None)
    return Suggestion(policy, _verdict(checks), checks)


def evaluate(policy: Policy, facts: Facts, on: date) -> Suggestion:
    """One policy against the facts on a day (the 低保标准 in force that day)."""
    return _evaluate(policy, facts, DibaoStandards(on))


def _sort_key(suggestion: Suggestion) -> tuple:
    return (VERDICT_RANK[suggestion.verdict], -suggestion.met_count, suggestion.policy.order, suggestion.policy.code)


def suggest(facts: Facts, on: date, *, include_unlikely: bool = False) -> list[Suggestion]:
    """Every active policy against the facts, best first: likely, then possible (those with more rules
    met first); unlikely ones only when asked. Three queries whatever the catalogue's size."""
    standards = DibaoStandards(on)
    policies = (Policy.objects.filter(is_active=True).select_related("department")
                .prefetch_related("eligible_categories"))
    found = [_evaluate(policy, facts, standards) for policy in policies]
    if not include_unlikely:
        found = [s for s in found if s.verdict != UNLIKELY]
    return sorted(found, key=_sort_key)


# --- facts from the registry ------------------------------------------------------------------------------

def _has_disability(person: Person, categories: frozenset[str]) -> bool | None:
    if person.disability_kind or person.disability_grade or person.health == "disabled" \
            or "severe_disability" in categories:
        return True
    return None  # the registry records disability when there is one; a blank is "not recorded"


def facts_for_person(person: Person, on: date) -> Facts:
    """What the registry knows about a person on a day: age, categories in force (their own and their
    household's), disability, 户籍, and the household's size and per-capita income from the members'
    recorded monthly incomes (a person in no household counts as a household of one).

    The caller has checked that the person is visible to the user; nothing else of other people leaves
    this function but the household figures."""
    membership = (HouseholdMember.objects.filter(person=person, joined_on__lte=on)
                  .filter(Q(left_on__isnull=True) | Q(left_on__gt=on)).select_related("household")
                  .order_by("-joined_on").first())
    household = membership.household if membership else None
    subjects = Q(person=person) | (Q(household=household) if household else Q(pk__in=[]))
    categories = frozenset(CategoryAssignment.objects.on(on).filter(subjects)
                           .values_list("category__code", flat=True))
    if household is not None:
        figures = household.figures_on(on)
        size, per_capita = figures["size"] or None, figures["per_capita_income"] if figures["size"] else None
    else:
        size, per_capita = 1, person.monthly_income
    if person.hukou_area_id:
        local_hukou: bool | None = person.hukou_area_id.startswith(DISTRICT_PREFIX)
    else:
        local_hukou = None
    hukou_type = person.hukou_type or (household.hukou_type if household else "") or ""
    return Facts(
        age=person.age_on(on) if person.birth_date else None,
        categories=categories,
        has_disability=_has_disability(person, categories),
        local_hukou=local_hukou,
        hukou_type=hukou_type,
        per_capita_income=per_capita,
        household_size=size,
    )


def suggest_for_person(person: Person, on: date, *, include_unlikely: bool = False) -> list[Suggestion]:
    return suggest(facts_for_person(person, on), on, include_unlikely=include_unlikely)
