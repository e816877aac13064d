"""The assistance ledger: once only per source, reversal rows, the person's history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from onedoor.core.exceptions import DomainError
from onedoor.ledger.actions import record_assistance, record_assistance_many, reverse_assistance
from onedoor.ledger.models import AssistanceRecord


def _record(world, person, source, **extra):
    fields = {"person": person, "area": world.wuxian_village, "on": date(2026, 3, 5),
              "department": world.org("区民政局"), "kind": "cash", "source": source, "programme": "春节慰问",
              "amount": Decimal("500.00"), "actor": world.user("finance")}
    fields.update(extra)
    return record_assistance(**fields)


def test_a_source_is_recorded_once_only(world, make_person):
    # given
    person = make_person("林一")
    # when: the same source is recorded twice (a retried job, a double click)
    first = _record(world, person, source=person)
    second = _record(world, person, source=person, amount=Decimal("900.00"))
    # then
    assert second.pk == first.pk
    assert AssistanceRecord.objects.filter(person=person).count() == 1
    assert AssistanceRecord.objects.get().amount == Decimal("500.00")


def test_the_database_refuses_a_second_original_row_for_one_source(world, make_person):
    # given
    person = make_person("林二")
    first = _record(world, person, source=person)
    # when / then
    duplicate = AssistanceRecord(person=person, area=world.wuxian_village, delivered_on=date(2026, 3, 6),
                                 department=first.department, kind="cash", programme="x",
                                 source_type=first.source_type, source_id=first.source_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_reversal_is_a_separate_negative_row_and_nets_the_sum(world, make_person):
    # given
    person = make_person("林三")
    original = _record(world, person, source=person, quantity=Decimal("2"), unit="袋")
    # when
    reversal = reverse_assistance(source=person, actor=world.user("finance"), reason="银行退回")
    again = reverse_assistance(source=person, actor=world.user("finance"), reason="银行退回")
    # then
    assert again.pk == reversal.pk
    assert reversal.reverses == original
    assert reversal.amount == Decimal("-500.00") and reversal.quantity == Decimal("-2.00")
    assert sum(r.amount for r in AssistanceRecord.objects.filter(person=person)) == Decimal("0.00")
    assert not AssistanceRecord.objects.filter(person=person).effective().exists()


def test_reversal_without_a_record_changes_nothing_and_needs_a_reason(world, make_person):
    person = make_person("林四")
    assert reverse_assistance(source=person, actor=world.user("finance"), reason="追回") is None
    _record(world, person, source=person)
    with pytest.raises(DomainError, match="原因"):
        reverse_assistance(source=person, actor=world.user("finance"), reason=" ")


def test_negative_amount_is_refused_in_chinese(world, make_person):
    person = make_person("林五")
    with pytest.raises(DomainError, match="不能为负数"):
        _record(world, person, source=person, amount=Decimal("-1"))


def test_many_at_once_records_each_source_once_and_checks_like_one(world, make_person):
    from onedoor.registry.models import Person

    people = [make_person(f"批量{n}") for n in range(3)]
    _record(world, people[0], source=people[0])  # already recorded one by one
    department = world.org("区民政局")

    def rows(amount="300.00"):
        return [{"person_id": p.pk, "area_id": world.wuxian_village.pk, "delivered_on": date(2026, 3, 6),
                 "department_id": department.pk, "kind": "cash", "amount": Decimal(amount), "source_id": p.pk}
                for p in people]

    record_assistance_many(rows(), source_model=Person, actor=world.user("finance"), batch_size=2)
    record_assistance_many(rows("900.00"), source_model=Person)  # a retried job: nothing new, nothing changed

    records = AssistanceRecord.objects.order_by("person_id")
    assert [(r.person_id, r.amount) for r in records] == [
        (people[0].pk, Decimal("500.00")), (people[1].pk, Decimal("300.00")), (people[2].pk, Decimal("300.00"))]
    assert records[1].programme == str(Person._meta.verbose_name)  # no policy: the source's kind, as one by one
    with pytest.raises(DomainError, match="不能为负数"):
        record_assistance_many(rows("-1"), source_model=Person)
    with pytest.raises(DomainError, match="未知的救助方式"):
        record_assistance_many([{**rows()[0], "kind": "gold"}], source_model=Person)
