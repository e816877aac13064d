"""`onedoor demo --scale/--year/--seed`: the synthetic district is deterministic for a seed, the small
district holds every kind of record, its ID numbers are valid and its names are the generator's."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Sum

from onedoor.aid.models import Loan, LoanSubsidy
from onedoor.benefits.models import Enrollment, Payment, PayrollRun
from onedoor.core.idnumber import check_character, is_valid_id_number
from onedoor.demo import synth
from onedoor.intake.choices import TaskState
from onedoor.intake.models import Task
from onedoor.ledger.models import AssistanceRecord
from onedoor.registry.demo_steps import DEMO_FILENAME
from onedoor.registry.models import Household, Person
from onedoor.registry.models_import import ImportRow
from onedoor.relief.models import Campaign, Delivery, RosterEntry, StockBalance


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    """What the seed decides, without database ids (PostgreSQL sequences are not rolled back)."""
    return {
        "people": sorted(Person.objects.values_list("id_number", "name", "monthly_income", "bank_account")),
        "enrollments": sorted((e.person.id_number, e.policy.code, str(e.start_month), e.monthly_amount)
                              for e in Enrollment.objects.select_related("person", "policy")),
        "payments": sorted(Payment.objects.values_list("enrollment__person__id_number", "enrollment__policy__code",
                                                       "month", "line", "amount", "status")),
        "loans": sorted(Loan.objects.values_list("borrower__id_number", "principal", "start_date", "status")),
        "deliveries": sorted(Delivery.objects.values_list("entry__person__id_number", "delivered_on",
                                                          "lines__item__code")),
    }


def _generate_and_roll_back(seed: int) -> dict:
    with transaction.atomic():
        _demo("--scale", "24", "--seed", str(seed), "--year", "2025")
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


def test_the_same_seed_gives_the_same_district(world):
    # when: the district is generated twice on a database without it (rolled back in between)
    first = _generate_and_roll_back(7)
    second = _generate_and_roll_back(7)
    # then: the same people, amounts, payments, loans and deliveries
    assert first["people"] and first["payments"] and first["loans"] and first["deliveries"]
    assert first == second
    # and another seed gives other people
    villages = [("350212110201", "村")]  # the villages do not change which ID numbers are drawn
    plan = synth.plan_for({"scale": "24", "seed": 8, "year": 2025}, date(2026, 11, 30))
    other = {m.id_number for f in synth.Generator(plan, villages).families() for m in f.members}
    assert not other & {p[0] for p in first["people"]}


def test_the_generator_alone_is_a_function_of_scale_year_and_seed():
    villages = [("350212110201", "甲村"), ("350212105201", "乙村"), ("350212001001", "丙社区")]
    plan = synth.plan_for({"scale": "40", "seed": 3, "year": 2024}, date(2026, 11, 30))
    once = [(m.id_number, m.name) for f in synth.Generator(plan, villages).families() for m in f.members]
    again = [(m.id_number, m.name) for f in synth.Generator(plan, villages).families() for m in f.members]
    assert once == again and len({number for number, _ in once}) == len(once)
    assert plan.total_households == 40 and all(count >= 1 for count in plan.households.values())


def test_article_scale_is_sized_for_the_articles_year():
    plan = synth.plan_for({"scale": "article"}, date(2026, 11, 30))
    assert plan.year == 2025 and plan.loans == 142
    # one payment a month per 低保 household and per person paid for himself: near 107,000 a year
    assert 8000 <= plan.total_households <= 12000


def test_a_bad_scale_is_refused_in_chinese(world):
    with pytest.raises(CommandError, match="--scale"):
        _demo("--scale", "lots")


def test_the_small_district_has_every_kind_of_record(world):
    # when
    output = _demo()
    year = synth.default_year(date.today())
    # then: people and households from the import, with valid ID numbers of 同安区 and generated names
    batch_people = Person.objects.filter(pk__in=ImportRow.objects.filter(batch__filename=DEMO_FILENAME)
                                         .values("person_id"))
    assert batch_people.count() >= 100 and Household.objects.count() >= 50
    for person in batch_people:
        assert is_valid_id_number(person.id_number), person.id_number
        assert person.id_number.startswith("350212")
        assert person.id_number[17] == check_character(person.id_number[:17])
        assert set(person.name) <= synth.NAME_CHARACTERS, person.name
        assert person.bank_account.startswith(synth.BANK_PREFIX)
        age = synth.age_on(person.birth_date, date(year, 1, 1))
        assert 0 <= age <= 106
    # categories in proportion: more 低保 households than 特困 people, children among them
    assert Household.objects.filter(category_assignments__category__code="dibao").count() > \
        Person.objects.filter(category_assignments__category__code="tekun").count() > 0
    # applications in every state, through the intake actions
    states = set(Task.objects.values_list("state", flat=True))
    assert states >= {TaskState.RECEIVED, TaskState.ACCEPTED, TaskState.INVESTIGATING, TaskState.RETURNED,
                      TaskState.PROPOSED, TaskState.NOTICE, TaskState.OBJECTED, TaskState.APPROVED,
                      TaskState.REFUSED, TaskState.CLOSED, TaskState.WITHDRAWN}
    # twelve payroll runs of the year, all reconciled, with failed bank returns re-issued next month
    runs = PayrollRun.objects.filter(month__year=year)
    assert runs.count() == 12 and set(runs.values_list("state", flat=True)) <= {"reconciled", "closed"}
    failed = Payment.objects.filter(month__year=year, status="failed")
    assert failed.exists() and Payment.objects.filter(reissue_of__in=failed, status="paid").exists()
    paid = Payment.objects.filter(month__year=year, status="paid").aggregate(total=Sum("amount"))["total"]
    ledger = AssistanceRecord.objects.filter(kind="cash", delivered_on__year=year, policy__kind="monthly_cash")
    assert ledger.aggregate(total=Sum("amount"))["total"] == paid  # the ledger written by reconciliation
    # loans with subsidies paid
    assert Loan.objects.filter(start_date__year=year).exists()
    assert LoanSubsidy.objects.filter(status="paid").exists()
    # the warmth campaign, in progress
    campaign = Campaign.objects.get(name=f"{year}年冬季防寒送温暖")
    statuses = set(RosterEntry.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert {"delivered", "pending"} <= statuses
    assert all(d.signature.name.endswith(".png") for d in Delivery.objects.filter(entry__campaign=campaign))
    # the bureau's own quilts are back at the article's 2,753 after the supplier's call-off
    own = StockBalance.objects.filter(item__code="quilt").exclude(store__kind="supplier").aggregate(
        total=Sum("quantity"))["total"]
    assert own == 2753
    assert "完成" in output
