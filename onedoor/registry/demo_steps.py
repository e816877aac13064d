"""Demo district, registry part: a small synthetic set of households and people in a few villages of
each town, with their categories, loaded through the bulk import itself (so the demo also shows an
import batch). Idempotent: once the demo people are registered, running it again changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db.models import OuterRef, Subquery

from onedoor.core.idnumber import make_id_number
from onedoor.demo.steps import demo_step
from onedoor.geo.choices import VILLAGE_LEVELS
from onedoor.geo.models import Area

from . import actions, importer
from .models import Household, Person

SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪苏叶庄曾"
GIVEN = "文秀金玉明华美丽春国志建英兰淑芬荣福德水清"
# (relation, age offset from the head, categories) for each household shape.
SHAPES = [
    [("户主", 0, "特困供养")],
    [("户主", 0, "低保"), ("配偶", -3, ""), ("子女", -28, "困境儿童")],
    [("户主", 0, "低保边缘"), ("配偶", 2, "重度残疾")],
    [("户主", 0, ""), ("孙子女", -55, "事实无人抚养儿童、留守儿童")],
    [("户主", 0, "就业困难人员"), ("子女", -25, ""), ("父母", 27, "重度残疾")],
]
HOUSEHOLDS_PER_VILLAGE = 2
VILLAGES_PER_TOWN = 2
FIRST_SEQUENCE = 700  # demo ID numbers use sequences 700-999, away from the tests' small numbers


def demo_rows() -> list[list[str]]:
    towns = Area.objects.current().filter(parent_id="350212000000").order_by("code")
    rows: list[list[str]] = []
    n = 0
    for town in towns:
        villages = Area.objects.current().filter(parent=town, level__in=VILLAGE_LEVELS).order_by("code")
        for village in villages[:VILLAGES_PER_TOWN]:
            for _ in range(HOUSEHOLDS_PER_VILLAGE):
                shape = SHAPES[n % len(SHAPES)]
                head_birth = date(1950, 1, 1) + timedelta(days=97 * n)
                head_id = ""
                for index, (relation, offset, categories) in enumerate(shape):
                    born = date(head_birth.year - offset, head_birth.month, min(head_birth.day, 28))
                    number = make_id_number("350212", born, FIRST_SEQUENCE + (n * 7 + index) % 300)
                    head_id = head_id or number
                    name = SURNAMES[(n + index) % len(SURNAMES)] + GIVEN[(n * 3 + index) % len(GIVEN)] \
                        + GIVEN[(n * 5 + index * 2) % len(GIVEN)]
                    phone = f"139{n:04d}{index:04d}" if index == 0 else ""
                    rows.append([name, number, phone, village.code, f"{village.name}{n % 40 + 1}号", head_id,
                                 relation, categories])
                n += 1
    return rows


@demo_step(40, "救助对象")
def load_demo_persons(options: dict) -> str:
    rows = demo_rows()
    if not rows:
        return "没有村（社区）区划，跳过"
    if Person.objects.filter(id_number=rows[0][1]).exists():
        return f"已有 {Person.objects.count()} 名救助对象，未重复导入"
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["姓名", "身份证号", "联系电话", "区划代码", "住址", "户主身份证号", "与户主关系", "人员类别"])
    writer.writerows(rows)
    batch = actions.create_import_batch(actor=None, file=ContentFile(text.getvalue().encode("utf-8-sig")),
                                         filename="演示救助对象.csv", area=None)
    batch = actions.validate_import_batch(actor=None, batch=batch)
    batch = actions.commit_import_batch(actor=None, batch=batch)
    return f"导入 {batch.count('committed')} 名救助对象（{importer.summary(batch)}）"


@demo_step(41, "户口性质与自理能力")
def complete_demo_persons(options: dict) -> str:
    """The 台账 columns the demo import does not carry: urban/rural by the kind of area (社区 → 城镇,
    村 → 农村), and a self-care assessment for the 特困 people (their care standard depends on it)."""
    from onedoor.geo.choices import AreaLevel

    from .choices import HukouType

    blank = Person.objects.filter(hukou_type="")
    urban = blank.filter(residence_area__level=AreaLevel.COMMUNITY).update(hukou_type=HukouType.URBAN)
    rural = blank.filter(residence_area__level=AreaLevel.VILLAGE).update(hukou_type=HukouType.RURAL)
    Household.objects.filter(hukou_type="", head__hukou_type__in=HukouType.values).update(
        hukou_type=Subquery(Person.objects.filter(pk=OuterRef("head_id")).values("hukou_type")[:1]))
    assessed = 0
    for person in Person.objects.filter(self_care="", category_assignments__category__code="tekun",
                                        category_assignments__valid_to__isnull=True):
        # Alternate the tiers so the demo shows all three care standards.
        unable = [[], ["bathing"], ["bathing", "walking", "toilet", "dressing"]][person.pk % 3]
        actions.assess_self_care(actor=None, person=person, unable=unable)
        assessed += 1
    return f"城镇 {urban} 人，农村 {rural} 人；评估自理能力 {assessed} 人"
