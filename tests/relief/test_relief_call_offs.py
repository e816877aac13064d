"""Call-off orders to agreement suppliers: placed under a valid agreement within the reserve,
delivered as receipts out of the reserve, or cancelled — and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from onedoor.core.exceptions import DomainError, IllegalTransition, NotPermitted
from onedoor.relief import actions
from onedoor.relief.actions import InsufficientStock
from onedoor.relief.models import CallOffOrder, StockMove

TODAY = timezone.localdate()


@pytest.fixture
def reserve(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.supplier, item=stock.quilt, quantity=500)
    actions.receive_stock(actor=stock.keeper, store=stock.supplier, item=stock.noodles, quantity=800,
                          expiry=TODAY + timedelta(days=200))
    return stock


def test_placing_a_call_off_sets_its_due_date_from_the_lead_time(reserve):
    order = actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                                   quantities={reserve.quilt: 200, reserve.noodles: 100}, note="寒潮预警")
    assert order.status == "ordered" and order.agreement == reserve.agreement
    assert order.due_on == TODAY + timedelta(days=2)
    assert order.number.startswith(f"DY{TODAY:%Y%m%d}")
    assert {(line.item, line.quantity) for line in order.lines.all()} == {(reserve.quilt, 200), (reserve.noodles, 100)}
    # nothing moves until delivery
    assert actions.on_hand(reserve.supplier, reserve.quilt) == 500
    second = actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.wuxian,
                                    quantities={reserve.quilt: 1})
    assert second.number != order.number


def test_delivery_becomes_receipts_out_of_the_suppliers_reserve(reserve):
    # given
    order = actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                                   quantities={reserve.quilt: 200, reserve.noodles: 100})
    batch = TODAY + timedelta(days=180)
    # when: 190 quilts arrive, all the noodles
    moves = actions.deliver_call_off(order, actor=reserve.keeper, delivered={reserve.quilt.pk: 190},
                                     expiries={reserve.noodles.pk: batch})
    # then
    order.refresh_from_db()
    assert order.status == "delivered" and order.delivered_at and order.closed_by == reserve.keeper
    assert {(m.kind, m.purpose, m.item, m.quantity, m.from_store, m.to_store) for m in moves} == {
        ("receipt", "call_off", reserve.quilt, 190, reserve.supplier, reserve.warehouse),
        ("receipt", "call_off", reserve.noodles, 100, reserve.supplier, reserve.warehouse)}
    assert all(m.source == order for m in StockMove.objects.filter(pk__in=[m.pk for m in moves]))
    assert actions.on_hand(reserve.warehouse, reserve.quilt) == 190
    assert actions.on_hand(reserve.supplier, reserve.quilt) == 310
    assert actions.on_hand(reserve.warehouse, reserve.noodles, batch, any_batch=False) == 100
    assert {line.item_id: line.delivered_quantity for line in order.lines.all()} == {
        reserve.quilt.pk: 190, reserve.noodles.pk: 100}
    assert actions.verify_balances() == []


def test_delivered_food_needs_its_expiry(reserve):
    order = actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                                   quantities={reserve.noodles: 10})
    with pytest.raises(DomainError) as refused:
        actions.deliver_call_off(order, actor=reserve.keeper)
    assert "到期日" in refused.value.message
    order.refresh_from_db()
    assert order.status == "ordered"


def test_more_delivered_than_ordered_is_refused(reserve):
    order = actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                                   quantities={reserve.quilt: 10})
    with pytest.raises(DomainError):
        actions.deliver_call_off(order, actor=reserve.keeper, delivered={reserve.quilt.pk: 11})


def test_a_delivered_or_cancelled_order_cannot_move_again(reserve):
    order = actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                                   quantities={reserve.quilt: 10})
    actions.deliver_call_off(order, actor=reserve.keeper)
    with pytest.raises(IllegalTransition) as twice:
        actions.deliver_call_off(order, actor=reserve.keeper)
    assert twice.value.status == 409 and "已到货" in twice.value.message
    with pytest.raises(IllegalTransition):
        actions.cancel_call_off(order, actor=reserve.keeper, reason="不要了")
    assert actions.on_hand(reserve.warehouse, reserve.quilt) == 10


def test_cancelling_needs_a_reason_and_moves_nothing(reserve):
    order = actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                                   quantities={reserve.quilt: 10})
    with pytest.raises(DomainError):
        actions.cancel_call_off(order, actor=reserve.keeper, reason="")
    actions.cancel_call_off(order, actor=reserve.keeper, reason="寒潮解除")
    order.refresh_from_db()
    assert order.status == "cancelled" and "寒潮解除" in order.note
    assert StockMove.objects.filter(purpose="call_off").count() == 0


def test_call_off_beyond_the_reserve_counting_open_orders_is_refused(reserve):
    actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                           quantities={reserve.quilt: 400})
    with pytest.raises(InsufficientStock) as refused:
        actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.wuxian,
                               quantities={reserve.quilt: 101})
    assert "可调 100床" in refused.value.message and refused.value.details["available"] == 100


def test_call_off_needs_a_valid_agreement_covering_the_item(reserve, world):
    from onedoor.relief.models import Item

    rice = Item.objects.create(code="t-rice", name="测试大米", unit="袋")
    with pytest.raises(DomainError) as not_covered:
        actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                               quantities={rice: 1})
    assert "不含" in not_covered.value.message
    reserve.agreement.valid_to = TODAY - timedelta(days=1)
    reserve.agreement.save()
    with pytest.raises(DomainError) as expired:
        actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                               quantities={reserve.quilt: 1})
    assert expired.value.code == "no_agreement"


def test_call_off_only_from_a_supplier_to_the_bureaus_stores(reserve):
    with pytest.raises(DomainError):
        actions.place_call_off(actor=reserve.keeper, supplier=reserve.warehouse, destination=reserve.wuxian,
                               quantities={reserve.quilt: 1})
    with pytest.raises(DomainError):
        actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.supplier,
                               quantities={reserve.quilt: 1})
    with pytest.raises(DomainError) as empty:
        actions.place_call_off(actor=reserve.keeper, supplier=reserve.supplier, destination=reserve.warehouse,
                               quantities={reserve.quilt: 0})
    assert empty.value.code == "no_lines"


def test_a_town_keeper_orders_only_to_their_own_store(reserve, town_keeper):
    keeper = town_keeper("lianhua")
    with pytest.raises(NotPermitted):
        actions.place_call_off(actor=keeper, supplier=reserve.supplier, destination=reserve.wuxian,
                               quantities={reserve.quilt: 1})
    order = actions.place_call_off(actor=keeper, supplier=reserve.supplier, destination=reserve.lianhua,
                                   quantities={reserve.quilt: 1})
    assert CallOffOrder.objects.visible_to(keeper).filter(pk=order.pk).exists()
