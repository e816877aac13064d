"""Demo district, registry part: the synthetic households of `onedoor.demo.synth` (as many as the
`--scale` asks, drawn from `--seed`), loaded through the bulk import itself (so the demo also shows an
import batch), then completed with what an import file does not carry: urban/rural, monthly incomes,
bank accounts, the self-care assessment of the 特困 people, and the dates the families and their
categories have existed since (before the demo year, so the year's payroll finds them).
Idempotent: once the demo people are registered, running it again changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from onedoor.demo import synth
from onedoor.demo.steps import demo_step, refresh_statistics
from onedoor.geo.choices import VILLAGE_LEVELS
from onedoor.geo.models import Area

from . import actions, importer
from .models import CategoryAssignment, Household, HouseholdMember, Person
from .models_import import ImportBatch, ImportRow

DEMO_FILENAME = "演示救助对象.csv"
HEADER = ["姓名", "身份证号", "联系电话", "区划代码", "住址", "户主身份证号", "与户主关系", "人员类别"]


def demo_villages() -> list[tuple[str, str]]:
    return list(Area.objects.current().filter(code__startswith="350212", level__in=VILLAGE_LEVELS)
                .order_by("code").values_list("code", "name"))


def demo_families(options: dict) -> tuple[synth.Plan, list[synth.Family]]:
    plan = synth.plan_for(options, timezone.localdate())
    villages = demo_villages()
    return plan, (synth.Generator(plan, villages).families() if villages else [])


def demo_rows(options: dict | None = None) -> list[list[str]]:
    plan, families = demo_families(options or {})
    rows: list[list[str]] = []
    for family in families:
        for member in family.members:
            rows.append([member.name, member.id_number, synth.phone(plan.seed, member.id_number)
                         if member.relation == "户主" else "", family.area_code, family.address,
                         family.head.id_number, member.relation, "、".join(member.categories)])
    return rows


@demo_step(40, "救助对象")
def load_demo_persons(options: dict) -> str:
    rows = demo_rows(options)
    if not rows:
        return "没有村（社区）区划，跳过"
    if Person.objects.filter(id_number=rows[0][1]).exists():
        return f"已有 {Person.objects.count()} 名救助对象，未重复导入"
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    batch = actions.create_import_batch(actor=None, file=ContentFile(text.getvalue().encode("utf-8-sig")),
                                         filename=DEMO_FILENAME, area=None)
    batch = actions.validate_import_batch(actor=None, batch=batch)
    batch = actions.commit_import_batch(actor=None, batch=batch)
    refresh_statistics()
    return f"导入 {batch.count('committed')} 名救助对象（{importer.summary(batch)}）"


def _backdate(person_ids, since: date) -> None:
    """The families existed before the demo year: memberships, households and categories date from
    `since` (or a child's birth), not from the day of the import."""
    born = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("birth_date")[:1])
    members = HouseholdMember.objects.filter(person_id__in=person_ids, joined_on__gt=since)
    members.filter(person__birth_date__lte=since).update(joined_on=since)
    members.filter(person__birth_date__gt=since).update(joined_on=born)
    Household.objects.filter(head_id__in=person_ids, formed_on__gt=since).update(formed_on=since)
    assignments = CategoryAssignment.objects.filter(valid_from__gt=since)
    assignments.filter(household__head_id__in=person_ids).update(valid_from=since)
    assignments.filter(person_id__in=person_ids, person__birth_date__lte=since).update(valid_from=since)
    assignments.filter(person_id__in=person_ids, person__birth_date__gt=since).update(valid_from=born)


@demo_step(41, "户口性质与自理能力")
def complete_demo_persons(options: dict) -> str:
    """The 台账 columns the demo import does not carry: urban/rural by the kind of area (社区 → 城镇,
    村 → 农村); incomes, bank accounts and the family dates from the generator; a self-care
    assessment for the 特困 people (their care standard depends on it)."""
    from onedoor.geo.choices import AreaLevel

    from .choices import HukouType

    blank = Person.objects.filter(hukou_type="")
    urban = blank.filter(residence_area__level=AreaLevel.COMMUNITY).update(hukou_type=HukouType.URBAN)
    rural = blank.filter(residence_area__level=AreaLevel.VILLAGE).update(hukou_type=HukouType.RURAL)
    Household.objects.filter(hukou_type="", head__hukou_type__in=HukouType.values).update(
        hukou_type=Subquery(Person.objects.filter(pk=OuterRef("head_id")).values("hukou_type")[:1]))

    plan, families = demo_families(options)
    completed = 0
    batch = ImportBatch.objects.filter(filename=DEMO_FILENAME, status="committed").order_by("pk").first()
    if batch is not None and families:
        since = date(plan.year - 3, 1, 1)
        on = date(plan.year, 1, 1)
        by_id = {m.id_number: (family, m) for family in families for m in family.members}
        people = [(pk, number, born) for pk, number, born in ImportRow.objects.filter(batch=batch).values_list(
            "person_id", "person__id_number", "person__birth_date") if number in by_id]
        rows = []
        for pk, number, born in people:
            family, member = by_id[number]
            income = synth.monthly_income(plan.seed, number, family.kind, member.relation, synth.age_on(born, on))
            rows.append((income, synth.BANK_NAME, synth.bank_account(plan.seed, number), pk))
        # One prepared UPDATE executed per row (bulk_update's CASE expressions cost a minute at article scale).
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {Person._meta.db_table} SET monthly_income = %s, bank_name = %s, "
                               f"bank_account = %s WHERE id = %s AND bank_account = ''", rows)
        ids = [pk for pk, *_ in people]
        for start in range(0, len(ids), 2000):
            _backdate(ids[start:start + 2000], since)
        completed = len(people)

    assessed = 0
    for person in Person.objects.filter(self_care="", category_assignments__category__code="tekun",
                                        category_assignments__valid_to__isnull=True).order_by("pk"):
        seed = plan.seed if person.id_number else 0
        actions.assess_self_care(actor=None, person=person, unable=synth.self_care_unable(seed, person.id_number or ""))
        assessed += 1
    return f"城镇 {urban} 人，农村 {rural} 人；补全收入和银行账户 {completed} 人；评估自理能力 {assessed} 人"
