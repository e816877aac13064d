"""The default amount rules (BenefitRule) of the shipped catalogue's monthly-cash policies, as data.

Each rule says how a policy's monthly amount is computed (benefits/amounts.py):
- 低保 (mz-dibao): 补差 by household — (低保标准 − 家庭人均收入) × 保障人数, rounded to the yuan;
- 特困 (mz-tekun): 基本生活标准 + 照料护理标准 of the person's self-care tier, to the fen;
- 孤儿 / 事实无人抚养儿童: the allowance standard of that kind;
- every other monthly policy: the amount written in its decision (its amount depends on tiers, grades,
  contributions or local documents the catalogue does not hold). The bureau may switch one to a
  fixed amount in the admin once the local figure is known.

`load_benefit_rules` creates the rules that are missing and leaves existing ones as they are (the
bureau may have edited them), so it is safe to run again: the demo step (order 45, after the
catalogue's 40) and `onedoor load_benefit_rules` both call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from onedoor.core.audit import attribute_to
from onedoor.policies.choices import PolicyKind, StandardKind
from onedoor.policies.models import Policy

from .choices import AmountMethod, Rounding
from .models import BenefitRule

_DECIDED: dict[str, Any] = {"method": AmountMethod.DECIDED, "rounding": Rounding.FEN}

DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "mz-dibao": {"method": AmountMethod.DIBAO_GAP, "rounding": Rounding.YUAN,
                 "floor_per_person": Decimal("0.00"), "fading_months": 6},
    "mz-tekun": {"method": AmountMethod.TEKUN, "rounding": Rounding.FEN},
    "mz-orphan": {"method": AmountMethod.STANDARD, "standard_kind": StandardKind.ORPHAN, "rounding": Rounding.FEN},
    "mz-unsupported-child": {"method": AmountMethod.STANDARD, "standard_kind": StandardKind.UNSUPPORTED_CHILD,
                             "rounding": Rounding.FEN},
    "mz-child-difficulty": _DECIDED,      # by category of difficulty, per local document
    "mz-elderly-allowance": _DECIDED,     # by age band (80–89, 90–99, 100+)
    "mz-disability-living": _DECIDED,
    "mz-disability-care": _DECIDED,
    "mz-disabled-elder-care": _DECIDED,   # by grade of disability
    "rs-flexible-insurance": _DECIDED,    # up to 2/3 of the contributions actually paid
    "rs-unemployment": _DECIDED,
    "wj-special-family": _DECIDED,
    "zj-rent-subsidy": _DECIDED,          # by household size and area
    "ty-pension": _DECIDED,
}


@dataclass
class RulesResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)       # no such policy (catalogue not loaded)
    not_monthly: list[str] = field(default_factory=list)   # the policy is no longer monthly cash

    def summary(self) -> str:
        text = f"待遇计算规则新建 {len(self.created)} 条、已有未改 {len(self.unchanged)} 条"
        if self.missing:
            text += f"；目录中没有的政策 {len(self.missing)} 项（{'、'.join(self.missing)}）"
        if self.not_monthly:
            text += f"；已不是按月发放的政策 {len(self.not_monthly)} 项（{'、'.join(self.not_monthly)}）"
        return text


@transaction.atomic
def load_benefit_rules(*, actor=None, rules: dict[str, dict[str, Any]] | None = None) -> RulesResult:
    """Create the default rule of each listed policy that has none; never change an existing rule."""
    result = RulesResult()
    rules = DEFAULT_RULES if rules is None else rules
    policies = {policy.code: policy for policy in Policy.objects.filter(code__in=rules)}
    existing = set(BenefitRule.objects.filter(policy__code__in=rules).values_list("policy__code", flat=True))
    for code, values in rules.items():
        policy = policies.get(code)
        if policy is None:
            result.missing.append(code)
        elif code in existing:
            result.unchanged.append(code)
        elif policy.kind != PolicyKind.MONTHLY_CASH:
            result.not_monthly.append(code)
        else:
            rule = BenefitRule(policy=policy, **values)
            rule.full_clean(exclude=["policy"])
            attribute_to(rule, actor)
            rule.save()
            result.created.append(code)
    return result
