"""Bulk import of people: real files written by the tests (xlsx, UTF-8 CSV with and without BOM, GBK
CSV), tolerant headers and cells, every class of bad row, duplicates, households and categories,
strict and default modes, resume after an interruption, rollback, the command line and the pages."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from onedoor.core.exceptions import Conflict, DomainError
from onedoor.core.idnumber import make_id_number
from onedoor.core.tabular import Column, Sheet, TableError, read_rows, write_xlsx
from onedoor.registry import actions, importer
from onedoor.registry.models import (
    CategoryAssignment,
    Household,
    HouseholdMember,
    ImportBatch,
    ImportRow,
    Person,
    RegistryEvent,
)

HEADERS = ["姓名", "身份证号", "性别", "出生日期", "联系电话", "区划代码", "村(社区)", "住址", "户主身份证号",
           "与户主关系", "人员类别"]


def ident(seq: int, born: date = date(1960, 5, 1)) -> str:
    return make_id_number("350212", born, seq)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def row(name="张三", id_number="", *, sex="", birth="", phone="", code="", village="", address="", head="",
        relation="", categories="") -> list[str]:
    return [name, id_number, sex, birth, phone, code, village, address, head, relation, categories]


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS, *, encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, [Sheet("名单", [Column(h) for h in headers], rows)])
    return buffer.getvalue()


def stage(world, content: bytes, *, filename="台账.csv", area=None, strict=False, actor="clerk.wuxian"):
    user = world.user(actor) if actor else None
    batch = actions.create_import_batch(actor=user, file=ContentFile(content), filename=filename,
                                        area=area if area is not None else world.wuxian, strict=strict)
    return actions.validate_import_batch(batch=batch, actor=user)


def outcomes(batch) -> dict[int, str]:
    return dict(batch.rows.values_list("row_number", "outcome"))


def errors_of(batch, number: int) -> list[tuple[str, str]]:
    return [(e["column"], e["message"]) for e in batch.rows.get(row_number=number).errors]


# --- headers --------------------------------------------------------------------------------------

def test_headers_in_use_in_real_ledgers_are_recognised():
    found = importer.map_headers(["序号", "公民身份号码 ", "姓名*", "手机号码", "联系电话", "村（社区）", "现住址",
                                  "户主身份证号码", "与户主关系", "人员类别", "备注"])
    assert found.headers == {"id_number": "公民身份号码 ", "name": "姓名*", "phone": "手机号码", "phone2": "联系电话",
                             "village": "村（社区）", "address": "现住址", "head_id_number": "户主身份证号码",
                             "relation": "与户主关系", "categories": "人员类别"}
    assert found.ignored == ["序号", "备注"]
    traditional = importer.map_headers(["姓名", "身份證號碼", "區劃代碼"])
    assert traditional.headers["id_number"] == "身份證號碼" and traditional.headers["area_code"] == "區劃代碼"


def test_a_file_without_the_needed_columns_is_unusable():
    with pytest.raises(TableError, match="姓名"):
        importer.map_headers(["身份证号", "区划代码"])
    with pytest.raises(TableError, match="区划代码"):
        importer.map_headers(["姓名", "身份证号"])
    with pytest.raises(TableError, match="只保留一列"):
        importer.map_headers(["姓名", "身份证号", "公民身份号码", "区划代码"])
    assert importer.map_headers(["姓名", "身份证号"], default_area=True).has("name")


# --- reading real files ---------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_gbk(world, encoding):
    village = world.wuxian_village
    content = csv_bytes([row("杨全", ident(101), village=village.name, address="五显路1号")], encoding=encoding)
    batch = stage(world, content)
    staged = batch.rows.get()
    assert staged.outcome == "new" and staged.values["name"] == "杨全"
    assert staged.values["residence_area"] == village.code and staged.values["address"] == "五显路1号"


def test_xlsx_import_registers_people_households_and_categories(world):
    clerk = world.user("clerk.wuxian")
    village = world.wuxian_village
    head, spouse, child = ident(101), ident(202, date(1962, 8, 9)), ident(303, date(1990, 1, 1))
    content = xlsx_bytes([
        row("张大山", head, phone="13800000001", code=village.code, address="五显路1号", head=head, relation="户主",
            categories="低保、重度残疾"),
        row("李小花", spouse, code=village.code, head=head, relation="妻子"),
        row("张小山", child, code=village.code, head=head, relation="长子", categories="困境儿童"),
    ])
    batch = stage(world, content, filename="台账.xlsx")
    assert outcomes(batch) == {2: "new", 3: "new", 4: "new"}
    batch = actions.commit_import_batch(batch=batch, actor=clerk)
    # then
    assert batch.status == "committed" and batch.count("committed") == 3
    people = {p.id_number: p for p in Person.objects.all()}
    assert people[head].sex == "M" and people[spouse].sex == "F" and people[head].birth_date == date(1960, 5, 1)
    household = Household.objects.get()
    assert household.head == people[head] and household.residence_area == village
    relations = dict(HouseholdMember.objects.values_list("person__id_number", "relation"))
    assert relations == {head: "head", spouse: "spouse", child: "child"}
    assigned = {(a.category.code, a.person_id, a.household_id) for a in CategoryAssignment.objects.all()}
    assert assigned == {("dibao", None, household.pk), ("severe_disability", people[head].pk, None),
                        ("child_in_difficulty", people[child].pk, None)}
    assert all(a.source == "import" and a.valid_from == timezone.localdate() and a.created_by == clerk
               for a in CategoryAssignment.objects.all())
    # one event per person registered, and row history for each (bulk_create_with_history)
    assert RegistryEvent.objects.filter(code="registered").count() == 3
    assert RegistryEvent.objects.filter(code="registered", actor=clerk, data__import_batch=batch.pk).count() == 3
    assert Person.history.filter(history_type="+").count() == 3
    assert HouseholdMember.history.count() == 3 and CategoryAssignment.history.count() == 3
    assert set(batch.rows.values_list("stage", flat=True)) == {2}
    assert set(batch.rows.values_list("person__id_number", flat=True)) == {head, spouse, child}


def test_traditional_names_full_width_digits_and_trailing_spaces(world):
    number = ident(105)
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    content = csv_bytes([row("楊全  ", f" {full_width} ", phone="１３８ ００００ ０００１",
                             village=f"{world.wuxian_village.name}  ", categories=" 重度殘疾 ")])
    batch = stage(world, content)
    staged = batch.rows.get()
    assert staged.outcome == "new", staged.errors
    assert staged.values["id_number"] == number and staged.values["name_simplified"] == "杨全"
    assert staged.values["phone"] == "13800000001" and staged.values["categories"] == ["severe_disability"]
    actions.commit_import_batch(batch=batch, actor=world.user("clerk.wuxian"))
    person = Person.objects.get(id_number=number)
    assert person.name == "楊全" and person.name_initials == "yq"


def test_village_names_with_the_committee_suffix_and_dates_in_chinese(world):
    from onedoor.geo.models import Area

    village = Area.objects.filter(parent=world.wuxian, name__endswith="村").order_by("code").first()
    content = csv_bytes([row("王五", sex="男", birth="1950年3月4日", village=village.name + "委会")])
    staged = stage(world, content).rows.get()
    assert staged.outcome == "new", staged.errors
    assert staged.values["birth_date"] == "1950-03-04" and staged.values["residence_area"] == village.code


# --- bad rows --------------------------------------------------------------------------------------

def test_every_bad_row_names_its_row_column_and_problem(world):
    village = world.wuxian_village.name
    good, twice = ident(111), ident(113)
    content = csv_bytes([
        row("甲", good, village=village),                                       # row 2: fine
        row("乙", wrong_check(ident(115)), village=village),                    # row 3: bad check character
        row("丙", ident(117), birth="1961-05-01", village=village),             # row 4: birth contradicts the ID
        row("丁", ident(119), village="不存在村"),                                # row 5: unknown village
        row("戊", twice, village=village),                                      # row 6
        row("己", twice, village=village),                                      # row 7: same ID as row 6
        row("庚", ident(121), village=village, categories="低保户；特困"),          # row 8: unknown categories
        row("", ident(123), village=village),                                   # row 9: no name
        row("辛", ident(125), sex="女", village=village),                         # row 10: sex contradicts the ID
        row("壬", village=village),                                             # row 11: no ID, no sex/birth
    ])
    batch = stage(world, content)
    assert outcomes(batch) == {2: "new", 3: "error", 4: "error", 5: "error", 6: "new", 7: "error", 8: "error",
                               9: "error", 10: "error", 11: "error"}
    assert errors_of(batch, 3) == [("身份证号", f"校验码错误，应为{ident(115)[17]}")]
    assert errors_of(batch, 4) == [("出生日期", "出生日期与身份证号码不一致。")]
    assert errors_of(batch, 5) == [("村(社区)", "在五显镇范围内找不到村(社区)“不存在村”")]
    assert errors_of(batch, 7) == [("身份证号", "与第 6 行身份证号码重复")]
    assert errors_of(batch, 8) == [("人员类别", "未知的人员类别：低保户、特困")]
    assert errors_of(batch, 9) == [("姓名", "姓名不能为空。")]
    assert errors_of(batch, 10) == [("性别", "性别与身份证号码不一致。")]
    assert set(errors_of(batch, 11)) == {("性别", "没有身份证号码时必须填写性别。"),
                                         ("出生日期", "没有身份证号码时必须填写出生日期。")}
    assert batch.counts == {"new": 2, "update": 0, "unchanged": 0, "duplicate": 0, "error": 8, "total": 10}


def test_places_outside_the_chosen_area_are_errors(world):
    foreign = world.lianhua_village
    content = csv_bytes([row("甲", ident(131), code=foreign.code), row("乙", ident(133), code="350212110"),
                         row("丙", ident(135), code=world.wuxian.code),
                         row("丁", ident(137), code=world.wuxian_village.code, village="别的村")])
    batch = stage(world, content)
    assert errors_of(batch, 2) == [("区划代码", f"区划代码 {foreign.code} 不在本次导入范围内或已撤销")]
    assert errors_of(batch, 3) == [("区划代码", "区划代码应为12位数字")]
    assert errors_of(batch, 4) == [("区划代码", "区划代码应为村（社区）一级的代码")]
    assert errors_of(batch, 5)[0][0] == "村(社区)"


def test_error_report_lists_each_problem_with_the_row_as_it_was(world, tmp_path):
    content = csv_bytes([row("甲", ident(141), village=world.wuxian_village.name),
                         row("=HYPERLINK(\"x\")", wrong_check(ident(143)), village=world.wuxian_village.name)],
                        headers=[*HEADERS[:-1], "人员类别"])
    batch = stage(world, content)
    target = tmp_path / "report.xlsx"
    assert importer.write_report(batch, target) == 1
    (line,) = [values for _, values in read_rows(target)]
    assert line["行号"] == "3" and line["列"] == "身份证号" and line["问题"].startswith("校验码错误")
    assert line["姓名"] == "=HYPERLINK(\"x\")"  # the original cell, kept as text


# --- strict and default modes ------------------------------------------------------------------------

def test_strict_mode_commits_nothing_when_any_row_fails(world):
    content = csv_bytes([row("甲", ident(151), village=world.wuxian_village.name),
                         row("乙", wrong_check(ident(153)), village=world.wuxian_village.name)])
    batch = stage(world, content, strict=True)
    with pytest.raises(DomainError, match="严格模式"):
        actions.commit_import_batch(batch=batch, actor=world.user("clerk.wuxian"))
    assert Person.objects.count() == 0
    assert ImportBatch.objects.get(pk=batch.pk).status == "validated"


def test_default_mode_commits_the_good_rows(world):
    content = csv_bytes([row("甲", ident(151), village=world.wuxian_village.name),
                         row("乙", wrong_check(ident(153)), village=world.wuxian_village.name)])
    batch = actions.commit_import_batch(batch=stage(world, content), actor=world.user("clerk.wuxian"))
    assert list(Person.objects.values_list("name", flat=True)) == ["甲"]
    assert batch.count("committed") == 1 and batch.count("error") == 1


# --- duplicates ------------------------------------------------------------------------------------------

def test_a_registered_id_updates_only_the_fields_that_differ(world, make_person):
    person = make_person("杨全", seq=161, birth=date(1952, 3, 4))
    number = person.id_number
    content = csv_bytes([row("楊全", number.lower(), phone="13900000000", village=world.wuxian_village.name)])
    batch = stage(world, content)
    staged = batch.rows.get()
    assert staged.outcome == "update" and staged.person_id == person.pk
    assert staged.changes == {"phone": "13900000000"}  # same simplified name, blank address: no change
    actions.commit_import_batch(batch=batch, actor=world.user("clerk.wuxian"))
    person.refresh_from_db()
    assert person.phone == "13900000000" and person.name == "杨全"
    event = RegistryEvent.objects.get(person=person, code="updated")
    assert event.data["before"] == {"phone": ""} and event.data["after"] == {"phone": "13900000000"}
    assert person.history.filter(history_type="~").count() == 1
    # the same file again changes nothing
    again = stage(world, content)
    assert outcomes(again) == {2: "unchanged"} and importer.committable_count(again) == 0


def test_a_registered_id_outside_the_import_scope_is_flagged_not_updated(world, make_person):
    other = make_person("陈莲", seq=171, area=world.lianhua_village, actor=world.user("clerk.lianhua"))
    content = csv_bytes([row("陈莲", other.id_number, phone="13900000000", village=world.wuxian_village.name)])
    batch = stage(world, content)
    staged = batch.rows.get()
    assert staged.outcome == "duplicate" and staged.person_id is None and "范围以外" in staged.note
    with pytest.raises(DomainError):
        actions.decide_import_duplicate(actor=None, batch=batch, row_number=2, decision="new")
    actions.commit_import_batch(batch=batch, actor=world.user("clerk.wuxian"))
    other.refresh_from_db()
    assert other.phone == "" and other.residence_area == world.lianhua_village


def test_same_name_birth_and_village_without_id_is_a_possible_duplicate(world):
    clerk = world.user("clerk.wuxian")
    known = actions.register_person(actor=clerk, data={"name": "无名氏", "sex": "男", "birth_date": "1970-01-01",
                                                       "residence_area": world.wuxian_village})
    content = csv_bytes([
        row("無名氏", sex="男", birth="1970-01-01", village=world.wuxian_village.name),   # like a registered person
        row("赵六", sex="男", birth="1980-02-02", village=world.wuxian_village.name),
        row("赵六", sex="男", birth="1980-02-02", village=world.wuxian_village.name),     # like row 3
        row("赵六", ident(181, date(1980, 2, 2)), village=world.wuxian_village.name),      # has an ID: row 3 is no-ID
    ])
    batch = stage(world, content)
    assert outcomes(batch) == {2: "duplicate", 3: "new", 4: "duplicate", 5: "duplicate"}
    assert batch.rows.get(row_number=2).duplicate_of_id == known.pk
    assert batch.rows.get(row_number=4).duplicate_of_row == 3
    actions.decide_import_duplicate(actor=clerk, batch=batch, row_number=2, decision="new")
    actions.decide_import_duplicate(actor=clerk, batch=batch, row_number=4, decision="skip")
    actions.commit_import_batch(batch=batch, actor=clerk)
    assert Person.objects.filter(name_simplified="无名氏").count() == 2   # adjudicated: a different person
    assert Person.objects.filter(name_simplified="赵六").count() == 1     # rows 4 and 5 not merged in automatically
    created = Person.objects.get(name="無名氏")
    assert created.id_number is None and created.temp_identifier == f"I{batch.pk}-2"


def test_categories_already_open_are_not_assigned_again(world, make_person):
    from onedoor.registry.models import Category

    clerk = world.user("clerk.wuxian")
    person = make_person("杨全", seq=163)
    actions.assign_category(actor=clerk, category=Category.objects.get(code="severe_disability"), person=person,
                            valid_from=date(2024, 1, 1), source="manual", reason="审批")
    village = world.wuxian_village.name
    same = stage(world, csv_bytes([row("杨全", person.id_number, village=village, categories="重度残疾")]))
    assert outcomes(same) == {2: "unchanged"}
    more = stage(world, csv_bytes([row("杨全", person.id_number, village=village, categories="重度残疾、孤儿")]))
    assert outcomes(more) == {2: "update"}
    actions.commit_import_batch(batch=more, actor=clerk)
    assert sorted(person.category_assignments.values_list("category__code", "valid_from")) == [
        ("orphan", timezone.localdate()), ("severe_disability", date(2024, 1, 1))]


# --- households ------------------------------------------------------------------------------------------

def test_household_problems_are_row_errors(world, make_person):
    village = world.wuxian_village.name
    head, member, lost, bad_head = ident(191), ident(193), ident(195), ident(197)
    registered_head = make_person("老户主", seq=199)
    content = csv_bytes([
        row("户主甲", wrong_check(bad_head), village=village, head=wrong_check(bad_head), relation="户主"),  # 2
        row("成员甲", ident(201), village=village, head=wrong_check(bad_head), relation="子女"),             # 3
        row("成员乙", member, village=village, head=ident(203), relation="配偶"),                             # 4
        row("成员丙", lost, village=village, head=head, relation="外星人"),                                   # 5
        row("成员丁", ident(205), village=village, head=registered_head.id_number, relation="孙女"),          # 6
        row("成员戊", ident(207), village=village, categories="低保"),                                      # 7
        row("成员己", ident(209), village=village, relation="子女"),                                         # 8
    ])
    batch = stage(world, content)
    assert errors_of(batch, 3)[0][1].startswith("户主身份证号")
    assert errors_of(batch, 4) == [("户主身份证号", "找不到户主：户主既不在本文件中，也未在本次导入范围内登记")]
    assert errors_of(batch, 5)[0][1].startswith("无法识别的与户主关系“外星人”")
    assert outcomes(batch)[6] == "new"  # a registered head heads a household created at commit
    assert errors_of(batch, 7) == [("人员类别", "“低保”是家庭类别，请填写户主身份证号和与户主关系")]
    assert errors_of(batch, 8) == [("户主身份证号", "填写了与户主关系，请同时填写户主身份证号")]
    actions.commit_import_batch(batch=batch, actor=world.user("clerk.wuxian"))
    household = Household.objects.get(head=registered_head)
    assert set(household.memberships.values_list("person__name", "relation")) == {("老户主", "head"),
                                                                                   ("成员丁", "grandchild")}


def test_a_member_whose_head_row_fails_fails_too(world):
    village = world.wuxian_village.name
    head = ident(211)
    content = csv_bytes([row("户主", head, village="没有这个村", head=head, relation="户主"),
                         row("成员", ident(213), village=village, head=head, relation="子")])
    batch = stage(world, content)
    assert errors_of(batch, 3) == [("户主身份证号", "户主所在的第 2 行有错误")]


# --- resume and rollback -----------------------------------------------------------------------------------

def _family(world, n: int) -> list[list[str]]:
    village = world.wuxian_village.code
    head = ident(301)
    rows = [row("户主", head, code=village, head=head, relation="户主", categories="低保")]
    rows += [row(f"成员{i}", ident(303 + 2 * i), code=village, head=head, relation="子女", categories="困境儿童")
             for i in range(n - 1)]
    return rows


def _family_file(world, n: int) -> bytes:
    return csv_bytes(_family(world, n))


def test_an_interrupted_commit_resumes_and_writes_each_row_exactly_once(world, monkeypatch):
    clerk = world.user("clerk.wuxian")
    batch = stage(world, _family_file(world, 7))
    monkeypatch.setattr(importer, "COMMIT_CHUNK", 2)
    original, calls = importer._Writer.write_persons, []

    def dies_on_the_third_chunk(self, chunk):
        calls.append(len(chunk))
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return original(self, chunk)

    monkeypatch.setattr(importer._Writer, "write_persons", dies_on_the_third_chunk)
    with pytest.raises(RuntimeError):
        actions.commit_import_batch(batch=batch, actor=clerk)
    # then: two chunks (rows 2, then 3-4: windows of two row numbers) are in and marked; the third left nothing
    batch.refresh_from_db()
    assert batch.status == "committing"
    assert Person.objects.count() == 3 and batch.rows.filter(stage=1).count() == 3
    # when the commit runs again
    monkeypatch.setattr(importer._Writer, "write_persons", original)
    batch = actions.commit_import_batch(batch=batch, actor=clerk)
    assert batch.status == "committed" and batch.count("committed") == 7
    assert Person.objects.count() == 7
    assert RegistryEvent.objects.filter(code="registered").count() == 7
    assert Person.history.count() == 7
    assert HouseholdMember.objects.count() == 7 and Household.objects.count() == 1
    assert CategoryAssignment.objects.filter(category__code="child_in_difficulty").count() == 6
    assert CategoryAssignment.objects.filter(category__code="dibao").count() == 1
    with pytest.raises(Conflict):
        actions.commit_import_batch(batch=batch, actor=clerk)  # committed: a third run is refused


def test_an_interrupted_commit_can_be_rolled_back(world, monkeypatch):
    clerk = world.user("clerk.wuxian")
    batch = stage(world, _family_file(world, 5))
    monkeypatch.setattr(importer, "COMMIT_CHUNK", 2)
    monkeypatch.setattr(importer._Writer, "write_links", lambda self, chunk: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        actions.commit_import_batch(batch=batch, actor=clerk)
    assert Person.objects.count() == 5
    batch = actions.rollback_import_batch(batch=batch, actor=clerk)
    assert batch.status == "rolled_back"
    assert Person.objects.count() == 0 and RegistryEvent.objects.count() == 0
    assert set(batch.rows.values_list("stage", flat=True)) == {0}


def test_rollback_removes_what_the_import_created_and_restores_what_it_changed(world, make_person):
    clerk = world.user("clerk.wuxian")
    known = make_person("杨全", seq=401)
    before_events = RegistryEvent.objects.count()
    content = csv_bytes([*_family(world, 3), row("楊全", known.id_number, phone="13911112222", address="新地址",
                                                 village=world.wuxian_village.name, categories="重度残疾")])
    batch = actions.commit_import_batch(batch=stage(world, content), actor=clerk)
    assert Person.objects.count() == 4 and known.category_assignments.count() == 1
    batch = actions.rollback_import_batch(batch=batch, actor=clerk)
    # then
    assert list(Person.objects.all()) == [known]
    known.refresh_from_db()
    assert (known.phone, known.address) == ("", "")
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()
    assert not CategoryAssignment.objects.exists()
    assert RegistryEvent.objects.filter(person=known, code="updated").count() == 2  # the import and its undoing
    assert RegistryEvent.objects.count() == before_events + 3  # updated, category_assigned, updated back
    assert "删除新增人员 3 人" in batch.message


def test_rollback_is_refused_when_the_records_changed_since(world):
    clerk = world.user("clerk.wuxian")
    batch = actions.commit_import_batch(batch=stage(world, _family_file(world, 2)), actor=clerk)
    person = Person.objects.get(name="成员0")
    actions.update_person(actor=clerk, person=person, changes={"phone": "13800001111"}, reason="来电更正")
    with pytest.raises(Conflict, match="不能自动回滚"):
        actions.rollback_import_batch(batch=batch, actor=clerk)
    assert Person.objects.count() == 2 and ImportBatch.objects.get(pk=batch.pk).status == "committed"


# --- scope --------------------------------------------------------------------------------------------------

def test_a_clerk_cannot_see_or_commit_another_towns_batch(world, login):
    batch = stage(world, csv_bytes([row("甲", ident(501), village=world.wuxian_village.name)]))
    lianhua = world.user("clerk.lianhua")
    assert not ImportBatch.objects.visible_to(lianhua).filter(pk=batch.pk).exists()
    assert not ImportRow.objects.visible_to(lianhua).filter(batch=batch).exists()
    assert ImportBatch.objects.visible_to(world.user("dispatcher")).filter(pk=batch.pk).exists()
    client = login("clerk.lianhua")
    assert client.get(f"/registry/import/{batch.pk}/").status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(f"/registry/import/{batch.pk}/commit/").status_code == 404
    assert Person.objects.count() == 0
    with pytest.raises(DomainError):
        actions.create_import_batch(actor=lianhua, file=ContentFile(b"x"), filename="x.csv", area=world.wuxian)


# --- the pages ----------------------------------------------------------------------------------------------

def test_upload_validate_preview_commit_and_report_through_the_pages(world, login):
    client = login("clerk.wuxian")
    template = client.get("/registry/import/template.xlsx")
    assert template.status_code == 200
    headers = read_rows(io.BytesIO(template.content), filename="t.xlsx").headers
    assert headers == HEADERS
    content = xlsx_bytes([row("甲", ident(601), village=world.wuxian_village.name),
                          row("乙", wrong_check(ident(603)), village=world.wuxian_village.name)])
    upload = ContentFile(content, name="台账.xlsx")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/registry/import/new/", {"file": upload, "area": world.wuxian.code})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/import/{batch.pk}/"
    assert batch.status == "validated" and batch.validate_job.status == "succeeded"
    page = client.get(f"/registry/import/{batch.pk}/").content.decode()
    assert "校验码错误" in page and "导入 1 行" in page and "hx-trigger=\"every 2s\"" not in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/registry/import/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.commit_job.status == "succeeded"
    assert Person.objects.filter(name="甲").exists()
    report = client.get(f"/registry/import/{batch.pk}/report.xlsx")
    assert report.status_code == 200
    lines = [v for _, v in read_rows(io.BytesIO(b"".join(report.streaming_content)), filename="r.xlsx")]
    assert [line["行号"] for line in lines] == ["3"]
    from onedoor.core.models import AccessLog

    assert AccessLog.objects.filter(action="export", target_id=str(batch.pk)).exists()
    listing = client.get("/registry/import/").content.decode()
    assert "台账.xlsx" in listing


def test_an_unusable_upload_is_refused_on_the_form(world, login):
    client = login("clerk.wuxian")
    upload = ContentFile(csv_bytes([["x", "y"]], headers=["编号", "备注"]), name="错表.csv")
    response = client.post("/registry/import/new/", {"file": upload, "area": world.wuxian.code})
    assert response.status_code == 200 and "没有“姓名”列" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_roles_that_do_not_register_people_cannot_upload(world, login):
    assert login("leader").get("/registry/import/new/").status_code == 403


# --- the command line ------------------------------------------------------------------------------------------

def _write(tmp_path: Path, content: bytes, name: str = "台账.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_command_exits_0_when_every_row_is_accepted(world, tmp_path, capsys):
    path = _write(tmp_path, csv_bytes([row("甲", ident(701), code=world.wuxian_village.code)]))
    call_command("import", "persons", str(path), "--area", world.wuxian.code)
    assert Person.objects.filter(name="甲").exists()
    assert "已导入 1 行" in capsys.readouterr().out


def test_command_exits_1_and_writes_the_report_when_rows_are_rejected(world, tmp_path):
    path = _write(tmp_path, csv_bytes([row("甲", ident(703), village=world.wuxian_village.name),
                                       row("乙", wrong_check(ident(705)), village=world.wuxian_village.name)]))
    report = tmp_path / "report.xlsx"
    with pytest.raises(CommandError) as caught:
        call_command("import", "persons", str(path), "--area", world.wuxian.code, "--report", str(report))
    assert caught.value.returncode == 1
    assert [v["行号"] for _, v in read_rows(report)] == ["3"]
    assert Person.objects.count() == 1


def test_command_strict_and_dry_run_write_nothing(world, tmp_path):
    path = _write(tmp_path, csv_bytes([row("甲", ident(707), village=world.wuxian_village.name),
                                       row("乙", wrong_check(ident(709)), village=world.wuxian_village.name)]))
    for flag in ("--strict", "--dry-run"):
        with pytest.raises(CommandError) as caught:
            call_command("import", "persons", str(path), "--area", world.wuxian.code, flag,
                         "--report", str(tmp_path / "r.xlsx"))
        assert caught.value.returncode == 1
    assert Person.objects.count() == 0
    good = _write(tmp_path, csv_bytes([row("甲", ident(711), village=world.wuxian_village.name)]), "good.csv")
    call_command("import", "persons", str(good), "--area", world.wuxian.code, "--dry-run")
    assert Person.objects.count() == 0 and not ImportBatch.objects.filter(filename="good.csv").exists()


def test_command_exits_2_when_the_file_is_unusable(world, tmp_path):
    unusable = [
        (_write(tmp_path, csv_bytes([["1"]], headers=["编号"]), "no-name.csv"), "没有“姓名”列"),
        (_write(tmp_path, b"", "empty.csv"), "是空的"),
        (_write(tmp_path, b"PK\x03\x04 broken", "broken.xlsx"), "无法读取"),
        (_write(tmp_path, b"x", "notes.txt"), "不支持的文件类型"),
    ]
    for path, reason in unusable:
        with pytest.raises(CommandError, match=reason) as caught:
            call_command("import", "persons", str(path), "--area", world.wuxian.code)
        assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        call_command("import", "persons", str(unusable[0][0]), "--area", "350212999999")
    assert caught.value.returncode == 2
    assert not ImportBatch.objects.exists()


def test_command_process_exit_status_for_a_missing_file(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "onedoor", "import", "persons", str(tmp_path / "nope.csv")],
                               capture_output=True, text=True, env={**__import__("os").environ,
                                                                    "ONEDOOR_DATA_DIR": str(tmp_path)})
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [f"CommandError: 文件不存在：{tmp_path / 'nope.csv'}"]


# --- the demo ---------------------------------------------------------------------------------------------------

def test_the_demo_step_imports_a_small_district_once(world):
    from onedoor.registry.demo_steps import load_demo_persons

    first = load_demo_persons({})
    batch = ImportBatch.objects.get(filename="演示救助对象.csv")
    assert batch.status == "committed" and batch.count("error") == 0 and batch.count("duplicate") == 0, first
    people = Person.objects.count()
    assert people >= 50 and Household.objects.count() >= 20
    assert CategoryAssignment.objects.filter(category__code="dibao", household__isnull=False).exists()
    assert Person.objects.filter(residence_area__parent=world.wuxian).exists()
    assert "未重复导入" in load_demo_persons({}) and Person.objects.count() == people
