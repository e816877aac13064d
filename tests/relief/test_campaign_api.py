"""The campaign API: campaigns (create, list, one), roster generation (once), the roster (scoped, masked,
filtered, paged), coverage (scoped, by town / village / category), deliveries (once per idempotency
key: stock and ledger counted) and outcomes — with the 409 and 422 answers in Chinese."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def deliver(client, entry, key="k-1", **body):
    return post(client, "/api/v1/deliveries", {"roster_entry_id": entry.pk, **body}, **{"Idempotency-Key": key}
                if key else {})


@pytest.fixture
def generated(make_campaign, login):
    """The district campaign with its roster generated through the API."""
    cw = make_campaign()
    response = login("storekeeper").post(f"/api/v1/campaigns/{cw.campaign.pk}/roster")
    assert response.status_code == 201, response.content
    return cw


def entry_of(cw, person):
    from onedoor.relief.models import RosterEntry

    return RosterEntry.objects.get(campaign=cw.campaign, person=person)


def campaign_body(world, stock, **overrides):
    body = {"name": "2026 寒冬送温暖（接口）", "area": world.district.code, "starts_on": "2026-12-01",
            "ends_on": "2027-02-28", "categories": ["tekun", "orphan", "dibao_single"],
            "items": [{"item": "t-quilt", "quantity": 1}, {"item": "t-noodles", "quantity": 2}],
            "store_id": stock.warehouse.pk,
            "teams": [{"town": world.wuxian.code, "store_id": stock.wuxian.pk, "leader": "张队长",
                       "phone": "13900000001"}]}
    body.update(overrides)
    return body


# --- campaigns -----------------------------------------------------------------------------------------

def test_create_list_and_get_a_campaign(world, stock, login):
    client = login("storekeeper")
    response = post(client, "/api/v1/campaigns", campaign_body(world, stock))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["roster_size"] is None
    assert created["organisation_id"] == world.user("storekeeper").organisation_id  # the user's own by default
    assert created["categories"] == ["tekun", "dibao_single", "orphan"]  # the categories' order
    assert [(i["item"], i["quantity"]) for i in created["items"]] == [("t-noodles", 2), ("t-quilt", 1)]
    assert created["teams"] == [{"town": world.wuxian.code, "town_name": world.wuxian.name,
                                 "store_id": stock.wuxian.pk, "store": stock.wuxian.name, "leader": "张队长",
                                 "phone": "13900000001"}]
    assert client.get(f"/api/v1/campaigns/{created['id']}").json() == created
    listed = client.get("/api/v1/campaigns").json()
    assert listed["count"] == 1 and listed["items"][0] == created
    assert client.get("/api/v1/campaigns", {"status": "active"}).json()["count"] == 0
    assert client.get("/api/v1/campaigns", {"status": "nonsense"}).status_code == 422
    # A town team sees the district's campaign (to deliver in it) but cannot create one.
    assert login("clerk.wuxian").get(f"/api/v1/campaigns/{created['id']}").status_code == 200


def test_create_campaign_names_every_wrong_field_in_chinese(world, stock, login):
    from onedoor.relief.models import Campaign

    client = login("storekeeper")
    body = campaign_body(world, stock, categories=["tekun", "nope"], items=[{"item": "none", "quantity": 1}],
                         store_id=999999, ends_on="2026-11-01", area="350212999999",
                         teams=[{"town": world.wuxian_village.code, "store_id": stock.wuxian.pk}])
    response = post(client, "/api/v1/campaigns", body)
    assert response.status_code == 422
    details = response.json()["details"]
    assert set(details) == {"categories", "items", "store_id", "ends_on", "area", "teams[1].town"}
    assert "nope" in details["categories"] and "none" in details["items"]
    assert details["ends_on"] == "结束日期不能早于开始日期。"
    response = post(client, "/api/v1/campaigns", campaign_body(world, stock, store_id=stock.supplier.pk))
    assert response.status_code == 422 and "供应商储备须先调运入库" in response.json()["details"]["store_id"]
    assert post(client, "/api/v1/campaigns", campaign_body(world, stock)).status_code == 201
    response = post(client, "/api/v1/campaigns", campaign_body(world, stock))
    assert response.status_code == 422 and "已有名为" in response.json()["details"]["name"]
    response = post(login("clerk.wuxian"), "/api/v1/campaigns", campaign_body(world, stock, name="另一个"))
    assert response.status_code == 403 and response.json()["message"] == "您不能管理送温暖活动。"
    assert Campaign.objects.count() == 1


def test_generate_roster_once(make_campaign, login):
    cw = make_campaign()
    client = login("storekeeper")
    url = f"/api/v1/campaigns/{cw.campaign.pk}/roster"
    assert login("clerk.wuxian").post(url).status_code == 403  # sees the campaign, may not manage it
    client = login("storekeeper")
    response = client.post(url)
    assert response.status_code == 201
    assert response.json()["size"] == 4 and response.json()["roster_on"]
    again = client.post(url)
    assert again.status_code == 409 and "不能重新生成" in again.json()["message"]
    assert client.get(f"/api/v1/campaigns/{cw.campaign.pk}").json()["roster_size"] == 4
    assert client.post("/api/v1/campaigns/999999/roster").status_code == 404


# --- the roster ----------------------------------------------------------------------------------------

def test_roster_lists_masked_entries_ordered_by_village_and_filters(generated, login, world):
    client = login("storekeeper")
    url = f"/api/v1/campaigns/{generated.campaign.pk}/roster"
    data = client.get(url).json()
    assert data["count"] == 4
    first = data["items"][0]
    assert set(first) == {"id", "campaign_id", "person_id", "person", "id_number", "id_number_masked", "area",
                          "area_name", "town", "town_name", "address", "category", "category_name", "status",
                          "status_label", "status_at", "status_note", "added_reason"}
    by_name = {item["person"]: item for item in data["items"]}
    yang = by_name["杨全"]
    assert yang["id_number"] == generated.yang.masked_id and "*" in yang["id_number"]
    assert yang["id_number_masked"] and generated.yang.id_number not in json.dumps(data)
    assert (yang["area"], yang["town"], yang["town_name"], yang["category"]) == (
        world.wuxian_village.code, world.wuxian.code, "五显镇", "tekun")
    assert [i["area"] for i in data["items"]] == sorted(i["area"] for i in data["items"])
    assert client.get(url, {"area": world.lianhua.code}).json()["count"] == 1
    assert client.get(url, {"q": "杨"}).json()["items"][0]["person"] == "杨全"
    assert client.get(url, {"q": generated.yang.id_number[-4:]}).json()["count"] == 1
    assert client.get(url, {"status": "delivered"}).json()["count"] == 0
    assert client.get(url, {"status": "lost"}).status_code == 422
    assert client.get(url, {"area": "x"}).status_code == 422


def test_unmasking_the_roster_needs_the_role_and_a_reason_and_is_logged(generated, login, world):
    from onedoor.core.models import AccessLog

    url = f"/api/v1/campaigns/{generated.campaign.pk}/roster"
    response = login("storekeeper").get(url, {"unmask": "true", "reason": "核对"})
    assert response.status_code == 403 and "不能查看完整证件号码" in response.json()["message"]
    client = login("clerk.wuxian")  # a window clerk may unmask, with a reason
    response = client.get(url, {"unmask": "true"})
    assert response.status_code == 403 and "必须说明理由" in response.json()["message"]
    assert not AccessLog.objects.exists()
    data = client.get(url, {"unmask": "true", "reason": "入户核对身份"}).json()
    assert {i["person"]: (i["id_number"], i["id_number_masked"]) for i in data["items"]}["杨全"] == (
        generated.yang.id_number, False)
    logged = AccessLog.objects.filter(action="unmask", reason="入户核对身份")
    assert logged.count() == data["count"] == 3  # 五显镇's three, each logged
    assert set(logged.values_list("target_id", flat=True)) == {str(i["person_id"]) for i in data["items"]}


def test_a_town_user_sees_its_own_roster_and_coverage_only(generated, login, world, make_campaign):
    url = f"/api/v1/campaigns/{generated.campaign.pk}"
    client = login("clerk.wuxian")
    roster = client.get(f"{url}/roster").json()
    assert {i["person"] for i in roster["items"]} == {"杨全", "李孤", "王单"}
    assert client.get(f"{url}/roster", {"q": "陈特"}).json()["count"] == 0
    coverage = client.get(f"{url}/coverage").json()
    assert [row["code"] for row in coverage["by_town"]] == [world.wuxian.code] and coverage["targets"] == 3
    chen = entry_of(generated, generated.chen)
    assert post(client, f"/api/v1/roster-entries/{chen.pk}/status",
                {"status": "unreachable", "note": "越权"}).status_code == 404
    # A campaign of 五显镇 alone is not seen from 莲花镇 at all.
    local = make_campaign(area=world.wuxian, name="五显镇送温暖（接口）")
    other = login("clerk.lianhua")
    for path in ("", "/roster", "/coverage"):
        response = other.get(f"/api/v1/campaigns/{local.campaign.pk}{path}")
        assert response.status_code == 404, path
    assert other.get("/api/v1/campaigns").json()["count"] == 1  # the district's only


def test_roster_list_queries_are_bounded(generated, login, make_person, django_assert_max_num_queries):
    from onedoor.relief.campaigns import add_to_roster

    for number in range(15):
        add_to_roster(generated.campaign, person=make_person(f"补充{number}"), reason="新认定", actor=generated.stock.keeper)
    client = login("storekeeper")
    with django_assert_max_num_queries(10):  # session, user, grants, campaign, count, page, session save
        assert client.get(f"/api/v1/campaigns/{generated.campaign.pk}/roster").json()["count"] == 19
    with django_assert_max_num_queries(12):  # … count, campaigns, categories, items, teams, session save
        assert client.get("/api/v1/campaigns").json()["count"] == 1


# --- deliveries ----------------------------------------------------------------------------------------

def test_a_delivery_retried_with_the_same_key_issues_once(generated, login, signature_url):
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.relief.actions import on_hand, verify_balances
    from onedoor.relief.models import Delivery, DeliveryLine, StockMove

    client = login("clerk.wuxian")
    entry = entry_of(generated, generated.yang)
    moves = StockMove.objects.count()
    first = deliver(client, entry, key="phone-7f3a", signature=signature_url, recipient_name="杨女儿",
                    note="家属代收", items=[{"item": "t-quilt", "quantity": 1}])
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["roster_entry_id"], body["person"], body["idempotency_key"], body["store_id"]) == (
        entry.pk, "杨全", "phone-7f3a", generated.stock.wuxian.pk)
    assert body["has_signature"] and not body["has_photo"] and body["recipient_name"] == "杨女儿"
    assert [(line["item"], line["quantity"]) for line in body["lines"]] == [("t-quilt", 1)]
    retry = deliver(client, entry, key="phone-7f3a", signature=signature_url, recipient_name="杨女儿",
                    note="家属代收", items=[{"item": "t-quilt", "quantity": 1}])
    assert retry.status_code == 200 and retry.json() == body
    assert Delivery.objects.count() == 1 and DeliveryLine.objects.count() == 1
    assert StockMove.objects.count() == moves + 1
    assert AssistanceRecord.objects.filter(person=generated.yang).count() == 1
    assert on_hand(generated.stock.wuxian, generated.stock.quilt) == 19
    assert verify_balances() == []
    entry.refresh_from_db()
    assert entry.status == "delivered"
    # The same target with a new key: already delivered.
    again = deliver(client, entry, key="phone-8b01", signature=signature_url)
    assert again.status_code == 409 and again.json()["code"] == "already_delivered"
    assert "不能重复发放" in again.json()["message"]
    # The first key for someone else: refused, not the other delivery returned.
    other = deliver(client, entry_of(generated, generated.orphan), key="phone-7f3a", signature=signature_url)
    assert other.status_code == 409 and "另一位对象" in other.json()["message"]
    assert on_hand(generated.stock.wuxian, generated.stock.quilt) == 19


def test_delivery_input_errors_answer_422_in_chinese(generated, login, signature_url):
    from onedoor.relief.models import Delivery

    client = login("clerk.wuxian")
    entry = entry_of(generated, generated.yang)
    response = deliver(client, entry, key=None, signature=signature_url)
    assert response.status_code == 422 and "Idempotency-Key" in response.json()["message"]
    response = deliver(client, entry, key="x" * 65, signature=signature_url)
    assert response.status_code == 422 and "提交编号" in response.json()["message"]
    response = deliver(client, entry, signature="data:text/plain;base64,aGVsbG8=")
    assert response.status_code == 422 and "PNG 或 JPEG" in response.json()["details"]["signature"]
    response = deliver(client, entry, signature="data:image/png;base64,AAAA")
    assert response.status_code == 422 and "signature" in response.json()["details"]
    response = deliver(client, entry)
    assert response.status_code == 422 and "签名" in response.json()["details"]["signature"]
    response = deliver(client, entry, signature=signature_url, items=[{"item": "ghost", "quantity": 1}])
    assert response.status_code == 422 and "ghost" in response.json()["details"]["items"]
    response = deliver(client, entry, signature=signature_url, items=[{"item": "t-noodles", "quantity": 1}])
    assert response.status_code == 422 and "本次活动不发放" in response.json()["details"]["items"]
    response = deliver(client, entry, signature=signature_url, items=[{"item": "t-quilt", "quantity": 2}])
    assert response.status_code == 422 and "最多发放 1床" in response.json()["details"]["items"]
    response = deliver(client, entry, signature=signature_url, items=[{"item": "t-quilt", "quantity": 0}])
    assert response.status_code == 422 and "至少填写一种" in response.json()["details"]["items"]
    assert not Delivery.objects.exists()


def test_delivery_out_of_reach_is_404_and_short_stock_409(generated, login, signature_url):
    from onedoor.relief.actions import issue_stock
    from onedoor.relief.models import Delivery

    client = login("clerk.wuxian")
    chen = entry_of(generated, generated.chen)  # 莲花镇
    assert deliver(client, chen, signature=signature_url).status_code == 404
    missing = deliver(client, type(chen)(pk=999999), signature=signature_url)
    assert missing.status_code == 404 and missing.json() == deliver(client, chen, signature=signature_url).json()
    assert deliver(login("leader"), chen, signature=signature_url).status_code == 404  # a reader delivers nothing
    stock = generated.stock
    entry = entry_of(generated, generated.yang)
    issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=20, purpose="patrol", source=entry)
    response = deliver(login("clerk.wuxian"), entry, signature=signature_url)
    assert response.status_code == 409 and response.json()["code"] == "insufficient_stock"
    assert not Delivery.objects.exists()
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_a_target_who_died_is_not_delivered_to(generated, login, world, signature_url):
    from datetime import date

    from onedoor.registry.models import Person
    from onedoor.relief.models import Delivery

    entry = entry_of(generated, generated.orphan)
    # The death is in the registry but the roster does not know yet (recorded without the signal).
    Person.objects.filter(pk=generated.orphan.pk).update(death_date=date(2026, 11, 21))
    response = deliver(login("clerk.wuxian"), entry, signature=signature_url)
    assert response.status_code == 422 and "去世" in response.json()["message"]
    entry.refresh_from_db()
    assert entry.status == "deceased" and not Delivery.objects.exists()


def test_outcomes_through_the_api(generated, login):
    client = login("clerk.wuxian")
    entry = entry_of(generated, generated.yang)
    url = f"/api/v1/roster-entries/{entry.pk}/status"
    response = post(client, url, {"status": "unreachable"})
    assert response.status_code == 422 and "须写明情况" in response.json()["details"]["note"]
    response = post(client, url, {"status": "unreachable", "note": "两次上门无人"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_note"]) == ("unreachable", "两次上门无人")
    assert post(client, url, {"status": "refused", "note": "不需要"}).status_code == 200
    response = post(client, url, {"status": "moved", "note": "搬走"})
    assert response.status_code == 409 and "不能改为" in response.json()["message"]
    assert post(client, url, {"status": "delivered"}).status_code == 422
    assert post(client, "/api/v1/roster-entries/999999/status", {"status": "pending"}).status_code == 404


# --- coverage ------------------------------------------------------------------------------------------

def test_coverage_counts_and_states_completion(generated, login, world, signature_url):
    clerk = login("clerk.wuxian")
    for person, key in ((generated.yang, "a"), (generated.orphan, "b")):
        assert deliver(clerk, entry_of(generated, person), key=key, signature=signature_url).status_code == 201
    post(clerk, f"/api/v1/roster-entries/{entry_of(generated, generated.single).pk}/status",
         {"status": "refused", "note": "不需要"})
    url = f"/api/v1/campaigns/{generated.campaign.pk}/coverage"
    leader = login("leader")
    data = leader.get(url).json()
    assert (data["targets"], data["delivered"], data["remaining"], data["refused"], data["pending"]) == (4, 2, 1, 1, 1)
    assert data["percent"] == 50.0 and not data["all_covered"] and data["by_village"] is None
    assert "尚有 1 人未送达" in data["statement"]
    towns = {row["code"]: row for row in data["by_town"]}
    assert (towns[world.wuxian.code]["delivered"], towns[world.wuxian.code]["remaining"]) == (2, 0)
    assert towns[world.lianhua.code]["name"] == "莲花镇" and towns[world.lianhua.code]["remaining"] == 1
    assert {row["code"]: row["targets"] for row in data["by_category"]} == {"tekun": 2, "dibao_single": 1, "orphan": 1}
    villages = leader.get(url, {"by": "village", "within": world.wuxian.code}).json()
    assert [row["code"] for row in villages["by_village"]] == [world.wuxian_village.code]
    assert villages["targets"] == 3 and villages["remaining"] == 0
    assert leader.get(url, {"by": "house"}).status_code == 422
    # The last one reached: the statement says so, computed from the roster.
    post(login("clerk.lianhua"), f"/api/v1/roster-entries/{entry_of(generated, generated.chen).pk}/status",
         {"status": "moved", "note": "随子女迁往厦门"})
    data = leader.get(url).json()
    assert data["all_covered"] and data["remaining"] == 0 and "已全部送达或办结" in data["statement"]


def test_the_stock_endpoint_is_there(stock, login):
    assert login("storekeeper").get("/api/v1/stock").status_code == 200
