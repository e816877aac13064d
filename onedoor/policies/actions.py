"""Every change to the catalogue side: loading the shipped catalogue, editing the responsibility list
(责任清单) and setting standards (保障标准). Each runs in one transaction with a keyword-only `actor`
and refuses bad input with a Chinese `DomainError` naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from onedoor.accounts.choices import OrganisationKind, Role
from onedoor.accounts.models import Organisation, User
from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError, NotPermitted
from onedoor.core.scoping import is_admin
from onedoor.geo.models import Area
from onedoor.registry.models import Category

from .choices import IncomeRule, LifeSituation, PolicyKind, PolicySubject, ReviewFrequency, StandardKind
from .models import Policy, Responsibility, Standard
from .signals import standard_changed

CATALOGUE_FILE = Path(__file__).resolve().parent / "fixtures" / "catalogue.yaml"
DISTRICT = "350212000000"
DEFAULT_LINE_FROM = date(2026, 1, 1)
# Organisations that may handle a policy (not suppliers nor the contracted social-work organisations).
HANDLING_KINDS = {OrganisationKind.BUREAU, OrganisationKind.DEPARTMENT, OrganisationKind.TOWN_OFFICE,
                  OrganisationKind.CHARITY, OrganisationKind.RESCUE_STATION, OrganisationKind.BANK}
RESPONSIBILITY_EDITORS = (Role.DISPATCHER, Role.ADMIN)
HUKOU_TYPES = {"", "urban", "rural"}
RESERVED_CODES = {"standards", "responsibilities", "suggestions"}  # path segments of the pages and the API


class InvalidCatalogue(DomainError):
    code = "invalid_catalogue"
    status = 422


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


# --- loading the catalogue ----------------------------------------------------------------------------

@dataclass
class CatalogueResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    departments_created: int = 0
    responsibilities_created: int = 0
    standards_created: int = 0
    codes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"政策新建 {self.created} 项、更新 {self.updated} 项、未变 {self.unchanged} 项；"
                f"新建部门 {self.departments_created} 个、责任清单条目 {self.responsibilities_created} 条、"
                f"保障标准 {self.standards_created} 条")


# Field name in the file → (model field, default when the file leaves it out).
POLICY_FIELDS: dict[str, tuple[str, Any]] = {
    "name": ("name", None),
    "kind": ("kind", None),
    "subject": ("subject", PolicySubject.PERSON),
    "min_age": ("min_age", None),
    "max_age": ("max_age", None),
    "requires_disability": ("requires_disability", False),
    "requires_local_hukou": ("requires_local_hukou", False),
    "income_rule": ("income_rule", IncomeRule.NONE),
    "income_ratio": ("income_ratio", Decimal("1.00")),
    "required_documents": ("required_documents", []),
    "time_limit_days": ("time_limit_days", 30),
    "time_limit_covers": ("time_limit_covers", "受理至作出决定"),
    "notice_required": ("notice_required", False),
    "notice_days": ("notice_days", 7),
    "act_first_allowed": ("act_first_allowed", False),
    "review_frequency": ("review_frequency", ReviewFrequency.NONE),
    "amount_rule": ("amount_rule", ""),
    "guide": ("guide", ""),
    "keywords": ("keywords", ""),
    "life_situations": ("life_situations", []),
    "is_active": ("is_active", True),
    "order": ("order", 100),
}
KNOWN_KEYS = set(POLICY_FIELDS) | {"code", "department", "categories"}


def read_catalogue(path: Path | str | None = None) -> dict:
    path = Path(path) if path else CATALOGUE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InvalidCatalogue(f"找不到政策目录文件：{path}", details={"file": str(path)}) from exc
    except UnicodeDecodeError as exc:
        raise InvalidCatalogue(f"政策目录文件不是 UTF-8 编码：{path}", details={"file": str(path)}) from exc
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InvalidCatalogue(f"政策目录文件格式有误：{exc}", details={"file": str(path)}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("policies"), list):
        raise InvalidCatalogue("政策目录文件须包含 policies 列表。", details={"file": str(path)})
    return data


def _fail(where: str, message: str) -> InvalidCatalogue:
    return InvalidCatalogue(f"{where}：{message}", details={where: message})


def _as_decimal(value: Any, where: str, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise _fail(where, f"{name}“{value}”不是数字") from exc
    if not number.is_finite():
        raise _fail(where, f"{name}“{value}”不是数字")
    return number.quantize(Decimal("0.01"))


def _policy_values(entry: dict, where: str, departments: dict[str, Organisation]) -> dict:
    unknown = set(entry) - KNOWN_KEYS
    if unknown:
        raise _fail(where, f"未知的字段 {'、'.join(sorted(unknown))}")
    values = {}
    for key, (attr, default) in POLICY_FIELDS.items():
        value = entry.get(key, default)
        if value is None and default is not None:
            value = default
        values[attr] = value
    if not values["name"]:
        raise _fail(where, "缺少政策名称（name）")
    choices = {"kind": PolicyKind, "subject": PolicySubject, "income_rule": IncomeRule,
               "review_frequency": ReviewFrequency}
    for attr, enum in choices.items():
        if values[attr] not in enum.values:
            raise _fail(where, f"{attr} 的值“{values[attr]}”不在 {'、'.join(enum.values)} 之中")
    situations = values["life_situations"]
    if not isinstance(situations, list) or any(s not in LifeSituation.values for s in situations):
        raise _fail(where, f"life_situations 只能取 {'、'.join(LifeSituation.values)}")
    documents = values["required_documents"]
    if not isinstance(documents, list) or not all(isinstance(d, str) and d.strip() for d in documents):
        raise _fail(where, "required_documents 须为材料名称的列表")
    values["required_documents"] = [d.strip() for d in documents]
    values["income_ratio"] = _as_decimal(values["income_ratio"], where, "收入倍数")
    if values["income_ratio"] <= 0:
        raise _fail(where, "收入倍数须大于 0")
    for attr in ("min_age", "max_age"):
        if values[attr] is not None and (not isinstance(values[attr], int) or values[attr] < 0):
            raise _fail(where, f"{attr} 须为不小于 0 的整数")
    if values["min_age"] is not None and values["max_age"] is not None and values["min_age"] >= values["max_age"]:
        raise _fail(where, "最低年龄须小于最高年龄")
    if not isinstance(values["time_limit_days"], int) or values["time_limit_days"] <= 0:
        raise _fail(where, "办理时限（time_limit_days）须为正整数")
    for attr in ("name", "time_limit_covers", "amount_rule", "guide", "keywords"):
        values[attr] = str(values[attr]).strip()
        limit = Policy._meta.get_field(attr).max_length
        if limit and len(values[attr]) > limit:
            raise _fail(where, f"{attr} 超过 {limit} 个字")
    short = entry.get("department")
    if short not in departments:
        raise _fail(where, f"部门“{short}”未在 departments 中列出，也不是已有机构")
    values["department"] = departments[short]
    return values


def _departments(data: dict, result: CatalogueResult) -> dict[str, Organisation]:
    """Organisations by short name: the existing ones, and the file's departments created when missing."""
    by_short = {org.short_name: org for org in Organisation.objects.exclude(short_name="")}
    by_short.update({org.name: org for org in by_short.values()})
    for entry in data.get("departments") or []:
        short, name = entry.get("short_name"), entry.get("name")
        if not short or not name:
            raise _fail("departments", "每个部门须有 short_name 和 name")
        if short in by_short or name in by_short:
            by_short.setdefault(short, by_short.get(name))
            continue
        org = Organisation(name=name, short_name=short, kind=OrganisationKind.DEPARTMENT, area_id=DISTRICT)
        org.save()
        by_short[short] = by_short[name] = org
        result.departments_created += 1
    return by_short


