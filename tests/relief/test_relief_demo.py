"""The demo step: the article's reserves (2,753 quilts; ten agreement suppliers holding water, noodles,
oil and rice by the thousand), one low-stock alert and one expiring food batch; a second run changes
nothing; the books balance."""

from __future__ import annotations

from django.db.models import Sum

from onedoor.relief import actions, selectors
from onedoor.relief.demo_steps import load_demo_stock
from onedoor.relief.models import Agreement, StockBalance, StockMove, Store


def test_demo_stock_has_the_articles_figures(world):
    # when
    load_demo_stock({})
    # then
    keeper = world.user("storekeeper")
    own_quilts = StockBalance.objects.filter(item__code="quilt").exclude(store__kind="supplier").aggregate(
        total=Sum("quantity"))["total"]
    assert own_quilts == 2753
    suppliers = Store.objects.filter(kind="supplier")
    assert suppliers.count() == 10 and Agreement.objects.count() == 10
    assert {"古龙储备", "银鹭储备", "旺家福储备"} <= set(suppliers.values_list("name", flat=True))
    for code in ("water", "noodles", "oil", "rice"):
        held = StockBalance.objects.filter(store__kind="supplier", item__code=code).aggregate(
            total=Sum("quantity"))["total"]
        assert held >= 1000, code
    low = list(selectors.low_stock(keeper))
    assert [(level.store.name, level.item.code) for level in low] == [("汀溪镇物资点", "quilt")]
    assert [b.item.code for b in selectors.expiring(keeper)] == ["noodles"]
    assert actions.verify_balances() == []


def test_demo_stock_step_is_idempotent(world):
    load_demo_stock({})
    moves = StockMove.objects.count()
    assert load_demo_stock({}) == "已有物资储备，未改动"
    assert StockMove.objects.count() == moves
