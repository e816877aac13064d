"""Checking and normalising a person's fields: the one set of rules behind the form, the API and the
bulk import. Every problem is reported against its field, in Chinese, all at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onedoor.core.idnumber import InvalidIdNumber, normalize_id_number, parse_id_number
from onedoor.core.money import InvalidAmount, to_money
from onedoor.core.text import name_pinyin, normalize_name

from .choices import (
    SELF_CARE_ITEMS,
    DisabilityKind,
    Health,
    HukouType,
    MaritalStatus,
    SelfCare,
    Sex,
    WorkCapacity,
)

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$")
SEX_WORDS = {"男": Sex.MALE, "M": Sex.MALE, "m": Sex.MALE, "女": Sex.FEMALE, "F": Sex.FEMALE, "f": Sex.FEMALE}
SELF_CARE_KEYS = [key for key, _label in SELF_CARE_ITEMS]
# Fields stored as codes: only the codes of their choices are accepted.
CODED_FIELDS = {"hukou_type": HukouType, "marital_status": MaritalStatus, "health": Health,
                "disability_kind": DisabilityKind, "work_capacity": WorkCapacity}
CODED_LABELS = {"hukou_type": "户口性质", "marital_status": "婚姻状况", "health": "健康状况",
                "disability_kind": "残疾类别", "work_capacity": "劳动能力"}


@dataclass
class Checked:
    """Normalised values ready for the model, and the errors by field (empty when all is well)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalize_phone(raw: str) -> str:
    import unicodedata

    return re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", raw or ""))


def self_care_level(unable: list[str]) -> str:
    """全自理 when able in all six; 半护理 when unable in 1–3; 全护理 when unable in 4 or more."""
    count = len(set(unable))
    if count == 0:
        return SelfCare.FULL_SELF
    return SelfCare.PARTIAL if count <= 3 else SelfCare.FULL_CARE


def check_person(data: dict[str, Any], *, today: date | None = None, partial: bool = False) -> Checked:
    """Check the identity fields of a person. `partial` (for edits) checks only the fields given.

    Sex and birth date come from the ID number when there is one; if they are also given and
    disagree, that is an error rather than a silent choice.
    """
    today = today or timezone.localdate()
    result = Checked()
    values, errors = result.values, result.errors

    if "name" in data or not partial:
        name = normalize_name(str(data.get("name") or ""))
        if not name:
            errors["name"] = "姓名不能为空。"
        elif len(name) > 60:
            errors["name"] = "姓名过长（最多 60 个字）。"
        else:
            values["name"] = str(data.get("name")).strip()
            values["name_simplified"] = name
            values["name_pinyin"], values["name_initials"] = name_pinyin(name)

    parsed = None
    raw_id = str(data.get("id_number") or "").strip()
    if raw_id:
        try:
            parsed = parse_id_number(raw_id, today=today)
        except InvalidIdNumber as exc:
            errors["id_number"] = exc.message
        else:
            values["id_number"] = parsed.number
            values["id_tail"] = parsed.number[-6:]
    elif "id_number" in data and partial:
        values["id_number"] = None

    if "sex" in data and data.get("sex") not in (None, ""):
        sex = SEX_WORDS.get(str(data["sex"]).strip())
        if sex is None:
            errors["sex"] = "性别应为“男”或“女”。"
        elif parsed and sex != parsed.sex:
            errors["sex"] = "性别与身份证号码不一致。"
        else:
            values["sex"] = sex
    if parsed:
        values["sex"] = parsed.sex

    birth = data.get("birth_date")
    if birth not in (None, ""):
        birth_value = _as_date(birth)
        if birth_value is None:
            errors["birth_date"] = "出生日期格式不正确，应为 YYYY-MM-DD。"
        elif birth_value > today:
            errors["birth_date"] = "出生日期不能晚于今天。"
        elif parsed and birth_value != parsed.birth_date:
            errors["birth_date"] = "出生日期与身份证号码不一致。"
        else:
            values["birth_date"] = birth_value
    if parsed:
        values["birth_date"] = parsed.birth_date

    if not partial and not parsed and "id_number" not in errors:
        for key, message in (("sex", "没有身份证号码时必须填写性别。"), ("birth_date", "没有身份证号码时必须填写出生日期。")):
            if key not in values and key not in errors:
                errors[key] = message

    for key in ("phone", "phone2"):
        if key in data:
            phone = normalize_phone(str(data.get(key) or ""))
            if phone and not PHONE.match(phone):
                errors[key] = "电话号码格式不正确。"
            else:
                values[key] = phone

    if "monthly_income" in data:
        raw_income = data.get("monthly_income")
        if raw_income in (None, ""):
            values["monthly_income"] = Decimal("0.00")
        else:
            try:
                income = to_money(raw_income if not isinstance(raw_income, float) else str(raw_income))
            except (InvalidAmount, TypeError) as exc:
                errors["monthly_income"] = getattr(exc, "message", "月收入格式不正确。")
            else:
                if income < 0:
                    errors["monthly_income"] = "月收入不能为负数。"
                else:
                    values["monthly_income"] = income

    if "self_care_unable" in data:
        unable = list(data.get("self_care_unable") or [])
        unknown = [item for item in unable if item not in SELF_CARE_KEYS]
        if unknown:
            errors["self_care_unable"] = f"未知的自理能力项目：{'、'.join(map(str, unknown))}"
        else:
            values["self_care_unable"] = sorted(set(unable), key=SELF_CARE_KEYS.index)
            values["self_care"] = self_care_level(unable)

    for key in ("ethnicity", "address", "occupation", "serious_illness", "bank_name", "description"):
        if key in data:
            values[key] = str(data.get(key) or "").strip()
    for key, choices in CODED_FIELDS.items():
        if key in data:
            code = str(data.get(key) or "").strip()
            if code and code not in choices.values:
                allowed = "、".join(f"{value}（{label}）" for value, label in choices.choices)
                errors[key] = f"{CODED_LABELS[key]}应为以下代码之一：{allowed}。"
            else:
                values[key] = code
    if "bank_account" in data:
        values["bank_account"] = re.sub(r"\s", "", normalize_phone(str(data.get("bank_account") or "")))
    if "disability_grade" in data:
        grade = data.get("disability_grade")
        if grade in (None, ""):
            values["disability_grade"] = None
        elif str(grade).strip() in {"1", "2", "3", "4"}:
            values["disability_grade"] = int(str(grade).strip())
        else:
            errors["disability_grade"] = "残疾等级应为 1–4 级。"
    return result


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    text = normalize_id_number(str(value)).replace("/", "-").replace(".", "-")
    match = re.match(r"^(\d{4})-?(\d{1,2})-?(\d{1,2})$", text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
