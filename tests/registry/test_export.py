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
from onedoor.registry import actions
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
    batch = actions.create_import_batch(actor=clerk, file=ContentFile(content), filename="名册.xlsx", area=world.wuxian)
    batch = actions.validate_import_batch(batch=batch, actor=clerk)
    assert batch.counts["unchanged"] == 2 and batch.counts["total"] == 2, list(batch.rows.values("errors"))
    assert batch.ignored_columns == ["死亡日期"]


def test_a_person_without_an_id_exports_the_temporary_identifier(world):
    person = actions.register_person(actor=None, data={"name": "无名氏", "sex": "男", "birth_date": "1970-01-01",
                                                       "residence_area": world.wuxian_village})
    _, rows = exported(world.user("clerk.wuxian"))
    assert [r["身份证号"] for r in rows] == [person.temp_identifier]


# --- the command line ------------------------------------------------------------------------------

def test_export_command_writes_the_accounts_scope_masked_and_logs_it(world, family, tmp_path):
    # given
    from django.core.management import call_command

    head, _ = family
    out = tmp_path / "名册.xlsx"
    # when
    call_command("export", "persons", str(out), "--user", "clerk.wuxian", stdout=io.StringIO())
    # then: the same file as the page's job, for the same account
    with read_rows(out, filename=out.name) as table:
        rows = [values for _, values in table]
    assert {r["姓名"] for r in rows} == {"张大山", "+李小花"}
    assert head.id_number not in {r["身份证号"] for r in rows} and mask_id_number(head.id_number) in {r["身份证号"] for r in rows}
    log = AccessLog.objects.filter(action="export").latest("at")
    assert log.actor == world.user("clerk.wuxian") and log.details == {"rows": 2, "unmasked": False, "area": ""}
    assert log.reason == "命令行导出救助对象名册"


def test_export_command_without_an_account_exports_everyone_and_one_area_on_request(world, family, tmp_path):
    from django.core.management import call_command

    everyone, lianhua = tmp_path / "all.xlsx", tmp_path / "lianhua.xlsx"
    call_command("export", "persons", str(everyone), stdout=io.StringIO())
    call_command("export", "persons", str(lianhua), "--area", world.lianhua.code, stdout=io.StringIO())
    with read_rows(everyone, filename="all.xlsx") as table:
        assert {values["姓名"] for _, values in table} == {"张大山", "+李小花", "黄莲花"}
    with read_rows(lianhua, filename="lianhua.xlsx") as table:
        assert [values["姓名"] for _, values in table] == ["黄莲花"]
    logs = AccessLog.objects.filter(action="export").order_by("at")
    assert [(log.actor, log.details["rows"], log.details["area"]) for log in logs] == [
        (None, 3, ""), (None, 1, world.lianhua.code)]


def test_export_command_refuses_bad_arguments_with_exit_2(world, family, tmp_path):
    from django.core.management import CommandError, call_command

    out = tmp_path / "x.xlsx"
    cases = [
        (["--user", "nobody"], "没有账号"),
        (["--area", "999999999999"], "没有区划代码"),
        (["--user", "leader", "--unmask", "--reason", "看看"], "不能导出完整证件号码"),
        (["--user", "clerk.wuxian", "--unmask"], "必须说明理由"),
    ]
    for extra, message in cases:
        with pytest.raises(CommandError, match=message) as caught:
            call_command("export", "persons", str(out), *extra, stdout=io.StringIO())
        assert caught.value.returncode == 2
    assert not out.exists() and not AccessLog.objects.filter(action="export").exists()
    # an unmasked export for a role that may, with a reason, holds the full numbers and says so in the log
    call_command("export", "persons", str(out), "--user", "clerk.wuxian", "--unmask", "--reason", "核对",
                 stdout=io.StringIO())
    with read_rows(out, filename=out.name) as table:
        assert family[0].id_number in {values["身份证号"] for _, values in table}
    assert AccessLog.objects.get(action="export").details["unmasked"] is True
