"""An amount's basis (EnrollmentAmount.basis, Payment.basis) told in plain Chinese, e.g.
"低保标准 800 元 − 人均收入 133.33 元 = 666.67 元 × 3 人 = 2000 元". The basis is what
benefits/amounts.py kept beside the amount; this only reads it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from onedoor.policies.choices import StandardKind
from onedoor.registry.choices import SelfCare

from .choices import AmountMethod, Rounding

HUKOU = {"urban": "城镇", "rural": "农村"}


def yuan(value) -> str:
    """800.00 → "800", 133.3 → "133.30", 1234 → "1234" (no thousands separator, as in a sentence)."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    return str(amount.quantize(Decimal("1"))) if amount == amount.to_integral_value() else str(amount)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _rounded(raw: Decimal, basis: dict) -> str:
    amount = Decimal(basis.get("amount", raw))
    if amount == raw:
        return f"{yuan(amount)} 元"
    return f"{yuan(amount)} 元（{_label(Rounding, basis.get('rounding', ''))}）"


def explain_basis(basis: dict | None) -> str:
    """One sentence saying how the amount came about; "" when there is no basis."""
    if not basis:
        return ""
    if "correction_of" in basis:
        difference = Decimal(basis.get("difference", "0"))
        word = "补发" if difference > 0 else "追回"
        return f"{basis['correction_of']} 月份{word} {yuan(abs(difference))} 元（按重新核定的金额）"
    method = basis.get("method")
    if method == AmountMethod.DIBAO_GAP:
        return _dibao(basis)
    if method == AmountMethod.TEKUN:
        care = _label(SelfCare, basis.get("self_care", ""))
        basic, care_amount = Decimal(basis["basic_standard"]), Decimal(basis["care_standard"])
        return (f"特困基本生活标准 {yuan(basic)} 元 + 照料护理标准（{care}）{yuan(care_amount)} 元 = "
                f"{_rounded(basic + care_amount, basis)}")
    if method == AmountMethod.STANDARD:
        return f"{_label(StandardKind, basis.get('standard_kind', ''))} {yuan(basis['standard'])} 元"
    if method == AmountMethod.FIXED:
        return f"固定金额 {yuan(basis['fixed_amount'])} 元"
    if method == AmountMethod.DECIDED:
        return f"审批决定的金额 {yuan(basis['decided_amount'])} 元"
    return "；".join(f"{key}：{value}" for key, value in basis.items())


def _dibao(basis: dict) -> str:
    standard = Decimal(basis["standard"])
    income = Decimal(basis["per_capita_income"])
    size = int(basis.get("household_size") or 0)
    floor = Decimal(basis.get("floor_per_person") or "0")
    hukou = HUKOU.get(basis.get("hukou_type", ""), "")
    head = f"{hukou}低保标准 {yuan(standard)} 元 − 人均收入 {yuan(income)} 元"
    gap = standard - income
    if gap <= 0 or size == 0:
        return f"{head}，人均收入不低于低保标准，不发放（0 元）"
    if gap < floor:
        per_person = floor
        head = f"{head} = {yuan(gap)} 元，低于每人最低发放额，按 {yuan(floor)} 元"
    else:
        per_person = gap
        head = f"{head} = {yuan(gap)} 元"
    return f"{head} × {size} 人 = {_rounded(per_person * size, basis)}"
