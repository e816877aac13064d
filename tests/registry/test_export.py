"""Export of the registry: scoped, masked unless the user may unmask and asks, formulas never live,
always in the access log, run as a job; and an unmasked export imports back unchanged."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase

from onedoor.core.exceptions import NotPermitted
from onedoor.core.idnumber import mask_id_number
from onedoor.core.models import AccessLog, Job
from onedoor.core.tabular import read_rows
from onedoor.registry import actions, importer
from onedoor.registry.exporter import export_persons
from onedoor.registry.models import Category


@pytest.fixture
def family(world, make_person):
    clerk = world.user("clerk.wuxian")
    head = make_person("张大山", seq=101, address="=HYPERLINK(\"http://evil\",\"点我\")")
    spouse = make_person("+李小花", seq=102, birth=date(1955, 6, 7), address="@SUM(A1:A9)", phone="13800000000")
    actions.update_person(actor=clerk, person=spouse, changes={"address": "-2+3"}, reason="测试")
    household = actions.create_household(actor=clerk, head=head)
    actions.add_member(actor=clerk, household=household, person=spouse, relation="spouse")
    actions.assign_category(actor=clerk, category=Category.objects.get(code="dibao"), household=household,
                            valid_from=date(2025, 1, 1), source="manual", reason="审批")
    actions.assign_category(actor=clerk, category=Category.objects.get(code="severe_disability"), person=head,
                            valid_from=date(2025, 1, 1), source="manual", reason="审批")
    make_person("黄莲花", seq=103, area=world.lianhua_village)
    return head, spouse


def exported(user, **options) -> tuple[bytes, list[dict]]:
    buffer = io.BytesIO()
    export_persons(user=user, target=buffer, **options)
    content = buffer.getvalue()
    return content, [values for _, values in read_rows(io.BytesIO(content), filename="x.xlsx")]


def test_export_holds_only_the_users_scope_with_masked_ids(world, family):
    head, spouse = family
    _, rows = exported(world.user("clerk.wuxian"))
    by_name = {r["姓名"]: r for r in rows}
    assert set(by_name) == {"张大山", "+李小花"}  # not 黄莲花 of 莲花镇
    assert by_name["张大山"]["身份证号"] == mask_id_number(head.id_number)
    assert by_name["+李小花"]["户主身份证号"] == mask_id_number(head.id_number)
    assert by_name["+李小花"]["与户主关系"] == "配偶" and by_name["张大山"]["与户主关系"] == "户主"
    assert by_name["张大山"]["人员类别"] == "低保、重度残疾" and by_name["+李小花"]["人员类别"] == "低保"
    assert by_name["张大山"]["出生日期"] == "1952-03-04" and by_name["张大山"]["性别"] == "男"
    assert by_name["张大山"]["区划代码"] == world.wuxian_village.code
    _, lianhua_rows = exported(world.user("clerk.lianhua"))
    assert [r["姓名"] for r in lianhua_rows] == ["黄莲花"]


def test_unmasking_needs_a_role_that_may_and_a_reason(world, family):
    head, _ = family
    _, rows = exported(world.user("clerk.wuxian"), unmask=True, reason="核对低保名单")
    assert {r["身份证号"] for r in rows} >= {head.id_number}
    log = AccessLog.objects.filter(action="export").latest("at")
    assert log.actor == world.user("clerk.wuxian") and log.details["unmasked"] is True
    assert log.reason == "核对低保名单" and log.details["rows"] == 2
    with pytest.raises(NotPermitted):
        exported(world.user("leader"), unmask=True, reason="看看")
    with pytest.raises(NotPermitted):
        exported(world.user("clerk.wuxian"), unmask=True, reason=" ")


def test_every_export_of_personal_data_is_logged(world, family):
    before = AccessLog.objects.filter(action="export").count()
    exported(world.user("clerk.wuxian"))
    exported(world.user("leader"))
    logs = AccessLog.objects.filter(action="export").order_by("at")[before:]
    assert [(log.actor.username, log.details["unmasked"]) for log in logs] == [("clerk.wuxian", False),
                                                                              ("leader", False)]


def test_cells_that_look_like_formulas_stay_text(world, family):
    content, rows = exported(world.user("clerk.wuxian"))
    addresses = {r["住址"] for r in rows}
    assert addresses == {"=HYPERLINK(\"http://evil\",\"点我\")", "-2+3"}
    assert "+李小花" in {r["姓名"] for r in rows}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula cells at all
    cells = re.findall(r'<c r="H\d+"[^>]*t="(\w+)"', sheet)  # the address column
    assert cells and set(cells) <= {"s", "inlineStr", "str"}


def test_export_runs_as_a_job_and_its_download_is_logged(world, family, login):
    client = login("clerk.wuxian")
    assert "导出完整身份证号码" in client.get("/registry/import/export/").content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/registry/import/export/", {"area": world.wuxian.code})
    job = Job.objects.filter(kind="registry.export_persons").latest("pk")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "succeeded" and job.counts == {"persons": 2} and job.done == job.total == 2
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert AccessLog.objects.filter(action="download", target_id=str(job.pk)).exists()
    assert AccessLog.objects.filter(action="export", actor=world.user("clerk.wuxian")).exists()


def test_unmask_without_reason_is_refused_on_the_form_and_hidden_from_leaders(world, family, login):
    client = login("clerk.wuxian")
    response = client.post("/registry/import/export/", {"unmask": "on", "reason": ""})
    assert response.status_code == 200 and "必须说明理由" in response.content.decode()
    assert not Job.objects.filter(kind="registry.export_persons").exists()
    assert "导出完整身份证号码" not in login("leader").get("/registry/import/export/").content.decode()


def test_an_unmasked_export_imports_back_unchanged(world, family):
    clerk = world.user("clerk.wuxian")
    content, _ = exported(clerk, unmask=True, reason="备份")
    batch = importer.create_batch(actor=clerk, file=ContentFile(content), filename="名册.xlsx", area=world.wuxian)
    batch = importer.validate_batch(batch, actor=clerk)
    assert batch.counts["unchanged"] == 2 and batch.counts["total"] == 2, list(batch.rows.values("errors"))
    assert batch.ignored_columns == ["死亡日期"]


def test_a_person_without_an_id_exports_the_temporary_identifier(world):
    person = actions.register_person(actor=None, data={"name": "无名氏", "sex": "男", "birth_date": "1970-01-01",
                                                       "residence_area": world.wuxian_village})
    _, rows = exported(world.user("clerk.wuxian"))
    assert [r["身份证号"] for r in rows] == [person.temp_identifier]
