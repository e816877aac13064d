"""One-off aid (临时救助): payments from approved decisions, reserve funds that never go below zero,
the town limit, and the ledger written at disbursement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onedoor.aid.actions import disburse_payment, return_payment, top_up_fund
from onedoor.aid.choices import AidPaymentStatus, MovementKind
from onedoor.aid.models import AidPayment, FundMovement, ReserveFund
from onedoor.core.exceptions import Conflict, NotPermitted
from onedoor.ledger.models import AssistanceRecord


def test_act_first_payment_is_disbursed_at_approval_and_written_to_the_ledger(world, funds, one_off_policy, decide):
    # given
    town, _ = funds(town=Decimal("1000.00"))
    # when: 急难型 approved under 先行救助
    task = decide(one_off_policy, "800.00", act_first=True)
    # then
    payment = AidPayment.objects.get(task=task)
    assert payment.status == AidPaymentStatus.DISBURSED and payment.act_first
    assert payment.completion_pending is True
    assert payment.fund == town and payment.disbursed_on == date(2026, 3, 10)
    town.refresh_from_db()
    assert town.balance == Decimal("200.00")
    movement = FundMovement.objects.get(payment=payment)
    assert (movement.kind, movement.amount, movement.balance_after) == (
        MovementKind.DISBURSEMENT, Decimal("800.00"), Decimal("200.00"))
    record = AssistanceRecord.objects.get(person=payment.person)
    assert (record.kind, record.amount, record.policy, record.delivered_on) == (
        "cash", Decimal("800.00"), one_off_policy, date(2026, 3, 10))


def test_expense_type_payment_waits_for_disbursement(world, funds, one_off_policy, decide):
    # given
    funds()
    # when: 支出型, full procedure
    task = decide(one_off_policy, "500.00")
    payment = AidPayment.objects.get(task=task)
    # then
    assert payment.status == AidPaymentStatus.PENDING and not payment.act_first
    assert not AssistanceRecord.objects.filter(person=payment.person).exists()
    # when
    disburse_payment(payment, actor=world.user("finance"), on=date(2026, 3, 12))
    # then
    payment.refresh_from_db()
    assert payment.status == AidPaymentStatus.DISBURSED
    assert AssistanceRecord.objects.get(person=payment.person).delivered_on == date(2026, 3, 12)


def test_amount_above_town_limit_is_paid_by_the_district(world, funds, one_off_policy, decide):
    # given: the town may pay up to 2,000 a time
    town, district = funds(town=Decimal("10000.00"), town_limit=Decimal("2000.00"))
    # when
    small = AidPayment.objects.get(task=decide(one_off_policy, "2000.00"))
    big = AidPayment.objects.get(task=decide(one_off_policy, "2000.01"))
    disburse_payment(small, actor=world.user("finance"))
    disburse_payment(big, actor=world.user("finance"))
    # then
    small.refresh_from_db()
    big.refresh_from_db()
    assert small.fund == town and big.fund == district
    town.refresh_from_db()
    district.refresh_from_db()
    assert town.balance == Decimal("8000.00") and district.balance == Decimal("47999.99")


def test_sequential_overdraw_is_refused_in_chinese_and_balance_stays(world, funds, one_off_policy, decide):
    # given
    town, _ = funds(town=Decimal("1000.00"))
    first = AidPayment.objects.get(task=decide(one_off_policy, "700.00"))
    second = AidPayment.objects.get(task=decide(one_off_policy, "400.00"))
    disburse_payment(first, actor=world.user("finance"))
    # when / then
    with pytest.raises(Conflict, match="余额不足"):
        disburse_payment(second, actor=world.user("finance"))
    town.refresh_from_db()
    second.refresh_from_db()
    assert town.balance == Decimal("300.00") and second.status == AidPaymentStatus.PENDING
    assert not AssistanceRecord.objects.filter(person=second.person).exists()


def test_act_first_with_an_empty_fund_keeps_the_decision_and_waits(world, funds, one_off_policy, decide):
    # given
    funds(town=Decimal("0"), district=Decimal("0"))
    # when
    task = decide(one_off_policy, "300.00", act_first=True)
    # then: the decision stands; the payment waits with the reason
    task.refresh_from_db()
    payment = AidPayment.objects.get(task=task)
    assert task.state == "approved"
    assert payment.status == AidPaymentStatus.PENDING and "余额不足" in payment.note


def test_disbursing_twice_is_refused(world, funds, one_off_policy, decide):
    funds()
    payment = AidPayment.objects.get(task=decide(one_off_policy, "100.00"))
    disburse_payment(payment, actor=world.user("finance"))
    with pytest.raises(Conflict, match="不能重复发放"):
        disburse_payment(payment, actor=world.user("finance"))


def test_return_puts_money_back_and_reverses_the_ledger(world, funds, one_off_policy, decide):
    # given
    town, _ = funds(town=Decimal("1000.00"))
    payment = AidPayment.objects.get(task=decide(one_off_policy, "600.00", act_first=True))
    # when
    return_payment(payment, actor=world.user("finance"), reason="受助人未领取")
    # then
    town.refresh_from_db()
    assert town.balance == Decimal("1000.00")
    rows = AssistanceRecord.objects.filter(person=payment.person)
    assert sorted(r.amount for r in rows) == [Decimal("-600.00"), Decimal("600.00")]
    assert FundMovement.objects.filter(payment=payment, kind=MovementKind.RETURN).count() == 1


def test_only_finance_tops_up_and_clerks_disburse_only_their_town(world, funds, one_off_policy, decide):
    town, _ = funds()
    with pytest.raises(NotPermitted):
        top_up_fund(town, actor=world.user("clerk.wuxian"), amount="10", reason="x")
    payment = AidPayment.objects.get(task=decide(one_off_policy, "100.00"))
    with pytest.raises(NotPermitted):
        disburse_payment(payment, actor=world.user("clerk.lianhua"))
    disburse_payment(payment, actor=world.user("clerk.wuxian"))


def test_database_refuses_a_negative_balance(world, funds):
    from django.db import IntegrityError, transaction

    town, _ = funds(town=Decimal("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveFund.objects.filter(pk=town.pk).update(balance=Decimal("-0.01"))