def _load_standards(data: dict, actor: User | None, result: CatalogueResult) -> None:
    """The file's standards of each kind, only for a kind that has none yet (never overwrite the bureau's)."""
    existing = set(Standard.objects.values_list("kind", flat=True).distinct())
    for index, entry in enumerate(data.get("standards") or [], start=1):
        where = f"standards 第 {index} 条"
        kind = entry.get("kind")
        if kind not in StandardKind.values:
            raise _fail(where, f"标准类型“{kind}”不存在")
        if kind in existing:
            continue
        hukou_type = entry.get("hukou_type") or ""
        if hukou_type not in HUKOU_TYPES:
            raise _fail(where, f"城乡类别“{hukou_type}”只能是 urban、rural 或留空")
        starts = entry.get("effective_from")
        if not isinstance(starts, date) or starts.day != 1:
            raise _fail(where, "执行月份须为某月 1 日（如 2026-01-01）")
        standard = Standard(kind=kind, hukou_type=hukou_type, amount=_as_decimal(entry.get("amount"), where, "金额"),
                            effective_from=starts, basis=str(entry.get("basis") or "")[:200], created_by=actor)
        attribute_to(standard, actor)
        standard.save()
        result.standards_created += 1


@transaction.atomic
def load_catalogue(*, actor: User | None, path: Path | str | None = None) -> CatalogueResult:
    """Load the catalogue file: policies upserted by code (never deleted), missing departments created,
    a district-wide responsibility line for each policy that has none, and the initial standards of
    each kind that has none. Loading the same file again changes nothing."""
    data = read_catalogue(path)
    result = CatalogueResult()
    departments = _departments(data, result)
    categories = {c.code: c for c in Category.objects.all()}
    existing = {p.code: p for p in Policy.objects.prefetch_related("eligible_categories")}
    seen: set[str] = set()
    for index, entry in enumerate(data["policies"], start=1):
        if not isinstance(entry, dict) or not entry.get("code"):
            raise _fail(f"policies 第 {index} 条", "缺少政策代码（code）")
        code = str(entry["code"]).strip()
        where = f"政策 {code}"
        if code in seen:
            raise _fail(where, "政策代码重复")
        seen.add(code)
        if len(code) > 40 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
            raise _fail(where, "政策代码只能由字母、数字、- 和 _ 组成，最长 40 个字符")
        if code in RESERVED_CODES:
            raise _fail(where, f"“{code}”是系统保留字，不能作为政策代码")
        values = _policy_values(entry, where, departments)
        wanted_categories = entry.get("categories") or []
        unknown = [c for c in wanted_categories if c not in categories]
        if unknown:
            raise _fail(where, f"人员类别代码 {'、'.join(unknown)} 不存在")
        category_ids = {categories[c].pk for c in wanted_categories}
        policy = existing.get(code)
        if policy is None:
            policy = Policy(code=code, **values)
            attribute_to(policy, actor)
            policy.save()
            policy.eligible_categories.set(category_ids)
            result.created += 1
        else:
            changed = [attr for attr, value in values.items() if getattr(policy, attr) != value]
            current_ids = {c.pk for c in policy.eligible_categories.all()}
            if changed:
                for attr in changed:
                    setattr(policy, attr, values[attr])
                attribute_to(policy, actor)
                policy.save()
            if current_ids != category_ids:
                policy.eligible_categories.set(category_ids)
            if changed or current_ids != category_ids:
                result.updated += 1
            else:
                result.unchanged += 1
        result.codes.append(code)
    without_lines = Policy.objects.filter(code__in=seen, responsibilities__isnull=True).select_related("department")
    for policy in without_lines:
        line = Responsibility(policy=policy, area_id=DISTRICT, department=policy.department,
                              valid_from=DEFAULT_LINE_FROM, note="目录初始条目：全区由主管部门承办")
        attribute_to(line, actor)
        line.save()
        result.responsibilities_created += 1
    _load_standards(data, actor, result)
    return result


