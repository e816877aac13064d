"""Export of the registry to xlsx: only the people the user may see, ID numbers masked unless the user's
role may unmask and asks (with a reason), streamed in constant memory, and always written to the access
log. The columns are the import template's, so an unmasked export can be edited and imported again.

Text cells are written as strings (`core.tabular.write_xlsx`), so a name such as "=HYPERLINK(…)" or
"+86 138…" stays text: a spreadsheet never evaluates it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from onedoor.core.audit import log_access
from onedoor.core.choices import AccessAction
from onedoor.core.exceptions import NotPermitted
from onedoor.core.idnumber import mask_id_number
from onedoor.core.scoping import in_subtree
from onedoor.core.tabular import Column, Sheet, write_xlsx

from .importer import TEMPLATE_HEADERS, Meter
from .models import CategoryAssignment, HouseholdMember, Person
from .selectors import may_unmask

EXPORT_CHUNK = 2000

COLUMNS = [
    *(Column(header, width=22 if "身份证" in header else None, kind="date" if header == "出生日期" else "text")
      for header in TEMPLATE_HEADERS.values()),
    Column("死亡日期", kind="date"),
]


def people_to_export(user: Any, *, area: str | None = None):
    """The people the user may see (merged duplicates left out), with their current household. `user`
    None is the operator at the command line (`onedoor export persons` without --user): no scope limit,
    as for `onedoor import`."""
    people = (Person.objects.all() if user is None else Person.objects.visible_to(user)).filter(
        merged_into__isnull=True)
    if area:
        people = people.filter(in_subtree("residence_area", area))
    membership = HouseholdMember.objects.filter(person=OuterRef("pk"), left_on__isnull=True)
    return (people.select_related("residence_area")
            .annotate(household_id=Subquery(membership.values("household_id")[:1]),
                      head_number=Subquery(membership.values("household__head__id_number")[:1]),
                      head_temp=Subquery(membership.values("household__head__temp_identifier")[:1]),
                      relation=Subquery(membership.values("relation")[:1]))
            .order_by("pk"))


def _identifier(number: str | None, temp: str | None, *, unmask: bool) -> str:
    if number:
        return number if unmask else mask_id_number(number)
    return temp or ""


def _category_names(people: list[Person]) -> dict[tuple[str, int], list[tuple[int, str]]]:
    """Open categories of a chunk's people and of their households: two keyed lists, one query."""
    person_ids = [p.pk for p in people]
    household_ids = [p.household_id for p in people if p.household_id]
    names: dict[tuple[str, int], list[tuple[int, str]]] = {}
    found = CategoryAssignment.objects.filter(Q(person_id__in=person_ids) | Q(household_id__in=household_ids),
                                              valid_to__isnull=True)
    for person_id, household_id, order, name in found.values_list(
            "person_id", "household_id", "category__order", "category__name"):
        key = ("p", person_id) if person_id else ("h", household_id)
        names.setdefault(key, []).append((order, name))
    return names


def export_rows(people, *, unmask: bool, meter: Meter | None = None) -> Iterator[list[Any]]:
    """One list of cells per person, read in chunks (constant memory)."""
    from .choices import Relation

    relations = dict(Relation.choices)
    chunk: list[Person] = []

    def flush() -> Iterator[list[Any]]:
        categories = _category_names(chunk)
        for p in chunk:
            names = sorted(categories.get(("p", p.pk), []) + categories.get(("h", p.household_id), []))
            yield [
                p.name, _identifier(p.id_number, p.temp_identifier, unmask=unmask), p.get_sex_display(),
                p.birth_date, p.phone, p.residence_area_id, p.residence_area.name, p.address,
                _identifier(p.head_number, p.head_temp, unmask=unmask),
                str(relations.get(p.relation, "")) if p.relation else "", "、".join(n for _, n in names), p.death_date,
            ]
        if meter is not None:
            meter.advance(len(chunk))

    for person in people.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(person)
        if len(chunk) == EXPORT_CHUNK:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def export_persons(*, user: Any, target: Any, unmask: bool = False, reason: str = "", area: str | None = None,
                   progress: Any = None) -> int:
    """Write the user's registry to `target` (a path or binary file); returns the number of people.
    The export is logged even when it is masked: it is still personal data leaving the system."""
    if unmask and not may_unmask(user):
        raise NotPermitted("您的角色不能导出完整证件号码。")
    if unmask and not reason.strip():
        raise NotPermitted("导出完整证件号码必须说明理由。")
    people = people_to_export(user, area=area)
    meter = Meter(progress)
    meter.set_total(people.count())
    write_xlsx(target, [Sheet("救助对象", COLUMNS, export_rows(people, unmask=unmask, meter=meter))])
    log_access(actor=user, action=AccessAction.EXPORT, target_label="救助对象名册",
               reason=(reason or "导出救助对象名册")[:200],
               details={"rows": meter.done, "unmasked": unmask, "area": area or ""})
    return meter.done
