"""The monthly amount of a benefit, computed from the standards in force and the registry, with the
inputs kept beside the result so anyone can see why an amount is what it is (DOMAIN.md: 补差 for 低保,
basic + care tier for 特困, the standard for 孤儿, otherwise the policy's own amount)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from onedoor.core.exceptions import DomainError
from onedoor.policies.choices import StandardKind
from onedoor.policies.models import Standard
from onedoor.registry.choices import SelfCare
from onedoor.registry.models import Household, Person

from .choices import AmountMethod, Rounding
from .models import BenefitRule

ZERO = Decimal("0.00")
STEPS = {Rounding.YUAN: Decimal("1"), Rounding.JIAO: Decimal("0.1"), Rounding.FEN: Decimal("0.01")}
CARE_STANDARDS = {
    SelfCare.FULL_SELF: StandardKind.TEKUN_CARE_SELF,
    SelfCare.PARTIAL: StandardKind.TEKUN_CARE_PARTIAL,
    SelfCare.FULL_CARE: StandardKind.TEKUN_CARE_FULL,
}


@dataclass(frozen=True)
class Computed:
    amount: Decimal
    basis: dict


def round_amount(value: Decimal, rounding: str) -> Decimal:
    """Half-up to the yuan, the jiao or the fen, as the rule says; always two decimal places."""
    return value.quantize(STEPS[rounding], rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def _standard(kind: str, month: date, hukou_type: str = "") -> Decimal:
    standard = Standard.objects.in_force(kind, month, hukou_type)
    if standard is None:
        raise DomainError(f"{month:%Y年%-m月}没有适用的“{StandardKind(kind).label}”，请先在保障标准中登记。",
                          code="standard_missing")
    return standard.amount


def compute_amount(rule: BenefitRule, *, month: date, person: Person, household: Household | None = None,
                   decided_amount: Decimal | None = None) -> Computed:
    """The amount `rule` gives for `month`. Raises DomainError (Chinese) when an input is missing."""
    compute = {
        AmountMethod.DIBAO_GAP: _dibao_gap,
        AmountMethod.TEKUN: _tekun,
        AmountMethod.STANDARD: _by_standard,
        AmountMethod.FIXED: _fixed,
        AmountMethod.DECIDED: _decided,
    }[rule.method]
    amount, basis = compute(rule, month=month, person=person, household=household, decided_amount=decided_amount)
    rounded = round_amount(amount, rule.rounding)
    return Computed(rounded, {"method": rule.method, "month": f"{month:%Y-%m}", **basis,
                              "rounding": rule.rounding, "amount": str(rounded)})


def _dibao_gap(rule, *, month, person, household, decided_amount):
    """(standard − per-capita income) per person, at least the floor, times the people covered."""
    hukou_type = (household.hukou_type if household else "") or person.hukou_type
    if not hukou_type and not Standard.objects.filter(kind=StandardKind.DIBAO, hukou_type="").exists():
        # Standards differ for urban and rural households: an unknown type cannot pick one.
        raise DomainError(f"{person.name}的户口性质（城镇/农村）未登记，无法确定适用的低保标准，请先在人员档案中登记。",
                          code="hukou_type_missing")
    standard = _standard(StandardKind.DIBAO, month, hukou_type)
    if household is not None:
        figures = household.figures_on(month)
        size, per_capita = figures["size"], figures["per_capita_income"]
    else:
        size, per_capita = 1, person.monthly_income
    gap = standard - per_capita
    basis = {"standard": str(standard), "hukou_type": hukou_type, "household_size": size,
             "per_capita_income": str(per_capita), "gap_per_person": str(max(gap, ZERO)),
             "floor_per_person": str(rule.floor_per_person)}
    if gap <= 0 or size == 0:
        return ZERO, {**basis, "note": "家庭人均收入不低于低保标准"}
    return max(gap, rule.floor_per_person) * size, basis


def _tekun(rule, *, month, person, household, decided_amount):
    if not person.self_care:
        raise DomainError(f"{person.name}尚未评估生活自理能力，无法确定照料护理标准。", code="self_care_missing")
    basic = _standard(StandardKind.TEKUN_BASIC, month, person.hukou_type)
    care = _standard(CARE_STANDARDS[person.self_care], month, person.hukou_type)
    return basic + care, {"basic_standard": str(basic), "care_standard": str(care), "self_care": person.self_care}


def _by_standard(rule, *, month, person, household, decided_amount):
    if not rule.standard_kind:
        raise DomainError(f"“{rule.policy}”的计算规则未指定依据标准。", code="rule_incomplete")
    amount = _standard(rule.standard_kind, month, person.hukou_type)
    return amount, {"standard_kind": rule.standard_kind, "standard": str(amount)}


def _fixed(rule, *, month, person, household, decided_amount):
    if rule.fixed_amount is None:
        raise DomainError(f"“{rule.policy}”的计算规则未填写固定金额。", code="rule_incomplete")
    return rule.fixed_amount, {"fixed_amount": str(rule.fixed_amount)}


def _decided(rule, *, month, person, household, decided_amount):
    if decided_amount is None:
        raise DomainError("审批决定中没有金额。", code="amount_required")
    return decided_amount, {"decided_amount": str(decided_amount)}
