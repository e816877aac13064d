"""Concurrent disbursements from one reserve fund never take it below zero (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from onedoor.aid.actions import disburse_payment
from onedoor.aid.choices import AidPaymentStatus
from onedoor.aid.models import AidPayment, FundMovement
from onedoor.core.exceptions import Conflict
from onedoor.ledger.models import AssistanceRecord

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database with concurrent writers")
def test_concurrent_disbursements_never_overdraw_the_fund(world, funds, one_off_policy, decide):
    # given: 1,000 in the town's fund and eight decided payments of 300 each
    town, _ = funds(town=Decimal("1000.00"), district=Decimal("0"))
    payments = [AidPayment.objects.get(task=decide(one_off_policy, "300.00")) for _ in range(8)]
    finance = world.user("finance")
    barrier = threading.Barrier(len(payments))
    outcomes: list[str] = []
    lock = threading.Lock()

    def pay(payment):
        try:
            barrier.wait()
            disburse_payment(payment, actor=finance)
            result = "paid"
        except Conflict as exc:
            result = exc.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    # when: all eight at the same moment
    threads = [threading.Thread(target=pay, args=(p,)) for p in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: exactly three were paid, the rest refused, and the books agree
    town.refresh_from_db()
    assert sorted(outcomes) == ["fund_insufficient"] * 5 + ["paid"] * 3
    assert town.balance == Decimal("100.00")
    assert AidPayment.objects.filter(status=AidPaymentStatus.DISBURSED).count() == 3
    assert FundMovement.objects.filter(fund=town, kind="disbursement").count() == 3
    assert AssistanceRecord.objects.filter(kind="cash").count() == 3
    assert min(FundMovement.objects.filter(fund=town).values_list("balance_after", flat=True)) >= 0