# --- the responsibility list ---------------------------------------------------------------------------

def may_edit_responsibilities(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        is_admin(user) or user.has_role(*RESPONSIBILITY_EDITORS))


def _check_editor(actor: User | None) -> None:
    if actor is None or not may_edit_responsibilities(actor):
        raise NotPermitted("只有区民政调度和系统管理员可以修改责任清单。")


def _check_staff_of(department: Organisation, users: Iterable[User], field_name: str) -> None:
    for user in users:
        if not user.is_active:
            raise InvalidInput(f"“{user.get_full_name() or user}”的账号已停用。",
                               details={field_name: "账号已停用，不能作为经办人。"})
        if user.organisation_id != department.pk:
            raise InvalidInput(f"“{user.get_full_name() or user}”不是{department}的工作人员。",
                               details={field_name: f"须为{department}的工作人员。"})


@transaction.atomic
def add_responsibility(*, actor: User | None, policy: Policy, area: Area, department: Organisation,
                       valid_from: date, handler: User | None = None, pool: Iterable[User] = (),
                       note: str = "") -> Responsibility:
    """A new line of the list. An open line for the same policy and area that started earlier ends on
    the day the new one starts, so at most one line per policy and area is in force. Tasks already
    created keep their department and handler: only tasks created from `valid_from` on use the line."""
    _check_editor(actor)
    pool = list(pool)
    if department.kind not in HANDLING_KINDS or not department.is_active:
        raise InvalidInput(f"“{department}”不能作为承办部门。", details={"department": "请选择职能部门、区民政局或镇（街、场）。"})
    if not area.is_current:
        raise InvalidInput(f"“{area.name}”已撤并，不能作为适用区域。", details={"area": "请选择在用的区划。"})
    if handler is not None:
        _check_staff_of(department, [handler], "handler")
    _check_staff_of(department, pool, "pool")
    same_place = Responsibility.objects.select_for_update().filter(policy=policy, area=area)
    later = [line for line in same_place if line.valid_from >= valid_from]
    if later:
        raise Conflict(f"该政策在“{area.name}”已有 {later[0].valid_from:%Y-%m-%d} 起的条目，新条目须晚于它生效。",
                       details={"valid_from": f"须晚于 {later[0].valid_from:%Y-%m-%d}。"})
    for line in same_place:
        if line.valid_to is None or line.valid_to > valid_from:
            line.valid_to = valid_from
            attribute_to(line, actor)
            line.save(update_fields=["valid_to"])
    line = Responsibility(policy=policy, area=area, department=department, handler=handler, valid_from=valid_from,
                          note=note.strip()[:200])
    attribute_to(line, actor)
    line.save()
    if pool:
        line.pool.set(pool)
    return line


