"""Ledger pages: the list with filters and totals, the duplicate-aid check, the exports, the person's
history section; scoping and query counts."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.test import TestCase

from onedoor.core.models import AccessLog, Job
from onedoor.core.tabular import read_rows
from onedoor.ledger.actions import record_assistance, reverse_assistance
from onedoor.ledger.selectors import duplicate_aid, person_history


def _give(world, person, department, source, *, on=date(2026, 3, 5), kind="cash", amount="300.00",
          programme="春节慰问"):
    return record_assistance(person=person, area=person.residence_area_id, on=on, department=world.org(department),
                             kind=kind, source=source, programme=programme, amount=Decimal(amount),
                             actor=world.user("finance"))


def _sources(world, count):
    """Distinct saved objects to serve as sources (the ledger only needs a model instance with an id)."""
    from onedoor.accounts.models import Organisation

    return list(Organisation.objects.order_by("pk")[:count])


def test_duplicate_check_finds_two_departments_and_not_one(world, make_person):
    # given: 林甲 got cash from 民政局 and 人社局 in March; 林乙 got cash twice from 民政局 only
    twice, once = make_person("林甲"), make_person("林乙")
    s = _sources(world, 4)
    _give(world, twice, "区民政局", s[0])
    _give(world, twice, "人社局", s[1], on=date(2026, 3, 20))
    _give(world, once, "区民政局", s[2])
    _give(world, once, "区民政局", s[3], on=date(2026, 3, 25))
    dispatcher = world.user("dispatcher")
    # when
    found = list(duplicate_aid(dispatcher, start=date(2026, 3, 1), end=date(2026, 3, 31), kind="cash"))
    # then
    assert [(row["person"], row["departments"], row["times"], row["amount"]) for row in found] == [
        (twice.pk, 2, 2, Decimal("600.00"))]
    # a period that holds only one of the two, or another kind, finds nothing
    assert not list(duplicate_aid(dispatcher, start=date(2026, 3, 1), end=date(2026, 3, 10), kind="cash"))
    assert not list(duplicate_aid(dispatcher, start=None, end=None, kind="in_kind"))


def test_a_reversed_record_is_not_a_duplicate(world, make_person):
    person = make_person("林丙")
    s = _sources(world, 2)
    _give(world, person, "区民政局", s[0])
    _give(world, person, "人社局", s[1])
    reverse_assistance(source=s[1], actor=world.user("finance"), reason="银行退回")
    assert not list(duplicate_aid(world.user("dispatcher"), start=None, end=None, kind="cash"))


def test_duplicate_page_lists_the_planted_duplicate_for_the_town_only(world, make_person, login):
    # given
    person = make_person("林丁")
    other = make_person("莲花人", area=world.lianhua_village)
    s = _sources(world, 4)
    _give(world, person, "区民政局", s[0])
    _give(world, person, "人社局", s[1])
    _give(world, other, "区民政局", s[2])
    _give(world, other, "人社局", s[3])
    # when
    body = login("clerk.wuxian").get("/ledger/duplicates/", {"kind": "cash"}).content.decode()
    # then
    assert "林丁" in body and "莲花人" not in body


def test_ledger_list_filters_and_totals_count_person_times(world, make_person, login):
    # given
    person = make_person("林戊")
    s = _sources(world, 3)
    _give(world, person, "区民政局", s[0], amount="500.00")
    _give(world, person, "人社局", s[1], amount="200.00", kind="grant")
    _give(world, person, "区民政局", s[2], amount="100.00")
    reverse_assistance(source=s[2], actor=world.user("finance"), reason="追回")
    client = login("dispatcher")
    # when
    everything = client.get("/ledger/")
    cash = client.get("/ledger/", {"kind": "cash", "department": world.org("区民政局").pk})
    # then: 3 originals − 1 reversal = 2 人次; 500 + 200 + 100 − 100 = 700
    assert everything.context["totals"] == {"times": 2, "amount": Decimal("700.00")}
    assert cash.context["totals"] == {"times": 1, "amount": Decimal("500.00")}
    assert "林戊" in cash.content.decode()


def test_ledger_list_is_scoped_and_query_count_is_flat(world, make_person, login, django_assert_max_num_queries):
    # given
    s = _sources(world, 12)
    for i in range(10):
        _give(world, make_person(f"五显人{i}"), "区民政局", s[i])
    _give(world, make_person("莲花某", area=world.lianhua_village), "区民政局", s[11])
    client = login("clerk.lianhua")
    # when
    with django_assert_max_num_queries(13):  # session, user, grants, count, totals, 4 dropdowns, rows, session save
        response = client.get("/ledger/")
    # then
    body = response.content.decode()
    assert "莲花某" in body and "五显人" not in body
    assert response.context["totals"]["times"] == 1


def test_ledger_export_is_an_xlsx_job_and_is_access_logged(world, make_person, login):
    # given
    person = make_person("林己")
    _give(world, person, "区民政局", _sources(world, 1)[0], amount="321.50")
    client = login("finance")
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/ledger/export/", {"kind": "cash", "start": "2026-03-01", "end": "2026-03-31"})
    # then
    job = Job.objects.get(created_by=world.user("finance"), kind="ledger.export")
    assert response.status_code == 302 and job.status == "succeeded"
    with job.result_file.open("rb") as handle:
        rows = [row for _, row in read_rows(io.BytesIO(handle.read()), filename="x.xlsx")]
    assert [(r["姓名"], r["救助方式"], Decimal(r["金额（元）"])) for r in rows] == [("林己", "现金救助", Decimal("321.50"))]
    assert "*" in rows[0]["身份证号码"]  # masked
    assert AccessLog.objects.filter(actor=world.user("finance"), target_label="救助台账").exists()


def test_duplicate_export_lists_the_duplicate(world, make_person, login):
    person = make_person("林庚")
    s = _sources(world, 2)
    _give(world, person, "区民政局", s[0])
    _give(world, person, "人社局", s[1])
    with TestCase.captureOnCommitCallbacks(execute=True):
        login("leader").post("/ledger/duplicates/export/", {"kind": "cash"})
    job = Job.objects.get(kind="ledger.export_duplicates")
    with job.result_file.open("rb") as handle:
        rows = [row for _, row in read_rows(io.BytesIO(handle.read()), filename="x.xlsx")]
    assert [(r["姓名"], r["部门数"]) for r in rows] == [("林庚", "2")]
    assert AccessLog.objects.filter(target_label="重复救助核查").exists()


def test_person_page_shows_the_whole_history_across_departments(world, make_person, login):
    # given
    person = make_person("林辛")
    s = _sources(world, 2)
    _give(world, person, "区民政局", s[0], programme="春节慰问")
    _give(world, person, "人社局", s[1], programme="就业补助", kind="grant")
    # when
    body = login("clerk.wuxian").get(f"/registry/persons/{person.pk}/").content.decode()
    # then
    assert "救助记录（一人一档）" in body and "春节慰问" in body and "就业补助" in body
    assert person_history(world.user("clerk.lianhua"), person).count() == 0
    assert "春节慰问" not in login("storekeeper").get(f"/registry/persons/{person.pk}/").content.decode()
