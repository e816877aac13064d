"""Every change to the registry: people, households, memberships, categories, deaths, merges.

Each action runs in one transaction, checks its input with `validation.check_person` where people are
concerned, writes row history (attributed to the actor) and one `RegistryEvent` saying what happened.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import IO, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError
from onedoor.geo.models import Area

from . import importer
from .choices import CategorySource, CategorySubject, Relation
from .models import Category, CategoryAssignment, Household, HouseholdMember, Person, RegistryEvent
from .models_import import ImportBatch, ImportRow
from .signals import household_changed, person_died
from .validation import check_person

# Fields an edit may change; identity derivatives (pinyin, id_tail) follow from these.
EDITABLE = {
    "name", "id_number", "sex", "birth_date", "ethnicity", "phone", "phone2", "hukou_area", "hukou_type",
    "residence_area", "address", "marital_status", "health", "serious_illness", "disability_kind",
    "disability_grade", "work_capacity", "occupation", "monthly_income", "bank_name", "bank_account",
    "description",
}


class InvalidPerson(DomainError):
    """The person's data failed the checks; `details` maps each field to its Chinese message."""

    code = "invalid_person"
    status = 422


def _event(*, actor, code: str, area: Area, person: Person | None = None, household: Household | None = None,
           note: str = "", data: dict | None = None) -> RegistryEvent:
    return RegistryEvent.objects.create(actor=actor, code=code, area=area, person=person, household=household,
                                        note=note, data=data or {})


def _areas(values: dict[str, Any], data: dict[str, Any]) -> None:
    for key in ("residence_area", "hukou_area"):
        if key in data:
            area = data[key]
            values[key] = area if isinstance(area, Area) or area is None else Area.objects.filter(code=area).first()


def new_temp_identifier() -> str:
    """For people without an ID yet (found on patrol): T + date + random, never a valid ID number."""
    return f"T{timezone.localdate():%Y%m%d}{secrets.token_hex(4).upper()}"


@transaction.atomic
def register_person(*, actor, data: dict[str, Any], reason: str = "") -> Person:
    checked = check_person(data)
    values = checked.values
    _areas(values, data)
    if values.get("residence_area") is None:
        checked.errors.setdefault("residence_area", "请选择居住的村（社区）。")
    if not checked.ok:
        raise InvalidPerson("登记信息有误，请按提示修改。", details=checked.errors)
    if values.get("id_number") and Person.objects.filter(id_number=values["id_number"]).exists():
        raise Conflict("该身份证号码已经登记。", code="duplicate_id_number")
    if not values.get("id_number"):
        values["id_number"] = None
        values["temp_identifier"] = new_temp_identifier()
    person = Person(**{k: v for k, v in values.items() if k in EDITABLE | {"name_simplified", "name_pinyin",
                                                                           "name_initials", "id_tail",
                                                                           "temp_identifier", "self_care",
                                                                           "self_care_unable"}})
    attribute_to(person, actor)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        raise Conflict("该身份证号码已经登记。", code="duplicate_id_number") from exc
    _event(actor=actor, code="registered", area=person.residence_area, person=person, note=reason)
    return person


@transaction.atomic
def update_person(*, actor, person: Person, changes: dict[str, Any], reason: str) -> Person:
    """Change a registered person's fields; the event keeps before/after of what changed and why."""
    if not reason.strip():
        raise DomainError("修改已登记人员的信息必须说明理由。", code="reason_required")
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}", code="not_editable")
    if "id_number" in changes and not str(changes["id_number"] or "").strip() and person.id_number:
        raise DomainError("已登记的身份证号码不能删除；如登记有误，请填写正确的号码。", code="id_required")
    merged = {"id_number": person.id_number, "sex": person.sex, "birth_date": person.birth_date, **changes}
    checked = check_person(merged, partial=True)
    values = {k: v for k, v in checked.values.items()
              if k in changes or k in {"name_simplified", "name_pinyin", "name_initials", "id_tail", "sex",
                                       "birth_date"}}
    _areas(values, changes)
    if "residence_area" in changes and values.get("residence_area") is None:
        checked.errors["residence_area"] = "请选择居住的村（社区）。"
    if not checked.ok:
        raise InvalidPerson("修改的信息有误，请按提示修改。", details=checked.errors)
    if values.get("id_number") and Person.objects.filter(id_number=values["id_number"]).exclude(pk=person.pk).exists():
        raise Conflict("该身份证号码已经登记在另一人名下，请使用“合并重复人员”。", code="duplicate_id_number")
    before, after = {}, {}
    for key, value in values.items():
        old = getattr(person, key)
        if old != value:
            before[key], after[key] = _plain(old), _plain(value)
            setattr(person, key, value)
    if not after:
        return person
    if person.id_number and person.temp_identifier:
        person.temp_identifier = None  # the ID number has arrived: the temporary identifier retires
    attribute_to(person, actor)
    person.save()
    _event(actor=actor, code="updated", area=person.residence_area, person=person, note=reason,
           data={"before": before, "after": after})
    if "monthly_income" in after:
        # A member's income is part of the household's per-capita income (低保 补差).
        membership = person.memberships.filter(left_on__isnull=True).select_related("household").first()
        if membership is not None:
            household_changed.send(sender=Household, household=membership.household, actor=actor,
                                   on=timezone.localdate(), change="income_changed")
    return person


