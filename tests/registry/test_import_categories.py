"""Import of category periods for people already registered (`onedoor import categories FILE`): the
staged flow of the persons import with its own columns (身份证号, 人员类别, 起始日期, 终止日期, optional 姓名),
periods that never overwrite or overlap what is recorded, household categories on the current household,
resumable commit, rollback, the command line."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from onedoor.core.exceptions import Conflict
from onedoor.core.idnumber import make_id_number
from onedoor.core.tabular import Column, Sheet, TableError, write_xlsx
from onedoor.registry import actions
from onedoor.registry.importer_categories import map_category_headers
from onedoor.registry.models import Category, CategoryAssignment, RegistryEvent

HEADERS = ["序号", "姓名", "公民身份号码", "人员类别", "起始日期", "终止日期"]


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def stage(world, content: bytes, *, filename="类别.csv", actor="clerk.wuxian", area=None, strict=False):
    user = world.user(actor)
    batch = actions.create_import_batch(actor=user, file=ContentFile(content), filename=filename, kind="categories",
                                        area=area or world.wuxian, strict=strict)
    return actions.validate_import_batch(actor=user, batch=batch)


def outcome_and_errors(batch) -> dict[int, tuple[str, list[str]]]:
    return {r.row_number: (r.outcome, [e["message"] for e in r.errors]) for r in batch.rows.order_by("row_number")}


def category(code: str) -> Category:
    return Category.objects.get(code=code)


@pytest.fixture
def family(world, make_person):
    clerk = world.user("clerk.wuxian")
    head = make_person("张大山", seq=101)
    spouse = make_person("李小花", seq=102, birth=date(1955, 6, 7))
    loner = make_person("王孤", seq=103)
    household = actions.create_household(actor=clerk, head=head, formed_on=date(2020, 1, 1))
    actions.add_member(actor=clerk, household=household, person=spouse, relation="spouse", on=date(2020, 1, 1))
    return head, spouse, loner, household


def test_a_category_file_needs_id_category_and_start_columns():
    columns = map_category_headers(["序号", "姓名", "身份證號碼", "救助类别", "认定日期", "停发日期", "备注"])
    assert columns.headers == {"name": "姓名", "id_number": "身份證號碼", "categories": "救助类别",
                               "valid_from": "认定日期", "valid_to": "停发日期"}
    assert columns.ignored == ["序号", "备注"]
    with pytest.raises(TableError, match="起始日期"):
        map_category_headers(["身份证号", "人员类别"])


def test_periods_are_staged_committed_with_events_and_household_categories_go_to_the_household(world, family):
    # given: a 特困 period for a person, 低保 listed on both members' rows (one household period),
    # a closed historic period, and 重度残疾 already recorded the same way
    head, spouse, loner, household = family
    clerk = world.user("clerk.wuxian")
    actions.assign_category(actor=clerk, category=category("severe_disability"), person=head,
                            valid_from=date(2025, 3, 1), source="decision")
    content = csv_bytes([
        ["1", "王孤", loner.id_number, "特困供养", "2025-01-01", ""],
        ["2", "张大山", head.id_number, "低保、重度残疾", "2025年3月1日", ""],
        ["3", "李小花", spouse.id_number, "低保", "2025/3/1", ""],
        ["4", "王孤", loner.id_number, "留守儿童", "2019-01-01", "2020-01-01"],
    ])
    # when
    batch = stage(world, content)
    # then: the preview
    rows = outcome_and_errors(batch)
    assert rows[2] == ("new", []) and rows[3] == ("new", []) and rows[5] == ("new", [])
    assert rows[4][0] == "unchanged"
    assert batch.rows.get(row_number=4).note == "与第 3 行相同"
    assert batch.count("new") == 3 and batch.count("unchanged") == 1 and batch.count("error") == 0
    # when
    batch = actions.commit_import_batch(actor=clerk, batch=batch)
    # then: one period each, the household's on the household, history and an event per period
    tekun = CategoryAssignment.objects.get(person=loner, category__code="tekun")
    assert (tekun.valid_from, tekun.valid_to, tekun.source) == (date(2025, 1, 1), None, "import")
    dibao = CategoryAssignment.objects.get(household=household, category__code="dibao")
    assert dibao.valid_from == date(2025, 3, 1) and dibao.area_id == household.residence_area_id
    assert CategoryAssignment.objects.filter(person=head, category__code="severe_disability").count() == 1
    closed = CategoryAssignment.objects.filter(person=loner).exclude(category__code="tekun").get()
    assert (closed.valid_from, closed.valid_to) == (date(2019, 1, 1), date(2020, 1, 1))
    assert CategoryAssignment.objects.filter(category__code="dibao").on(date(2025, 6, 1)).count() == 1
    events = RegistryEvent.objects.filter(code="category_assigned", data__import_batch=batch.pk)
    assert events.count() == 3 and tekun.history.count() == 1
    assert batch.count("committed") == 3 and batch.counts["written_categories_assigned"] == 3


def test_rows_that_would_overwrite_overlap_or_reach_outside_are_errors(world, family, make_person):
    # given
    head, spouse, loner, _household = family
    clerk = world.user("clerk.wuxian")
    actions.assign_category(actor=clerk, category=category("tekun"), person=loner, valid_from=date(2024, 1, 1),
                            source="decision")
    elsewhere = make_person("莲花人", seq=105, area=world.lianhua_village)
    unregistered = make_id_number("350212", date(1960, 1, 1), 998)
    outsider = make_person("无户人", seq=107)
    content = csv_bytes([
        ["1", "王孤", loner.id_number, "特困供养", "2025-01-01", ""],            # overlaps the open 2024 period
        ["2", "莲花人", elsewhere.id_number, "特困供养", "2025-01-01", ""],      # another town
        ["3", "某人", unregistered, "特困供养", "2025-01-01", ""],               # a valid ID, not registered
        ["4", "张小山", head.id_number, "重度残疾", "2025-01-01", ""],           # name differs
        ["5", "无户人", outsider.id_number, "低保", "2025-01-01", ""],           # household category, no household
        ["6", "李小花", spouse.id_number, "不存在的类别", "2025-01-01", ""],
        ["7", "李小花", spouse.id_number, "重度残疾", "2025-13-01", ""],
        ["8", "李小花", spouse.id_number, "重度残疾", "2025-01-01", "2024-01-01"],
        ["9", "李小花", spouse.id_number, "重度残疾", "2025-01-01", "2026-01-01"],  # sound
        ["10", "李小花", spouse.id_number, "重度残疾", "2025-06-01", ""],           # overlaps the row above
    ])
    # when
    batch = stage(world, content)
    # then
    rows = outcome_and_errors(batch)
    assert "重叠" in rows[2][1][0] and "终止原期间" in rows[2][1][0]
    # registered in another town and not registered at all read alike: nothing is said about where
    assert rows[3][1] == rows[4][1] == ["该身份证号码未在本次导入范围内登记，请先导入或登记该人员"]
    assert rows[5][1] == ["姓名与登记的“张大山”不一致"]
    assert rows[6][1] == ["“低保”是家庭类别，该人员目前不属于任何家庭"]
    assert rows[7][1] == ["未知的人员类别：不存在的类别"]
    assert rows[8][1] == ["起始日期格式不正确，应为 YYYY-MM-DD"]
    assert rows[9][1] == ["终止日期须晚于起始日期"]
    assert rows[10] == ("new", [])
    assert rows[11][1] == ["“重度残疾”与第 10 行的期间重叠"]
    assert batch.count("error") == 9 and batch.count("new") == 1
    # strict mode commits nothing; default mode the sound row only
    with pytest.raises(Exception, match="严格模式"):
        actions.commit_import_batch(actor=clerk, batch=stage(world, content, strict=True))
    actions.commit_import_batch(actor=clerk, batch=batch)
    assert list(CategoryAssignment.objects.filter(person=spouse).values_list("valid_from", "valid_to")) == [
        (date(2025, 1, 1), date(2026, 1, 1))]
    assert not CategoryAssignment.objects.filter(person=elsewhere).exists()


def test_a_period_recorded_after_validation_turns_the_row_into_an_error_at_commit(world, family):
    _head, _spouse, loner, _household = family
    clerk = world.user("clerk.wuxian")
    batch = stage(world, csv_bytes([["1", "王孤", loner.id_number, "特困供养", "2025-01-01", ""]]))
    actions.assign_category(actor=clerk, category=category("tekun"), person=loner, valid_from=date(2025, 6, 1),
                            source="decision")
    batch = actions.commit_import_batch(actor=clerk, batch=batch)
    row = batch.rows.get()
    assert row.outcome == "error" and "校验后已有登记的重叠期间" in row.errors[0]["message"]
    assert CategoryAssignment.objects.filter(person=loner).count() == 1  # only the one recorded by hand


def test_rollback_removes_the_periods_and_their_events_unless_one_was_ended_since(world, family):
    head, _spouse, loner, household = family
    clerk = world.user("clerk.wuxian")
    content = csv_bytes([["1", "王孤", loner.id_number, "特困供养", "2025-01-01", ""],
                         ["2", "张大山", head.id_number, "低保", "2019-01-01", "2020-01-01"]])
    batch = actions.commit_import_batch(actor=clerk, batch=stage(world, content))
    assert CategoryAssignment.objects.count() == 2
    # a closed period imported as closed does not block the rollback; the people stay registered
    batch = actions.rollback_import_batch(actor=clerk, batch=batch)
    assert batch.status == "rolled_back" and not CategoryAssignment.objects.exists()
    assert not RegistryEvent.objects.filter(data__import_batch=batch.pk).exists()
    assert loner.__class__.objects.filter(pk__in=[loner.pk, head.pk]).count() == 2
    # once an imported open period has been ended, the rollback refuses and changes nothing
    again = actions.commit_import_batch(actor=clerk, batch=stage(world, content))
    tekun = CategoryAssignment.objects.get(person=loner)
    actions.end_category(actor=clerk, assignment=tekun, valid_to=date(2025, 12, 1), reason="收入超标")
    with pytest.raises(Conflict, match="终止记录"):
        actions.rollback_import_batch(actor=clerk, batch=again)
    assert CategoryAssignment.objects.filter(household=household).count() == 1


def test_command_imports_categories_and_reports_rejected_rows(world, family, tmp_path):
    head, _spouse, loner, _household = family
    path = tmp_path / "类别.xlsx"
    write_xlsx(path, [Sheet("名单", [Column(h) for h in HEADERS], [
        ["1", "王孤", loner.id_number, "特困供养", "2025-01-01", ""],
        ["2", "张大山", head.id_number, "不存在", "2025-01-01", ""],
    ])])
    report = tmp_path / "报告.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "categories", str(path), "--area", world.wuxian.code, "--user", "clerk.wuxian",
                     "--report", str(report), stdout=out)
    assert caught.value.returncode == 1 and report.exists()
    assert "已导入 1 行" in out.getvalue()
    assert CategoryAssignment.objects.get(person=loner).source == "import"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["1", "王孤", loner.id_number, "特困供养"]], headers=HEADERS[:4]))
    with pytest.raises(CommandError, match="起始日期") as unusable:
        call_command("import", "categories", str(bad), stdout=io.StringIO())
    assert unusable.value.returncode == 2


def test_the_upload_page_takes_a_category_file_through_the_same_jobs(world, family, login):
    # given
    from django.test import TestCase

    from onedoor.registry.models import ImportBatch

    _head, _spouse, loner, _household = family
    client = login("clerk.wuxian")
    assert 'name="kind"' in client.get("/registry/import/new/").content.decode()
    content = csv_bytes([["1", "王孤", loner.id_number, "特困供养", "2025-01-01", ""]])
    # a category file uploaded as persons is refused on the form (no 区划代码 column), naming what is missing
    refused = client.post("/registry/import/new/", {"file": ContentFile(content, name="类别.csv"),
                                                    "area": world.wuxian.code})
    assert refused.status_code == 200 and "区划代码" in refused.content.decode()
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/registry/import/new/", {"file": ContentFile(content, name="类别.csv"),
                                                         "area": world.wuxian.code, "kind": "categories"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.kind == "categories" and batch.status == "validated"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/registry/import/{batch.pk}/commit/")
    # then
    batch.refresh_from_db()
    assert batch.status == "committed"
    assert CategoryAssignment.objects.get(person=loner).valid_from == date(2025, 1, 1)
