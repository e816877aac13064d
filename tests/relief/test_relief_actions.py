"""The stock ledger's actions: every move, every refusal, batches (FEFO), the balance table kept equal
to the ledger, and the database's own guards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from onedoor.core.exceptions import DomainError, NotPermitted
from onedoor.relief import actions
from onedoor.relief.actions import InsufficientStock
from onedoor.relief.models import MinimumLevel, StockBalance, StockMove

TODAY = timezone.localdate()


def held(store, item, expiry=None, any_batch=True):
    return actions.on_hand(store, item, expiry, any_batch=any_batch)


def test_receive_puts_goods_on_the_books(stock):
    # when
    move = actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=2753,
                                 purpose="purchase", note="冬储采购")
    # then
    assert (move.kind, move.purpose, move.to_store, move.from_store, move.code) == (
        "receipt", "purchase", stock.warehouse, None, "receipt")
    assert move.actor == stock.keeper and move.request_id
    assert held(stock.warehouse, stock.quilt) == 2753
    assert actions.verify_balances() == []


def test_a_second_receipt_adds_to_the_same_balance_row(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=10)
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=5, purpose="donation")
    assert StockBalance.objects.filter(store=stock.warehouse, item=stock.quilt).get().quantity == 15


def test_food_must_name_its_expiry_and_is_kept_by_batch(stock):
    with pytest.raises(DomainError) as refused:
        actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.noodles, quantity=10)
    assert "到期日" in refused.value.message and refused.value.details == {"field": "expiry"}
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.noodles, quantity=10,
                          expiry=TODAY + timedelta(days=10))
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.noodles, quantity=7,
                          expiry=TODAY + timedelta(days=90))
    assert StockBalance.objects.filter(store=stock.warehouse, item=stock.noodles).count() == 2
    assert held(stock.warehouse, stock.noodles) == 17


def test_a_non_food_item_ignores_an_expiry_date(stock):
    move = actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=3,
                                 expiry=TODAY)
    assert move.expiry is None


def test_issue_takes_goods_out_for_a_purpose(stock):
    # given
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=10)
    # when
    move = actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=4,
                               purpose="one_off_aid", note="临时救助")
    # then
    assert (move.kind, move.from_store, move.to_store, move.quantity) == ("issue", stock.wuxian, None, 4)
    assert held(stock.wuxian, stock.quilt) == 6


def test_issue_records_its_source(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=10)
    order_like = stock.agreement  # any model instance can be the source
    move = actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=1,
                               purpose="campaign", source=order_like)
    move.refresh_from_db()
    assert move.source == order_like


def test_overdraw_is_refused_naming_item_store_and_what_is_on_hand(stock):
    # given
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=3)
    # when
    with pytest.raises(InsufficientStock) as refused:
        actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=4, purpose="campaign")
    # then
    error = refused.value
    assert error.status == 409
    assert "测试棉被" in error.message and "五显镇物资点（测试）" in error.message and "现有 3床" in error.message
    assert error.details["on_hand"] == 3 and error.details["requested"] == 4
    assert held(stock.wuxian, stock.quilt) == 3
    assert StockMove.objects.filter(kind="issue").count() == 0


def test_overdraw_of_an_item_never_received_is_refused(stock):
    with pytest.raises(InsufficientStock) as refused:
        actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=1, purpose="patrol")
    assert "现有 0床" in refused.value.message


def test_issue_of_food_takes_the_earliest_batch_first_across_batches(stock):
    # given
    soon, later = TODAY + timedelta(days=5), TODAY + timedelta(days=100)
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=6, expiry=later)
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=4, expiry=soon)
    # when
    moves = actions.issue_stock_moves(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=7,
                                      purpose="campaign")
    # then
    assert [(m.expiry, m.quantity) for m in moves] == [(soon, 4), (later, 3)]
    assert moves[0].group == moves[1].group is not None
    assert held(stock.wuxian, stock.noodles, soon, any_batch=False) == 0
    assert held(stock.wuxian, stock.noodles, later, any_batch=False) == 3
    assert actions.verify_balances() == []


def test_issue_of_a_named_batch_is_refused_when_that_batch_is_short(stock):
    soon, later = TODAY + timedelta(days=5), TODAY + timedelta(days=100)
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=2, expiry=soon)
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=9, expiry=later)
    with pytest.raises(InsufficientStock) as refused:
        actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=3,
                            purpose="campaign", expiry=soon)
    assert "现有 11袋" in refused.value.message and "现有 2袋" in refused.value.message


def test_transfer_moves_goods_between_the_bureaus_stores(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=100)
    moves = actions.transfer_stock(actor=stock.keeper, from_store=stock.warehouse, to_store=stock.lianhua,
                                   item=stock.quilt, quantity=30)
    assert [(m.kind, m.from_store, m.to_store, m.quantity) for m in moves] == [
        ("transfer", stock.warehouse, stock.lianhua, 30)]
    assert (held(stock.warehouse, stock.quilt), held(stock.lianhua, stock.quilt)) == (70, 30)


def test_transfer_of_food_keeps_the_batches(stock):
    soon = TODAY + timedelta(days=5)
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.noodles, quantity=10, expiry=soon)
    actions.transfer_stock(actor=stock.keeper, from_store=stock.warehouse, to_store=stock.wuxian,
                           item=stock.noodles, quantity=4)
    assert held(stock.wuxian, stock.noodles, soon, any_batch=False) == 4


@pytest.mark.parametrize("case", ["same", "to_supplier", "from_supplier"])
def test_transfer_refusals(stock, case):
    actions.receive_stock(actor=stock.keeper, store=stock.supplier, item=stock.quilt, quantity=10)
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=10)
    source, target = {"same": (stock.warehouse, stock.warehouse), "to_supplier": (stock.warehouse, stock.supplier),
                      "from_supplier": (stock.supplier, stock.warehouse)}[case]
    with pytest.raises(DomainError) as refused:
        actions.transfer_stock(actor=stock.keeper, from_store=source, to_store=target, item=stock.quilt, quantity=1)
    assert refused.value.message
    assert StockMove.objects.filter(kind="transfer").count() == 0


def test_transfer_overdraw_changes_neither_store(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=5)
    with pytest.raises(InsufficientStock):
        actions.transfer_stock(actor=stock.keeper, from_store=stock.warehouse, to_store=stock.lianhua,
                               item=stock.quilt, quantity=6)
    assert (held(stock.warehouse, stock.quilt), held(stock.lianhua, stock.quilt)) == (5, 0)


def test_return_puts_undelivered_goods_back(stock):
    move = actions.return_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=2,
                                note="对象外出未遇")
    assert (move.kind, move.purpose, move.to_store) == ("return", "returned", stock.wuxian)
    assert held(stock.wuxian, stock.quilt) == 2


def test_adjustment_after_a_count_writes_the_difference_with_its_reason(stock):
    # given
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=20)
    # when
    down = actions.adjust_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, counted=17,
                                reason="月度盘点：3床受潮报损")
    up = actions.adjust_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, counted=18,
                              reason="复盘多出1床")
    same = actions.adjust_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, counted=18, reason="复核")
    # then
    assert (down.kind, down.from_store, down.to_store, down.quantity) == ("adjustment", stock.wuxian, None, 3)
    assert down.note == "月度盘点：3床受潮报损" and down.data == {"booked": 20, "counted": 17}
    assert (up.from_store, up.to_store, up.quantity) == (None, stock.wuxian, 1)
    assert same is None
    assert held(stock.wuxian, stock.quilt) == 18
    assert actions.verify_balances() == []


def test_adjustment_needs_a_reason_and_a_batch_for_food(stock):
    with pytest.raises(DomainError) as no_reason:
        actions.adjust_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, counted=1, reason="  ")
    assert no_reason.value.details == {"field": "reason"} and "原因" in no_reason.value.message
    with pytest.raises(DomainError) as no_batch:
        actions.adjust_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, counted=1, reason="盘点")
    assert no_batch.value.details == {"field": "expiry"}


def test_a_whole_stock_count_adjusts_only_the_lines_that_differ(stock):
    soon = TODAY + timedelta(days=9)
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=10)
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=10, expiry=soon)
    moves = actions.record_stock_count(actor=stock.keeper, store=stock.wuxian, reason="年终盘点", lines=[
        actions.CountedLine(stock.quilt, 10), actions.CountedLine(stock.noodles, 8, soon)])
    assert [(m.item, m.quantity, m.from_store) for m in moves] == [(stock.noodles, 2, stock.wuxian)]


def test_only_a_storekeeper_covering_the_store_changes_it(stock, world, town_keeper):
    lianhua_keeper = town_keeper("lianhua")
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=10)
    with pytest.raises(NotPermitted) as refused:
        actions.receive_stock(actor=lianhua_keeper, store=stock.wuxian, item=stock.quilt, quantity=1)
    assert "五显镇物资点" in refused.value.message
    for username in ("leader", "dispatcher", "clerk.wuxian"):
        with pytest.raises(NotPermitted):
            actions.issue_stock(actor=world.user(username), store=stock.wuxian, item=stock.quilt, quantity=1,
                                purpose="one_off_aid")
    with pytest.raises(NotPermitted):
        actions.issue_stock(actor=None, store=stock.wuxian, item=stock.quilt, quantity=1, purpose="one_off_aid")
    # the lianhua keeper works in their own store
    actions.receive_stock(actor=lianhua_keeper, store=stock.lianhua, item=stock.quilt, quantity=1)
    assert held(stock.wuxian, stock.quilt) == 10


def test_field_staff_issue_for_a_recorded_source_from_a_store_they_cover(stock, world):
    # A campaign delivery (or patrol encounter) is recorded by field staff, not the storekeeper.
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=10)
    clerk = world.user("clerk.wuxian")
    move = actions.issue_stock(actor=clerk, store=stock.wuxian, item=stock.quilt, quantity=1, purpose="campaign",
                               source=stock.agreement)
    assert move.actor == clerk
    with pytest.raises(NotPermitted):
        actions.issue_stock(actor=world.user("clerk.lianhua"), store=stock.wuxian, item=stock.quilt, quantity=1,
                            purpose="campaign", source=stock.agreement)


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5])
def test_quantities_must_be_positive_integers(stock, quantity):
    with pytest.raises(DomainError) as refused:
        actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=quantity)
    assert refused.value.details == {"field": "quantity"}


def test_purpose_must_fit_the_kind_of_move(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=3)
    with pytest.raises(DomainError) as refused:
        actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=1, purpose="purchase")
    assert refused.value.details == {"field": "purpose"}
    with pytest.raises(DomainError):
        actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=1,
                              purpose="call_off")


def test_supplier_reserves_are_not_issued_directly(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.supplier, item=stock.quilt, quantity=10)
    with pytest.raises(DomainError) as refused:
        actions.issue_stock(actor=stock.keeper, store=stock.supplier, item=stock.quilt, quantity=1,
                            purpose="one_off_aid")
    assert refused.value.code == "use_call_off"


def test_inactive_store_and_item_are_refused(stock):
    stock.wuxian.is_active = False
    stock.wuxian.save()
    with pytest.raises(DomainError) as refused:
        actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=1)
    assert "停用" in refused.value.message


def test_verify_balances_finds_a_balance_changed_behind_the_ledgers_back(stock):
    # given
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=10)
    assert actions.verify_balances() == []
    # when
    StockBalance.objects.filter(store=stock.wuxian, item=stock.quilt).update(quantity=12)
    # then
    [mismatch] = actions.verify_balances()
    assert (mismatch.store_id, mismatch.item_id, mismatch.from_ledger, mismatch.in_table) == (
        stock.wuxian.pk, stock.quilt.pk, 10, 12)


def test_verify_balances_finds_a_move_with_no_balance(stock):
    StockMove.objects.create(kind="receipt", purpose="purchase", item=stock.quilt, quantity=4, to_store=stock.lianhua)
    [mismatch] = actions.verify_balances()
    assert (mismatch.from_ledger, mismatch.in_table) == (4, 0)


def test_ledger_and_balances_agree_after_every_kind_of_move(stock):
    soon = TODAY + timedelta(days=3)
    k = stock.keeper
    actions.receive_stock(actor=k, store=stock.warehouse, item=stock.quilt, quantity=100)
    actions.receive_stock(actor=k, store=stock.warehouse, item=stock.noodles, quantity=50, expiry=soon)
    actions.receive_stock(actor=k, store=stock.supplier, item=stock.quilt, quantity=500)
    actions.transfer_stock(actor=k, from_store=stock.warehouse, to_store=stock.wuxian, item=stock.quilt, quantity=40)
    actions.transfer_stock(actor=k, from_store=stock.warehouse, to_store=stock.wuxian, item=stock.noodles,
                           quantity=20)
    actions.issue_stock(actor=k, store=stock.wuxian, item=stock.quilt, quantity=7, purpose="campaign")
    actions.issue_stock(actor=k, store=stock.wuxian, item=stock.noodles, quantity=5, purpose="patrol")
    actions.return_stock(actor=k, store=stock.wuxian, item=stock.quilt, quantity=1)
    actions.adjust_stock(actor=k, store=stock.wuxian, item=stock.noodles, counted=14, reason="盘点", expiry=soon)
    order = actions.place_call_off(actor=k, supplier=stock.supplier, destination=stock.warehouse,
                                   quantities={stock.quilt: 200})
    actions.deliver_call_off(order, actor=k)
    assert actions.verify_balances() == []
    assert held(stock.wuxian, stock.quilt) == 34 and held(stock.warehouse, stock.quilt) == 260
    assert held(stock.supplier, stock.quilt) == 300


def test_the_database_refuses_a_negative_balance_even_past_the_actions(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=1)
    from django.db.models import F

    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(store=stock.wuxian).update(quantity=F("quantity") - 2)


def test_the_database_refuses_an_adjustment_without_a_reason(stock):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.create(kind="adjustment", purpose="stock_count", item=stock.quilt, quantity=1,
                                 to_store=stock.wuxian, note="")


def test_the_database_refuses_an_issue_into_a_store(stock):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.create(kind="issue", purpose="campaign", item=stock.quilt, quantity=1,
                                 from_store=stock.wuxian, to_store=stock.lianhua)


def test_minimum_levels_are_set_changed_and_removed(stock):
    level = actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, minimum=30)
    assert level.minimum == 30
    actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, minimum=40)
    assert MinimumLevel.objects.get(store=stock.wuxian, item=stock.quilt).minimum == 40
    assert actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, minimum=0) is None
    assert not MinimumLevel.objects.filter(store=stock.wuxian).exists()
