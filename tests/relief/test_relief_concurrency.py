"""Two issues of the last units at the same moment: exactly one succeeds (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from onedoor.relief import actions
from onedoor.relief.actions import InsufficientStock

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency: PostgreSQL")


def _race(workers: int, work) -> tuple[list, list]:
    barrier = threading.Barrier(workers)
    done, refused = [], []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            done.append(work(index))
        except InsufficientStock as exc:
            refused.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return done, refused


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issues_of_the_last_units_cannot_both_succeed(stock):
    # given: 5 quilts left
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=5)
    # when: two deliveries of 3 each at the same moment
    done, refused = _race(2, lambda i: actions.issue_stock(
        actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=3, purpose="campaign"))
    # then
    assert len(done) == 1 and len(refused) == 1
    assert "现有 2床" in refused[0].message
    assert actions.on_hand(stock.wuxian, stock.quilt) == 2
    assert actions.verify_balances() == []


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_issues_never_take_more_than_there_is(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=7)
    done, refused = _race(10, lambda i: actions.issue_stock(
        actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=1, purpose="campaign"))
    assert (len(done), len(refused)) == (7, 3)
    assert actions.on_hand(stock.wuxian, stock.quilt) == 0
    assert actions.verify_balances() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_food_issues_across_batches_stay_within_stock(stock):
    today = timezone.localdate()
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=3,
                          expiry=today + timedelta(days=5))
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=3,
                          expiry=today + timedelta(days=50))
    done, refused = _race(4, lambda i: actions.issue_stock_moves(
        actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=2, purpose="campaign"))
    assert (len(done), len(refused)) == (3, 1)
    assert actions.on_hand(stock.wuxian, stock.noodles) == 0
    assert actions.verify_balances() == []


@pytest.mark.django_db(transaction=True)
def test_opposite_transfers_at_once_do_not_deadlock(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=10)
    actions.receive_stock(actor=stock.keeper, store=stock.lianhua, item=stock.quilt, quantity=10)
    pairs = [(stock.wuxian, stock.lianhua), (stock.lianhua, stock.wuxian)] * 4

    def work(i):
        source, target = pairs[i]
        return actions.transfer_stock(actor=stock.keeper, from_store=source, to_store=target, item=stock.quilt,
                                      quantity=1)

    done, refused = _race(len(pairs), work)
    assert len(done) == len(pairs) and not refused
    assert actions.on_hand(stock.wuxian, stock.quilt) + actions.on_hand(stock.lianhua, stock.quilt) == 20
    assert actions.verify_balances() == []
