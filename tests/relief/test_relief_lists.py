"""Low-stock, expiring-soon and expired lists, the stock table, and the storekeeper's home panel."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from onedoor.relief import actions, selectors

TODAY = timezone.localdate()


def test_low_stock_lists_stores_below_their_minimum_including_empty_ones(stock):
    # given
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=20)
    actions.receive_stock(actor=stock.keeper, store=stock.lianhua, item=stock.quilt, quantity=50)
    actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, minimum=30)
    actions.set_minimum_level(actor=stock.keeper, store=stock.lianhua, item=stock.quilt, minimum=30)
    actions.set_minimum_level(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, minimum=1)
    # when
    low = list(selectors.low_stock(stock.keeper))
    # then
    assert {(level.store, level.on_hand, level.minimum) for level in low} == {
        (stock.warehouse, 0, 1), (stock.wuxian, 20, 30)}


def test_low_stock_sums_all_batches_of_food(stock):
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=6,
                          expiry=TODAY + timedelta(days=3))
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=6,
                          expiry=TODAY + timedelta(days=60))
    actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, minimum=12)
    assert list(selectors.low_stock(stock.keeper)) == []
    actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=1, purpose="patrol")
    assert [level.on_hand for level in selectors.low_stock(stock.keeper)] == [11]


def test_expiring_soon_and_expired_food(stock):
    # given
    for days, quantity in ((-2, 1), (0, 2), (10, 3), (30, 4), (31, 5)):
        actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=quantity,
                              expiry=TODAY + timedelta(days=days))
    actions.issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=1, purpose="patrol",
                        expiry=TODAY - timedelta(days=2))
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=9,
                          expiry=TODAY - timedelta(days=5))
    # then: within 30 days, today counts as still good; emptied batches are not listed
    assert [b.quantity for b in selectors.expiring(stock.keeper)] == [2, 3, 4]
    assert [b.quantity for b in selectors.expiring(stock.keeper, days=10)] == [2, 3]
    assert [(b.quantity, b.days_left) for b in selectors.expired(stock.keeper)] == [(9, -5)]


def test_the_lists_are_scoped_by_store(stock, town_keeper):
    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=1,
                          expiry=TODAY + timedelta(days=1))
    actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, minimum=5)
    keeper = town_keeper("lianhua")
    assert list(selectors.expiring(keeper)) == [] and list(selectors.low_stock(keeper)) == []
    assert selectors.stock_table(keeper).own_stores == [stock.lianhua]


def test_stock_table_puts_supplier_reserves_in_their_own_column_group(stock, django_assert_num_queries):
    actions.receive_stock(actor=stock.keeper, store=stock.warehouse, item=stock.quilt, quantity=100)
    actions.transfer_stock(actor=stock.keeper, from_store=stock.warehouse, to_store=stock.wuxian, item=stock.quilt,
                           quantity=40)
    actions.receive_stock(actor=stock.keeper, store=stock.supplier, item=stock.quilt, quantity=500)
    keeper = stock.keeper
    keeper.active_grants()
    with django_assert_num_queries(3):
        table = selectors.stock_table(keeper)
        rows = table.rows()
    assert table.supplier_stores == [stock.supplier]
    assert stock.supplier not in table.own_stores
    quilt = next(row for row in rows if row["item"] == stock.quilt)
    assert (quilt["own_total"], quilt["reserve_total"], quilt["total"]) == (100, 500, 600)


def test_home_panel_shows_low_stock_and_expiring_food(stock, rf):
    from onedoor.relief.panels import stock_alerts_panel

    actions.receive_stock(actor=stock.keeper, store=stock.wuxian, item=stock.noodles, quantity=2,
                          expiry=TODAY + timedelta(days=4))
    actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, minimum=30)
    request = rf.get("/")
    request.user = stock.keeper
    context = stock_alerts_panel(request)
    assert [level.item for level in context["low"]] == [stock.quilt]
    assert [b.item for b in context["expiring"]] == [stock.noodles]


def test_home_page_shows_the_panel_to_storekeepers_only(stock, login):
    actions.set_minimum_level(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, minimum=30)
    body = login("storekeeper").get("/").content.decode()
    assert 'data-panel="stock-alerts"' in body and "五显镇物资点（测试）" in body
    assert 'data-panel="stock-alerts"' not in login("clerk.wuxian").get("/").content.decode()
