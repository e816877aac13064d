"""The stock pages per role: who reads what, the forms calling their actions (with refusals beside the
fields), the stock count, call-offs, bounded list queries and the xlsx exports read back."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onedoor.core.tabular import read_rows
from onedoor.relief import actions
from onedoor.relief.models import CallOffOrder, StockMove

TODAY = timezone.localdate()


@pytest.fixture
def stocked(stock):
    k = stock.keeper
    actions.receive_stock(actor=k, store=stock.warehouse, item=stock.quilt, quantity=100)
    actions.receive_stock(actor=k, store=stock.wuxian, item=stock.quilt, quantity=20)
    actions.receive_stock(actor=k, store=stock.lianhua, item=stock.quilt, quantity=15)
    actions.receive_stock(actor=k, store=stock.wuxian, item=stock.noodles, quantity=5, expiry=TODAY + timedelta(days=7))
    actions.receive_stock(actor=k, store=stock.supplier, item=stock.quilt, quantity=500)
    actions.set_minimum_level(actor=k, store=stock.wuxian, item=stock.quilt, minimum=30)
    return stock


@pytest.mark.parametrize("username", ["storekeeper", "leader", "dispatcher", "admin"])
def test_stock_readers_see_every_store_with_supplier_reserves_apart(stocked, login, username):
    body = login(username).get(reverse("relief:stock")).content.decode()
    assert "五显镇物资点（测试）" in body and "莲花镇物资点（测试）" in body
    assert "协议供应商储备" in body and "古龙储备（测试）" in body


def test_menu_shows_the_stock_section_to_its_roles_only(stocked, login):
    assert "物资储备" in login("leader").get("/").content.decode()
    clerk_home = login("clerk.wuxian").get("/").content.decode()
    assert f'href="{reverse("relief:stock")}"' not in clerk_home and "物资储备" not in clerk_home
    # A clerk delivers campaign goods in the field, so those two entries are in their menu.
    assert f'href="{reverse("relief:field_home")}"' in clerk_home


def test_a_clerk_sees_no_stock_and_cannot_open_the_forms(stocked, login):
    client = login("clerk.wuxian")
    body = client.get(reverse("relief:stock")).content.decode()
    assert "五显镇物资点（测试）" not in body
    assert client.get(reverse("relief:store_detail", args=[stocked.wuxian.pk])).status_code == 404
    for route in ("relief:receive", "relief:transfer", "relief:issue", "relief:return_goods", "relief:adjust",
                  "relief:call_off_create"):
        assert client.get(reverse(route)).status_code == 403, route


def test_a_town_storekeeper_sees_only_their_town(stocked, client, town_keeper):
    client.force_login(town_keeper("lianhua"))
    body = client.get(reverse("relief:stock")).content.decode()
    assert "莲花镇物资点（测试）" in body and "五显" not in body and "古龙储备（测试）" not in body
    assert client.get(reverse("relief:store_detail", args=[stocked.wuxian.pk])).status_code == 404
    moves = client.get(reverse("relief:move_list")).content.decode()
    assert "莲花镇物资点（测试）" in moves and "五显" not in moves
    form = client.get(reverse("relief:issue")).content.decode()
    assert "莲花镇物资点（测试）" in form and "五显" not in form


def test_leader_reads_but_cannot_change_stock(stocked, login):
    client = login("leader")
    assert client.get(reverse("relief:store_detail", args=[stocked.wuxian.pk])).status_code == 200
    assert client.get(reverse("relief:receive")).status_code == 403


def test_store_page_shows_batches_minimum_and_recent_moves(stocked, login):
    body = login("storekeeper").get(reverse("relief:store_detail", args=[stocked.wuxian.pk])).content.decode()
    assert "测试面条" in body and (TODAY + timedelta(days=7)).strftime("%Y-%m-%d") in body
    assert "30" in body and reverse("relief:stock_count", args=[stocked.wuxian.pk]) in body


def test_supplier_page_shows_its_agreement(stocked, login):
    body = login("storekeeper").get(reverse("relief:store_detail", args=[stocked.supplier.pk])).content.decode()
    assert "T-CB-1" in body and "调运时限 2 天" in body


def test_issue_form_records_the_move(stocked, login):
    client = login("storekeeper")
    response = client.post(reverse("relief:issue"), {"store": stocked.wuxian.pk, "purpose": "one_off_aid",
                                                     "item": stocked.quilt.pk, "quantity": 3, "note": "火灾户"})
    assert response.status_code == 302
    assert actions.on_hand(stocked.wuxian, stocked.quilt) == 17
    assert StockMove.objects.filter(kind="issue", note="火灾户").exists()


def test_issue_form_shows_an_overdraw_beside_the_form(stocked, login):
    response = login("storekeeper").post(reverse("relief:issue"), {
        "store": stocked.wuxian.pk, "purpose": "campaign", "item": stocked.quilt.pk, "quantity": 21})
    body = response.content.decode()
    assert response.status_code == 200 and "库存不足" in body and "现有 20床" in body
    assert actions.on_hand(stocked.wuxian, stocked.quilt) == 20


def test_receive_form_asks_food_for_its_expiry(stocked, login):
    response = login("storekeeper").post(reverse("relief:receive"), {
        "store": stocked.warehouse.pk, "purpose": "purchase", "item": stocked.noodles.pk, "quantity": 5})
    assert 'data-field-error="expiry"' in response.content.decode()


def test_transfer_and_return_forms(stocked, login):
    client = login("storekeeper")
    assert client.post(reverse("relief:transfer"), {"from_store": stocked.warehouse.pk, "to_store": stocked.lianhua.pk,
                                                    "item": stocked.quilt.pk, "quantity": 10}).status_code == 302
    assert client.post(reverse("relief:return_goods"), {"store": stocked.lianhua.pk, "item": stocked.quilt.pk,
                                                        "quantity": 1}).status_code == 302
    assert actions.on_hand(stocked.lianhua, stocked.quilt) == 26


def test_adjust_form_needs_a_reason(stocked, login):
    client = login("storekeeper")
    data = {"store": stocked.wuxian.pk, "item": stocked.quilt.pk, "counted": 18}
    assert 'data-field-error="reason"' in client.post(reverse("relief:adjust"), data).content.decode()
    assert client.post(reverse("relief:adjust"), {**data, "reason": "盘亏"}).status_code == 302
    assert actions.on_hand(stocked.wuxian, stocked.quilt) == 18


def test_stock_count_page_turns_differences_into_adjustments(stocked, login):
    client = login("storekeeper")
    url = reverse("relief:stock_count", args=[stocked.wuxian.pk])
    page = client.get(url).content.decode()
    batch = f"c_{stocked.noodles.pk}_{TODAY + timedelta(days=7):%Y%m%d}"
    assert f'name="c_{stocked.quilt.pk}"' in page and f'name="{batch}"' in page
    # a bad number and a missing reason are shown, nothing changes
    response = client.post(url, {f"c_{stocked.quilt.pk}": "x"})
    assert "请填写不小于 0 的整数" in response.content.decode() and "须写明原因" in response.content.decode()
    assert StockMove.objects.filter(kind="adjustment").count() == 0
    # when
    response = client.post(url, {f"c_{stocked.quilt.pk}": "19", batch: "5", "reason": "一月盘点"})
    # then
    assert response.status_code == 302
    [move] = StockMove.objects.filter(kind="adjustment")
    assert (move.item, move.quantity, move.from_store, move.note) == (stocked.quilt, 1, stocked.wuxian, "一月盘点")


def test_alerts_page_lists_low_stock_and_expiring_food(stocked, login):
    client = login("storekeeper")
    body = client.get(reverse("relief:alerts")).content.decode()
    assert "五显镇物资点（测试）" in body and "测试面条" in body
    assert "测试面条" not in client.get(reverse("relief:alerts"), {"days": "3"}).content.decode().split(
        'data-testid="expiring"')[1].split("</table>")[0]
    assert client.get(reverse("relief:alerts"), {"days": "abc"}).status_code == 200


def test_move_list_filters(stocked, login):
    client = login("storekeeper")
    url = reverse("relief:move_list")
    body = client.get(url, {"store": stocked.lianhua.pk}).content.decode()
    assert "共 1 条" in body and "→ 莲花镇物资点（测试）" in body
    assert "共 1 条" in client.get(url, {"item": "t-noodles"}).content.decode()
    assert "共 0 条" in client.get(url, {"kind": "issue"}).content.decode()
    tomorrow = TODAY + timedelta(days=1)
    assert "共 0 条" in client.get(url, {"date_from": tomorrow.isoformat()}).content.decode()
    assert client.get(url, {"store": "junk", "date_to": "not-a-date"}).status_code == 200


def test_list_pages_run_a_bounded_number_of_queries(stocked, login, django_assert_max_num_queries):
    client = login("storekeeper")
    for _ in range(30):
        actions.issue_stock(actor=stocked.keeper, store=stocked.warehouse, item=stocked.quilt, quantity=1,
                            purpose="patrol")
    for route in ("relief:stock", "relief:move_list", "relief:alerts", "relief:call_off_list"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(route)).status_code == 200


def test_call_off_pages_place_and_deliver(stocked, login):
    client = login("storekeeper")
    form = client.get(reverse("relief:call_off_create")).content.decode()
    assert "古龙储备（测试）" in form
    response = client.post(reverse("relief:call_off_create"), {
        "supplier": stocked.supplier.pk, "destination": stocked.warehouse.pk, f"q_{stocked.quilt.pk}": "200"})
    order = CallOffOrder.objects.get()
    assert response.status_code == 302 and response.url == reverse("relief:call_off_detail", args=[order.pk])
    assert order.number in client.get(reverse("relief:call_off_list")).content.decode()
    detail = client.get(response.url).content.decode()
    assert f'name="d_{stocked.quilt.pk}"' in detail
    client.post(reverse("relief:call_off_deliver", args=[order.pk]), {f"d_{stocked.quilt.pk}": "150"})
    order.refresh_from_db()
    assert order.status == "delivered" and actions.on_hand(stocked.warehouse, stocked.quilt) == 250


def test_call_off_form_shows_the_refusal(stocked, login):
    response = login("storekeeper").post(reverse("relief:call_off_create"), {
        "supplier": stocked.supplier.pk, "destination": stocked.warehouse.pk, f"q_{stocked.quilt.pk}": "501"})
    assert "可调 500床" in response.content.decode()
    assert not CallOffOrder.objects.exists()


def test_call_off_cancel_page(stocked, login):
    order = actions.place_call_off(actor=stocked.keeper, supplier=stocked.supplier, destination=stocked.warehouse,
                                   quantities={stocked.quilt: 5})
    client = login("storekeeper")
    client.post(reverse("relief:call_off_cancel", args=[order.pk]), {"reason": ""})
    order.refresh_from_db()
    assert order.status == "ordered"
    client.post(reverse("relief:call_off_cancel", args=[order.pk]), {"reason": "寒潮解除"})
    order.refresh_from_db()
    assert order.status == "cancelled"
    # leaders read the order but have no buttons
    body = login("leader").get(reverse("relief:call_off_detail", args=[order.pk])).content.decode()
    assert order.number in body and reverse("relief:call_off_cancel", args=[order.pk]) not in body


def _sheet(content: bytes, sheet=0):
    with read_rows(io.BytesIO(content), filename="x.xlsx", sheet=sheet) as rows:
        return rows.headers, [row.values for row in rows]


def test_stock_export_reads_back(stocked, login):
    response = login("storekeeper").get(reverse("relief:export_stock"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    headers, rows = _sheet(response.content)
    assert headers[:2] == ["物资", "单位"] and "协议储备合计" in headers and "古龙储备（测试）" in headers
    quilt = next(row for row in rows if row["物资"] == "测试棉被")
    assert (quilt["五显镇物资点（测试）"], quilt["自有库存合计"], quilt["协议储备合计"], quilt["总计"]) == (
        "20", "135", "500", "635")
    _, batches = _sheet(response.content, 1)
    noodles = next(row for row in batches if row["物资"] == "测试面条")
    assert noodles["到期日"] == (TODAY + timedelta(days=7)).isoformat() and noodles["数量"] == "5"


def test_moves_export_reads_back_with_the_filters(stocked, client, town_keeper):
    client.force_login(town_keeper("lianhua"))
    headers, rows = _sheet(client.get(reverse("relief:export_moves")).content)
    assert headers[:4] == ["时间", "类型", "用途", "物资"]
    assert [(row["类型"], row["入库点"], row["数量"]) for row in rows] == [("入库", "莲花镇物资点（测试）", "15")]
    _, none = _sheet(client.get(reverse("relief:export_moves"), {"kind": "issue"}).content)
    assert none == []
