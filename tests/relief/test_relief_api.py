"""The stock API: balances and moves (filtered, scoped, paged with bounded queries), and recording a
move — 201 with the moves, 422 naming fields, 409 with what is on hand, 403 for a reader."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from onedoor.relief import actions
from onedoor.relief.models import StockMove

TODAY = timezone.localdate()


@pytest.fixture
def stocked(stock):
    k = stock.keeper
    actions.receive_stock(actor=k, store=stock.wuxian, item=stock.quilt, quantity=20)
    actions.receive_stock(actor=k, store=stock.lianhua, item=stock.quilt, quantity=15)
    actions.receive_stock(actor=k, store=stock.wuxian, item=stock.noodles, quantity=5, expiry=TODAY + timedelta(days=7))
    actions.receive_stock(actor=k, store=stock.wuxian, item=stock.noodles, quantity=4, expiry=TODAY + timedelta(days=70))
    return stock


def post(client, body):
    return client.post("/api/v1/stock-moves", json.dumps(body), content_type="application/json")


def test_stock_lists_balances_by_batch(stocked, login):
    data = login("storekeeper").get("/api/v1/stock", {"store": stocked.wuxian.pk}).json()
    assert data["count"] == 3
    first = data["items"][0]
    assert set(first) == {"store_id", "store", "store_kind", "item", "item_name", "unit", "expiry", "quantity"}
    assert [(i["item"], i["quantity"]) for i in data["items"]] == [("t-quilt", 20), ("t-noodles", 5),
                                                                   ("t-noodles", 4)]


def test_stock_filters(stocked, login):
    client = login("storekeeper")
    assert client.get("/api/v1/stock", {"item": "t-quilt"}).json()["count"] == 2
    assert client.get("/api/v1/stock", {"kind": "supplier"}).json()["count"] == 0
    expiring = client.get("/api/v1/stock", {"expiring_within": 30}).json()
    assert [(i["item"], i["quantity"]) for i in expiring["items"]] == [("t-noodles", 5)]
    assert client.get("/api/v1/stock", {"kind": "nonsense"}).status_code == 422


def test_stock_is_scoped(stocked, client, town_keeper, login):
    client.force_login(town_keeper("lianhua"))
    data = client.get("/api/v1/stock").json()
    assert {i["store"] for i in data["items"]} == {"莲花镇物资点（测试）"}
    assert login("clerk.wuxian").get("/api/v1/stock").json()["count"] == 0


def test_stock_list_queries_are_bounded(stocked, login, django_assert_max_num_queries):
    client = login("storekeeper")
    for day in range(20):
        actions.receive_stock(actor=stocked.keeper, store=stocked.lianhua, item=stocked.noodles, quantity=1,
                              expiry=TODAY + timedelta(days=100 + day))
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/stock").json()["count"] == 24
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/stock-moves").json()["count"] == 24


def test_moves_list_filters(stocked, login):
    client = login("storekeeper")
    assert client.get("/api/v1/stock-moves", {"store": stocked.lianhua.pk}).json()["count"] == 1
    assert client.get("/api/v1/stock-moves", {"item": "t-noodles", "kind": "receipt"}).json()["count"] == 2
    assert client.get("/api/v1/stock-moves", {"date_from": (TODAY + timedelta(days=1)).isoformat()}).json()[
        "count"] == 0
    assert client.get("/api/v1/stock-moves", {"date_to": "yesterday"}).status_code == 422


def test_post_an_issue_returns_the_moves_taken_earliest_batch_first(stocked, login):
    response = post(login("storekeeper"), {"kind": "issue", "store": stocked.wuxian.pk, "item": "t-noodles",
                                           "quantity": 7, "purpose": "campaign", "note": "寒冬送温暖"})
    assert response.status_code == 201
    moves = response.json()["moves"]
    assert [(m["quantity"], m["expiry"]) for m in moves] == [
        (5, (TODAY + timedelta(days=7)).isoformat()), (2, (TODAY + timedelta(days=70)).isoformat())]
    assert moves[0]["group"] == moves[1]["group"] and moves[0]["actor"] == "郑保管"


def test_post_receipt_transfer_return_and_adjustment(stocked, login):
    client = login("storekeeper")
    assert post(client, {"kind": "receipt", "store": stocked.warehouse.pk, "item": "t-quilt", "quantity": 100,
                         "purpose": "donation"}).status_code == 201
    assert post(client, {"kind": "transfer", "from_store": stocked.warehouse.pk, "to_store": stocked.lianhua.pk,
                         "item": "t-quilt", "quantity": 40}).status_code == 201
    assert post(client, {"kind": "return", "store": stocked.lianhua.pk, "item": "t-quilt",
                         "quantity": 1}).status_code == 201
    adjusted = post(client, {"kind": "adjustment", "store": stocked.lianhua.pk, "item": "t-quilt", "counted": 50,
                             "note": "盘点"})
    assert adjusted.status_code == 201 and adjusted.json()["moves"][0]["quantity"] == 6
    same = post(client, {"kind": "adjustment", "store": stocked.lianhua.pk, "item": "t-quilt", "counted": 50,
                         "note": "复核"})
    assert same.status_code == 200 and same.json() == {"moves": []}
    assert actions.on_hand(stocked.lianhua, stocked.quilt) == 50
    assert actions.verify_balances() == []


def test_overdraw_is_409_with_what_is_on_hand(stocked, login):
    response = post(login("storekeeper"), {"kind": "issue", "store": stocked.wuxian.pk, "item": "t-quilt",
                                           "quantity": 21, "purpose": "patrol"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock" and "现有 20床" in body["message"]
    assert body["details"]["on_hand"] == 20 and body["details"]["requested"] == 21
    assert actions.on_hand(stocked.wuxian, stocked.quilt) == 20


@pytest.mark.parametrize(("body", "fields"), [
    ({"kind": "issue", "item": "nothing", "quantity": 1, "purpose": "campaign"}, {"item", "store"}),
    ({"kind": "issue", "store": "{wuxian}", "item": "t-quilt", "quantity": 1, "purpose": "purchase"}, {"purpose"}),
    ({"kind": "issue", "store": "{wuxian}", "item": "t-quilt", "purpose": "campaign"}, {"quantity"}),
    ({"kind": "transfer", "from_store": "{wuxian}", "item": "t-quilt", "quantity": 1}, {"to_store"}),
    ({"kind": "adjustment", "store": "{wuxian}", "item": "t-quilt", "note": "盘点"}, {"counted"}),
    ({"kind": "adjustment", "store": "{wuxian}", "item": "t-quilt", "counted": 1}, {"note"}),
    ({"kind": "receipt", "store": "{wuxian}", "item": "t-noodles", "quantity": 1, "purpose": "purchase"}, {"expiry"}),
    ({"kind": "transfer", "from_store": "{wuxian}", "to_store": "{wuxian}", "item": "t-quilt", "quantity": 1},
     {"to_store"}),
    ({"kind": "receipt", "store": 999999, "item": "t-quilt", "quantity": 1, "purpose": "purchase"}, {"store"}),
])
def test_bad_input_is_422_naming_the_fields(stocked, login, body, fields):
    body = {key: stocked.wuxian.pk if value == "{wuxian}" else value for key, value in body.items()}
    before = StockMove.objects.count()
    response = post(login("storekeeper"), body)
    assert response.status_code == 422, response.content
    assert set(response.json()["details"]) == fields
    assert StockMove.objects.count() == before


@pytest.mark.parametrize("body", [{"kind": "teleport"}, {"kind": "issue", "item": "t-quilt", "quantity": 0},
                                  {"kind": "issue", "item": "t-quilt", "quantity": 1.5}])
def test_malformed_input_is_422(stocked, login, body):
    response = post(login("storekeeper"), body)
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_readers_may_not_record_moves(stocked, login):
    response = post(login("leader"), {"kind": "receipt", "store": stocked.wuxian.pk, "item": "t-quilt",
                                      "quantity": 1, "purpose": "purchase"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_another_towns_store_is_unknown_to_a_town_keeper(stocked, client, town_keeper):
    client.force_login(town_keeper("lianhua"))
    response = post(client, {"kind": "issue", "store": stocked.wuxian.pk, "item": "t-quilt", "quantity": 1,
                             "purpose": "campaign"})
    assert response.status_code == 422 and "五显" not in response.content.decode()
    transfer = post(client, {"kind": "transfer", "from_store": stocked.lianhua.pk, "to_store": stocked.wuxian.pk,
                             "item": "t-quilt", "quantity": 1})
    assert transfer.status_code == 422 and set(transfer.json()["details"]) == {"to_store"}