@transaction.atomic
def end_responsibility(*, actor: User | None, responsibility: Responsibility, valid_to: date) -> Responsibility:
    """End a line from a day on (new tasks then follow a less specific line, or the policy's department)."""
    _check_editor(actor)
    line = Responsibility.objects.select_for_update().get(pk=responsibility.pk)
    if line.valid_to is not None and line.valid_to <= valid_to:
        raise Conflict(f"该条目已于 {line.valid_to:%Y-%m-%d} 失效。", details={"valid_to": "该条目已失效。"})
    if valid_to <= line.valid_from:
        raise InvalidInput("失效日期须晚于生效日期。",
                           details={"valid_to": f"须晚于生效日期 {line.valid_from:%Y-%m-%d}。"})
    line.valid_to = valid_to
    attribute_to(line, actor)
    line.save(update_fields=["valid_to"])
    return line


# --- standards -----------------------------------------------------------------------------------------

def may_set_standards(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_admin(user)


@transaction.atomic
def set_standard(*, actor: User | None, kind: str, amount: Decimal, effective_from: date, hukou_type: str = "",
                 basis: str = "") -> Standard:
    """A new standard from the first of a month; earlier months keep theirs (history is the table)."""
    if actor is None or not may_set_standards(actor):
        raise NotPermitted("只有系统管理员可以设定保障标准。")
    errors = {}
    if kind not in StandardKind.values:
        errors["kind"] = "请选择标准类型。"
    if hukou_type not in HUKOU_TYPES:
        errors["hukou_type"] = "城乡类别只能是城镇、农村或留空。"
    if amount is None or amount < 0:
        errors["amount"] = "金额不能为负数。"
    elif amount.as_tuple().exponent < -2:
        errors["amount"] = "金额最多保留两位小数。"
    elif amount >= Decimal("100000000"):
        errors["amount"] = "金额过大。"
    if effective_from.day != 1:
        errors["effective_from"] = "执行月份须从某月 1 日开始。"
    if errors:
        raise InvalidInput("保障标准有误：" + "；".join(errors.values()), details=errors)
    if Standard.objects.filter(kind=kind, hukou_type=hukou_type, effective_from=effective_from).exists():
        raise Conflict(f"{effective_from:%Y年%m月}起已有该标准；如需更正，请在系统管理后台修改该条记录。",
                       details={"effective_from": "该月已有标准。"})
    standard = Standard(kind=kind, hukou_type=hukou_type, amount=amount, effective_from=effective_from,
                        basis=basis.strip()[:200], created_by=actor)
    attribute_to(standard, actor)
    standard.save()
    standard_changed.send(sender=Standard, standard=standard, actor=actor)
    return standard
