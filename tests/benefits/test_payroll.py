"""Payroll: one payment per payable enrollment and month, whatever happens; corrections for
earlier months; four eyes; signatures that reveal tampering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from onedoor.benefits import actions, payroll, signing
from onedoor.benefits.models import Payment
from onedoor.core.exceptions import Conflict, NotPermitted
from onedoor.registry.actions import record_death


def test_a_run_pays_each_payable_enrollment_once_even_when_computed_twice(world, enrolled, finance_pair):
    preparer, _ = finance_pair
    enrollments = enrolled(3)
    run = payroll.create_run(actor=preparer, month=date(2026, 4, 1))

    payroll.compute_run(run, actor=preparer)
    payroll.compute_run(run, actor=preparer)

    payments = Payment.objects.filter(run=run)
    assert payments.count() == 3
    assert {p.enrollment_id for p in payments} == {e.pk for e in enrollments}
    assert all(p.amount == Decimal("800.00") and p.line == "regular" for p in payments)
    run.refresh_from_db()
    assert (run.state, run.payment_count, run.total_amount) == ("computed", 3, Decimal("2400.00"))


def test_nothing_is_paid_before_the_start_month(world, enrolled, finance_pair):
    enrolled(2)
    run = payroll.create_run(actor=finance_pair[0], month=date(2026, 3, 1))
    payroll.compute_run(run, actor=finance_pair[0])
    assert run.payments.count() == 0


def test_a_crash_half_way_then_a_rerun_gives_exactly_one_payment_each(world, enrolled, finance_pair, monkeypatch):
    preparer, _ = finance_pair
    enrollments = enrolled(4)
    monkeypatch.setattr(payroll, "BATCH", 2)  # ids in batches of two
    run = payroll.create_run(actor=preparer, month=date(2026, 4, 1))

    def crash_after_first_batch(done, total):
        raise RuntimeError("工作进程中断")

    with pytest.raises(RuntimeError):
        payroll.compute_run(run, actor=preparer, on_batch=crash_after_first_batch)
    first_part = run.payments.count()
    assert 0 < first_part < 4  # the first batch committed, the rest did not happen

    payroll.compute_run(run, actor=preparer)
    assert run.payments.count() == 4
    assert sorted(run.payments.values_list("enrollment_id", flat=True)) == sorted(e.pk for e in enrollments)


def test_the_database_refuses_a_second_regular_payment(world, enrolled, finance_pair):
    enrolled(1)
    run = payroll.create_run(actor=finance_pair[0], month=date(2026, 4, 1))
    payroll.compute_run(run, actor=finance_pair[0])
    payment = run.payments.get()
    payment.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        payment.save()


def test_signatures_match_in_sql_and_python_and_reveal_tampering(world, enrolled, finance_pair):
    preparer, approver = finance_pair
    enrolled(2)
    run = payroll.create_run(actor=preparer, month=date(2026, 4, 1))
    payroll.compute_run(run, actor=preparer)
    assert all(signing.verify(payment) for payment in run.payments.all())

    Payment.objects.filter(pk=run.payments.first().pk).update(bank_account="6222999988887777")

    with pytest.raises(Conflict, match="签名不符"):
        payroll.approve_run(run, actor=approver)


def test_the_preparer_cannot_approve(world, enrolled, finance_pair):
    preparer, approver = finance_pair
    enrolled(1)
    run = payroll.create_run(actor=preparer, month=date(2026, 4, 1))
    payroll.compute_run(run, actor=preparer)
    with pytest.raises(NotPermitted, match="编制人不能审核"):
        payroll.approve_run(run, actor=preparer)
    assert payroll.approve_run(run, actor=approver).state == "approved"


def test_a_standard_raised_from_an_earlier_month_pays_arrears(world, standards, enrolled, finance_pair):
    preparer, _ = finance_pair
    [enrollment] = enrolled(1)
    for month in (date(2026, 4, 1), date(2026, 5, 1)):
        run = payroll.create_run(actor=preparer, month=month)
        payroll.compute_run(run, actor=preparer)

    # the standard rises to 850 from April, decided in June
    standards("dibao", "850.00", month=date(2026, 4, 1), hukou_type="urban")
    actions.recompute_amount(enrollment, actor=world.user("handler.mz"), from_month=date(2026, 4, 1),
                             reason="2026年4月起提高低保标准")
    june = payroll.create_run(actor=preparer, month=date(2026, 6, 1))
    payroll.compute_run(june, actor=preparer)
    payroll.compute_run(june, actor=preparer)  # again: no second correction

    lines = sorted(june.payments.values_list("month", "line", "amount"))
    assert lines == [(date(2026, 4, 1), "arrears", Decimal("50.00")), (date(2026, 5, 1), "arrears", Decimal("50.00")),
                     (date(2026, 6, 1), "regular", Decimal("850.00"))]
    # lines signed in Python (arrears) and in SQL (regular) pass the database's check alike
    assert payroll.tampered_payments(june) == []


def test_the_database_check_finds_each_kind_of_tampering(world, enrolled, finance_pair, time_machine):
    preparer, _ = finance_pair
    [enrollment, *_] = enrolled(3)
    for month in (date(2026, 4, 1), date(2026, 5, 1)):
        payroll.compute_run(payroll.create_run(actor=preparer, month=month), actor=preparer)
    time_machine.move_to(date(2026, 5, 20))
    record_death(actor=world.user("clerk.wuxian"), person=enrollment.person, death_date=date(2026, 4, 18))
    june = payroll.create_run(actor=preparer, month=date(2026, 6, 1))
    payroll.compute_run(june, actor=preparer)
    recovery = june.payments.get(line="recovery")  # a negative amount, signed in Python
    regular = list(june.payments.filter(line="regular").order_by("pk"))
    assert recovery.amount < 0 and len(regular) == 2 and payroll.tampered_payments(june) == []

    Payment.objects.filter(pk=recovery.pk).update(amount=Decimal("-0.01"))
    Payment.objects.filter(pk=regular[0].pk).update(month=date(2026, 7, 1))
    Payment.objects.filter(pk=regular[1].pk).update(amount=regular[1].amount + Decimal("0.01"))

    assert payroll.tampered_payments(june) == sorted([recovery.pk, regular[0].pk, regular[1].pk])


def test_a_death_recorded_late_recovers_what_was_paid_after_it(world, enrolled, finance_pair, time_machine):
    preparer, _ = finance_pair
    [enrollment] = enrolled(1)
    for month in (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)):
        payroll.compute_run(payroll.create_run(actor=preparer, month=month), actor=preparer)
    time_machine.move_to(date(2026, 6, 20))

    record_death(actor=world.user("clerk.wuxian"), person=enrollment.person, death_date=date(2026, 4, 18))
    july = payroll.create_run(actor=preparer, month=date(2026, 7, 1))
    payroll.compute_run(july, actor=preparer)

    # April (the month of death) stays paid; May and June are recovered; nothing for July
    assert sorted(july.payments.values_list("month", "line", "amount")) == [
        (date(2026, 5, 1), "recovery", Decimal("-800.00")), (date(2026, 6, 1), "recovery", Decimal("-800.00"))]


def test_only_finance_prepares_runs_and_a_month_has_one_run(world, enrolled, finance_pair):
    with pytest.raises(NotPermitted):
        payroll.create_run(actor=world.user("clerk.wuxian"), month=date(2026, 4, 1))
    payroll.create_run(actor=finance_pair[0], month=date(2026, 4, 1))
    with pytest.raises(Conflict):
        payroll.create_run(actor=finance_pair[0], month=date(2026, 4, 15))