def _plain(value: Any) -> Any:
    if isinstance(value, Area):
        return value.code
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if value is not None and not isinstance(value, (int, str, list, bool)) else value


@transaction.atomic
def assess_self_care(*, actor, person: Person, unable: list[str], on: date | None = None) -> Person:
    checked = check_person({"self_care_unable": unable}, partial=True)
    if not checked.ok:
        raise InvalidPerson("自理能力评估有误。", details=checked.errors)
    before = person.self_care
    person.self_care_unable = checked.values["self_care_unable"]
    person.self_care = checked.values["self_care"]
    person.self_care_assessed_on = on or timezone.localdate()
    attribute_to(person, actor)
    person.save()
    _event(actor=actor, code="self_care_assessed", area=person.residence_area, person=person,
           data={"before": before, "after": person.self_care, "unable": person.self_care_unable})
    return person


@transaction.atomic
def record_death(*, actor, person: Person, death_date: date, reason: str = "") -> Person:
    """From the date of death the person drops out of everything active: open categories end and
    household memberships close on that date."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.death_date is not None:
        raise Conflict(f"已于 {person.death_date:%Y-%m-%d} 登记死亡。", code="already_deceased")
    if death_date > timezone.localdate():
        raise DomainError("死亡日期不能晚于今天。", code="future_death_date")
    if death_date < person.birth_date:
        raise DomainError("死亡日期不能早于出生日期。", code="death_before_birth")
    person.death_date = death_date
    attribute_to(person, actor)
    person.save()
    for assignment in person.category_assignments.filter(valid_to__isnull=True):
        _close_assignment(actor=actor, assignment=assignment, valid_to=max(death_date, assignment.valid_from
                                                                             + timedelta(days=1)),
                          reason="死亡")
    for membership in person.memberships.filter(left_on__isnull=True):
        membership.left_on = max(death_date, membership.joined_on)
        membership.left_reason = "死亡"
        attribute_to(membership, actor)
        membership.save()
    _event(actor=actor, code="deceased", area=person.residence_area, person=person, note=reason,
           data={"death_date": death_date.isoformat()})
    person_died.send(sender=Person, person=person, actor=actor)
    return person


@transaction.atomic
def create_household(*, actor, head: Person, residence_area: Area | None = None, address: str = "",
                     hukou_type: str = "", formed_on: date | None = None) -> Household:
    formed_on = formed_on or timezone.localdate()
    household = Household(head=head, residence_area=residence_area or head.residence_area,
                          address=address or head.address, hukou_type=hukou_type or head.hukou_type,
                          formed_on=formed_on)
    attribute_to(household, actor)
    household.save()
    _event(actor=actor, code="household_formed", area=household.residence_area, household=household,
           person=head)
    add_member(actor=actor, household=household, person=head, relation=Relation.HEAD, on=formed_on)
    return household


@transaction.atomic
def add_member(*, actor, household: Household, person: Person, relation: str, on: date | None = None) -> HouseholdMember:
    on = on or timezone.localdate()
    if relation not in Relation.values:
        raise DomainError(f"未知的家庭关系：{relation}", code="unknown_relation")
    if person.death_date and person.death_date <= on:
        raise DomainError(f"{person.name} 已登记死亡，不能加入家庭。", code="deceased")
    current = HouseholdMember.objects.filter(person=person, left_on__isnull=True).select_related("household").first()
    if current and current.household_id == household.pk:
        raise Conflict(f"{person.name} 已是本户成员。", code="already_member")
    if current:
        raise Conflict(f"{person.name} 目前属于 {current.household}，请先办理迁出。", code="in_another_household")
    membership = HouseholdMember(household=household, person=person, relation=relation, joined_on=on)
    attribute_to(membership, actor)
    membership.save()
    _event(actor=actor, code="member_joined", area=household.residence_area, household=household, person=person,
           data={"relation": relation, "on": on.isoformat()})
    household_changed.send(sender=Household, household=household, actor=actor, on=on, change="member_joined")
    return membership


@transaction.atomic
def remove_member(*, actor, household: Household, person: Person, on: date | None = None,
                  reason: str) -> HouseholdMember:
    on = on or timezone.localdate()
    membership = household.memberships.filter(person=person, left_on__isnull=True).first()
    if membership is None:
        raise DomainError(f"{person.name} 不是本户的现有成员。", code="not_member")
    if person.pk == household.head_id:
        raise DomainError("户主不能直接迁出，请先变更户主。", code="head_cannot_leave")
    membership.left_on = max(on, membership.joined_on)
    membership.left_reason = reason
    attribute_to(membership, actor)
    membership.save()
    _event(actor=actor, code="member_left", area=household.residence_area, household=household, person=person,
           note=reason, data={"on": on.isoformat()})
    household_changed.send(sender=Household, household=household, actor=actor, on=membership.left_on,
                           change="member_left")
    return membership


@transaction.atomic
def change_head(*, actor, household: Household, new_head: Person, reason: str) -> Household:
    if not household.memberships.filter(person=new_head, left_on__isnull=True).exists():
        raise DomainError(f"{new_head.name} 不是本户的现有成员，不能担任户主。", code="not_member")
    old_head = household.head
    household.memberships.filter(person=old_head, left_on__isnull=True).update(relation=Relation.OTHER)
    household.memberships.filter(person=new_head, left_on__isnull=True).update(relation=Relation.HEAD)
    household.head = new_head
    attribute_to(household, actor)
    household.save()
    _event(actor=actor, code="head_changed", area=household.residence_area, household=household, person=new_head,
           note=reason, data={"before": old_head.pk, "after": new_head.pk})
    household_changed.send(sender=Household, household=household, actor=actor, on=timezone.localdate(),
                           change="head_changed")
    return household


@transaction.atomic
def assign_category(*, actor, category: Category, valid_from: date, source: str, reason: str = "",
                    person: Person | None = None, household: Household | None = None) -> CategoryAssignment:
    if (person is None) == (household is None):
        raise DomainError("类别认定必须针对一个人或一个家庭。", code="subject_required")
    if category.subject == CategorySubject.PERSON and person is None:
        raise DomainError(f"“{category.name}”是针对个人的类别。", code="wrong_subject")
    if category.subject == CategorySubject.HOUSEHOLD and household is None:
        raise DomainError(f"“{category.name}”是针对家庭的类别。", code="wrong_subject")
    if source not in CategorySource.values:
        raise DomainError(f"未知的认定来源：{source}", code="unknown_source")
    if source == CategorySource.MANUAL and not reason.strip():
        raise DomainError("手工登记类别必须说明理由。", code="reason_required")
    if person is not None and person.death_date and person.death_date <= valid_from:
        raise DomainError(f"{person.name} 已登记死亡。", code="deceased")
    subject = person or household
    open_ = CategoryAssignment.objects.filter(category=category, valid_to__isnull=True,
                                              **({"person": person} if person else {"household": household}))
    if open_.exists():
        raise Conflict(f"{subject} 已在“{category.name}”类别中。", code="already_assigned")
    assignment = CategoryAssignment(category=category, person=person, household=household, valid_from=valid_from,
                                    area=subject.residence_area, source=source, reason=reason, created_by=actor)
    attribute_to(assignment, actor)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise Conflict(f"{subject} 已在“{category.name}”类别中。", code="already_assigned") from exc
    _event(actor=actor, code="category_assigned", area=assignment.area, person=person, household=household,
           note=reason, data={"category": category.code, "from": valid_from.isoformat(), "source": source})
    return assignment


def _close_assignment(*, actor, assignment: CategoryAssignment, valid_to: date, reason: str) -> None:
    assignment.valid_to = valid_to
    assignment.end_reason = reason
    attribute_to(assignment, actor)
    assignment.save(update_fields=["valid_to", "end_reason"])
    _event(actor=actor, code="category_ended", area=assignment.area, person=assignment.person,
           household=assignment.household, note=reason,
           data={"category": assignment.category.code, "to": valid_to.isoformat()})


@transaction.atomic
def end_category(*, actor, assignment: CategoryAssignment, valid_to: date, reason: str) -> CategoryAssignment:
    """Close the period: the subject is no longer in the category from `valid_to` on."""
    assignment = CategoryAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.valid_to is not None:
        raise Conflict(f"该类别已于 {assignment.valid_to:%Y-%m-%d} 终止。", code="already_ended")
    if valid_to <= assignment.valid_from:
        raise DomainError("终止日期必须晚于起始日期。", code="bad_period")
    if not reason.strip():
        raise DomainError("终止类别必须说明理由。", code="reason_required")
    _close_assignment(actor=actor, assignment=assignment, valid_to=valid_to, reason=reason)
    return assignment


@transaction.atomic
def merge_persons(*, actor, keep: Person, duplicate: Person, reason: str) -> Person:
    """Fold a duplicate registration into the one kept: its memberships, categories and events move over,
    an ID number the kept record lacks is taken over, and the duplicate stays (marked merged) for history."""
    if keep.pk == duplicate.pk:
        raise DomainError("不能把一个人与自己合并。", code="same_person")
    if duplicate.merged_into_id:
        raise Conflict("该记录已经合并过。", code="already_merged")
    if keep.id_number and duplicate.id_number and keep.id_number != duplicate.id_number:
        raise DomainError("两人身份证号码不同，不是同一人，不能合并。", code="different_ids")
    if not reason.strip():
        raise DomainError("合并必须说明理由。", code="reason_required")
    moved = {
        "memberships": _move_memberships(actor, keep, duplicate),
        "categories": _move_categories(actor, keep, duplicate),
        "events": RegistryEvent.objects.filter(person=duplicate).update(person=keep),
    }
    Household.objects.filter(head=duplicate).update(head=keep)
    taken_id = duplicate.id_number if not keep.id_number else None
    duplicate.merged_into = keep
    duplicate.id_number = None
    duplicate.temp_identifier = duplicate.temp_identifier or new_temp_identifier()
    attribute_to(duplicate, actor)
    duplicate.save()
    if taken_id:
        keep.id_number, keep.id_tail, keep.temp_identifier = taken_id, taken_id[-6:], None
        attribute_to(keep, actor)
        keep.save()
    for person in (keep, duplicate):
        _event(actor=actor, code="merged", area=person.residence_area, person=person, note=reason,
               data={"kept": keep.pk, "duplicate": duplicate.pk, "moved": moved})
    return keep


def _move_memberships(actor, keep: Person, duplicate: Person) -> int:
    keep_current = keep.memberships.filter(left_on__isnull=True).exists()
    moved = 0
    for membership in duplicate.memberships.all():
        if membership.left_on is None and keep_current:
            membership.left_on, membership.left_reason = max(timezone.localdate(), membership.joined_on), "合并"
        membership.person = keep
        attribute_to(membership, actor)
        membership.save()
        moved += 1
    return moved


def _move_categories(actor, keep: Person, duplicate: Person) -> int:
    moved = 0
    for assignment in duplicate.category_assignments.all():
        clash = assignment.valid_to is None and keep.category_assignments.filter(
            category=assignment.category, valid_to__isnull=True).exists()
        if clash:  # the kept record is already in this category: the duplicate's period ends here
            assignment.valid_to = max(timezone.localdate(), assignment.valid_from + timedelta(days=1))
            assignment.end_reason = "合并"
        assignment.person = keep
        attribute_to(assignment, actor)
        assignment.save()
        moved += 1
    return moved


# --- bulk import (the staged flow of docs/subsystems/registry-import.md) -----------------------------
# The machinery (reading files, checking rows, set-based writes) lives in `importer`; these are the state
# changes of an import batch that pages, jobs, the command line and the bench call.

def create_import_batch(*, actor, file: IO[bytes] | File, filename: str, area: Area | None, strict: bool = False,
                        kind: str = "persons") -> ImportBatch:
    """Store an uploaded file as a new batch (已上传); nothing is read yet."""
    return importer.create_batch(actor=actor, file=file, filename=filename, area=area, strict=strict, kind=kind)


def validate_import_batch(*, actor, batch: ImportBatch, progress: Any = None, echo=None) -> ImportBatch:
    """Check and stage every row of the batch's file (已校验，待导入), or fail the batch on an unusable file."""
    return importer.validate_batch(batch, actor=actor, progress=progress, echo=echo)


def decide_import_duplicate(*, actor, batch: ImportBatch, row_number: int, decision: str) -> ImportRow:
    """A person's verdict on a possible duplicate: "new" registers the row, "skip" leaves it out."""
    return importer.decide_duplicate(actor=actor, batch=batch, row_number=row_number, decision=decision)


def commit_import_batch(*, actor, batch: ImportBatch, progress: Any = None, echo=None) -> ImportBatch:
    """Write the batch's committable rows to the registry in resumable windows (已导入)."""
    return importer.commit_batch(batch, actor=actor, progress=progress, echo=echo)


def rollback_import_batch(*, actor, batch: ImportBatch, progress: Any = None) -> ImportBatch:
    """Undo what the batch wrote (已回滚), or refuse with the reason when something now depends on it."""
    return importer.rollback_batch(batch, actor=actor, progress=progress)
