"""The field pages (入户发放) on the server side: a town team's campaigns, villages and address-ordered
list, the delivery form (signature data URL or a photo of the signed sheet), a retry under the same
idempotency key issuing once, the outcome buttons, refusals shown in Chinese, scope and query bounds."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onedoor.ledger.models import AssistanceRecord
from onedoor.relief import actions
from onedoor.relief.campaigns import generate_roster
from onedoor.relief.models import CampaignEvent, Delivery, DeliveryLine, RosterEntry, StockBalance, StockMove

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def cw(make_campaign):
    """The test campaign with its roster frozen: 杨全, 李孤, 王单 in a 五显镇 village, 陈特 in 莲花镇."""
    world = make_campaign()
    generate_roster(world.campaign, actor=world.stock.keeper)
    return world


def entry_of(cw, person) -> RosterEntry:
    return RosterEntry.objects.get(campaign=cw.campaign, person=person)


def on_hand(store, item) -> int:
    return sum(StockBalance.objects.filter(store=store, item=item).values_list("quantity", flat=True))


def form_key(body: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', body).group(1)


def delivery_post(cw, key: str, **extra) -> dict:
    return {"idempotency_key": key, f"qty_{cw.stock.quilt.pk}": 1, "recipient_name": "", "note": "", **extra}


# --- lists -----------------------------------------------------------------------------------------

def test_home_lists_the_active_campaign_with_what_is_still_open(cw, login):
    body = login("clerk.wuxian").get(reverse("relief:field_home")).content.decode()
    assert cw.campaign.name in body
    assert "待发放 3" in body and "已送达 0" in body  # the three 五显镇 targets; 陈特 is 莲花镇's


def test_campaign_page_shows_only_the_villages_the_user_may_deliver_in(cw, login, world):
    client = login("clerk.wuxian")
    body = client.get(reverse("relief:field_campaign", args=[cw.campaign.pk])).content.decode()
    assert world.wuxian_village.name in body and world.lianhua_village.name not in body
    assert reverse("relief:field_village", args=[cw.campaign.pk, world.wuxian_village.code]) in body
    # and the other town's village is not there to open
    url = reverse("relief:field_village", args=[cw.campaign.pk, world.lianhua_village.code])
    assert client.get(url).status_code == 404


def test_village_list_is_in_address_order_with_masked_id_numbers(cw, login, world):
    for person, address in ((cw.yang, "3号"), (cw.orphan, "1号"), (cw.single, "2号")):
        RosterEntry.objects.filter(campaign=cw.campaign, person=person).update(address=address)
    url = reverse("relief:field_village", args=[cw.campaign.pk, world.wuxian_village.code])
    body = login("clerk.wuxian").get(url).content.decode()
    assert body.index("李孤") < body.index("王单") < body.index("杨全")
    for person in (cw.yang, cw.orphan, cw.single):
        assert person.id_number not in body and person.masked_id in body
    assert "待发放" in body


def test_search_by_name_or_id_digits(cw, login, world):
    client = login("clerk.wuxian")
    url = reverse("relief:field_campaign", args=[cw.campaign.pk])
    body = client.get(url, {"q": "杨全"}).content.decode()
    assert reverse("relief:field_entry", args=[entry_of(cw, cw.yang).pk]) in body and "李孤" not in body
    body = client.get(url, {"q": cw.orphan.id_number[-4:]}).content.decode()
    assert "李孤" in body and "杨全" not in body
    body = client.get(url, {"q": "陈特"}).content.decode()  # 莲花镇's, not this team's
    assert 'data-testid="field-no-entries"' in body and str(entry_of(cw, cw.chen).pk) not in re.findall(
        r"/relief/field/entries/(\d+)/", body)
    village = reverse("relief:field_village", args=[cw.campaign.pk, world.wuxian_village.code])
    body = client.get(village, {"q": "王单"}).content.decode()
    assert "王单" in body and "杨全" not in body


def test_village_list_queries_do_not_grow_with_the_rows(cw, login, world, make_person,
                                                        django_assert_max_num_queries):
    from onedoor.relief.campaigns import add_to_roster

    client = login("clerk.wuxian")
    url = reverse("relief:field_village", args=[cw.campaign.pk, world.wuxian_village.code])
    client.get(url)
    with django_assert_max_num_queries(12):
        small = client.get(url)
    for n in range(12):
        add_to_roster(cw.campaign, person=make_person(f"补充{n}"), reason="新认定", actor=cw.stock.keeper)
    with django_assert_max_num_queries(12):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('data-testid="field-entry"') == 15
    with django_assert_max_num_queries(12):
        assert client.get(reverse("relief:field_campaign", args=[cw.campaign.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("relief:field_home")).status_code == 200


# --- the entry page and delivering -------------------------------------------------------------------

def test_entry_page_shows_the_target_the_items_and_a_fresh_key(cw, login):
    client = login("clerk.wuxian")
    url = reverse("relief:field_entry", args=[entry_of(cw, cw.yang).pk])
    body = client.get(url).content.decode()
    assert "杨全" in body and cw.yang.masked_id in body and cw.yang.id_number not in body
    assert "特困" in body and "测试棉被（床）" in body and "计划 1" in body
    assert 'capture="environment"' in body and "拍照上传签收单" in body and "relief/field.js" in body
    for status in ("拒收", "联系不上", "已迁出", "已故"):
        assert status in body
    assert form_key(body) != form_key(client.get(url).content.decode())  # one key per rendering


def test_delivering_with_a_signature_issues_stock_and_writes_the_ledger(cw, login, signature_url, world):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    response = client.post(url, delivery_post(cw, key, signature=signature_url, recipient_name="杨小", note="本人在家"))
    assert response.status_code == 302 and response["Location"] == f"{url}?done=1"
    entry.refresh_from_db()
    assert entry.status == "delivered" and entry.status_by == world.user("clerk.wuxian")
    delivery = Delivery.objects.get(entry=entry)
    assert delivery.idempotency_key == key and delivery.store == cw.stock.wuxian and delivery.recipient_name == "杨小"
    assert delivery.signature.read().startswith(b"\x89PNG\r\n\x1a\n") and not delivery.signed_sheet
    assert on_hand(cw.stock.wuxian, cw.stock.quilt) == 19
    assert AssistanceRecord.objects.filter(person=cw.yang).count() == 1

    done = client.get(response["Location"]).content.decode()
    assert "已登记送达：杨全" in done and "下一户" in done and "已采集签名" in done
    village = reverse("relief:field_village", args=[cw.campaign.pk, entry.area_id])
    assert f'{village}#entry-{entry.pk}' in done
    listing = client.get(village).content.decode()
    assert re.search(rf'id="entry-{entry.pk}"[^>]*field-row-done', listing)


def test_a_retry_with_the_same_key_issues_once_and_answers_the_same(cw, login, signature_url):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    first = client.post(url, delivery_post(cw, key, signature=signature_url), **JSON)
    again = client.post(url, delivery_post(cw, key, signature=signature_url), **JSON)
    assert first.status_code == again.status_code == 200
    assert first.json()["ok"] and again.json()["ok"]
    assert first.json()["delivery"] == again.json()["delivery"]
    assert first.json()["created"] is True and again.json()["created"] is False
    assert first.json()["redirect"] == again.json()["redirect"] == f"{url}?done=1"
    # a plain (no-JS) retry too
    assert client.post(url, delivery_post(cw, key, signature=signature_url))["Location"] == f"{url}?done=1"
    assert Delivery.objects.filter(entry=entry).count() == 1 and DeliveryLine.objects.count() == 1
    assert StockMove.objects.filter(kind="issue", from_store=cw.stock.wuxian).count() == 1
    assert on_hand(cw.stock.wuxian, cw.stock.quilt) == 19
    assert AssistanceRecord.objects.filter(person=cw.yang).count() == 1


def test_photo_of_the_signed_sheet_instead_of_a_signature(cw, login, signature_png):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.orphan)
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    sheet = SimpleUploadedFile("sheet.png", signature_png, content_type="image/png")
    photo = SimpleUploadedFile("door.png", signature_png, content_type="image/png")
    response = client.post(url, delivery_post(cw, key, signed_sheet=sheet, photo=photo, recipient_name="李奶奶"))
    assert response.status_code == 302
    delivery = Delivery.objects.get(entry=entry)
    assert not delivery.signature and delivery.signed_sheet.read().startswith(b"\x89PNG")
    assert delivery.photo and delivery.recipient_name == "李奶奶"
    assert "已上传签收单照片" in client.get(response["Location"]).content.decode()


def test_quantities_can_be_lowered_but_not_raised(cw, login, signature_url, world):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    over = client.post(url, delivery_post(cw, key, signature=signature_url, **{f"qty_{cw.stock.quilt.pk}": 2}))
    assert over.status_code == 422 and "最多发放 1。" in over.content.decode()
    none = client.post(url, delivery_post(cw, key, signature=signature_url, **{f"qty_{cw.stock.quilt.pk}": 0}))
    assert none.status_code == 422 and "请至少填写一种物资的发放数量" in none.content.decode()
    entry.refresh_from_db()
    assert entry.status == "pending" and on_hand(cw.stock.wuxian, cw.stock.quilt) == 20


# --- refusals shown on the page -------------------------------------------------------------------------

def test_no_signature_and_no_photo_is_refused_in_chinese(cw, login):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    response = client.post(url, delivery_post(cw, key))
    body = response.content.decode()
    assert response.status_code == 422 and "请让对象在屏幕上签名，或拍下签收单。" in body
    assert form_key(body) == key  # the same submission, to be completed
    as_json = client.post(url, delivery_post(cw, key), **JSON)
    assert as_json.status_code == 422 and as_json.json()["message"] == "请让对象在屏幕上签名，或拍下签收单。"
    assert not Delivery.objects.exists()


def test_a_picture_that_is_not_an_image_is_refused(cw, login):
    client = login("clerk.wuxian")
    url = reverse("relief:field_entry", args=[entry_of(cw, cw.yang).pk])
    key = form_key(client.get(url).content.decode())
    sheet = SimpleUploadedFile("sheet.png", b"not a picture at all" * 10, content_type="image/png")
    response = client.post(url, delivery_post(cw, key, signed_sheet=sheet))
    assert response.status_code == 422 and "图片应为 PNG 或 JPEG 格式。" in response.content.decode()
    broken = client.post(url, delivery_post(cw, key, signature="data:image/png;base64,@@@"))
    assert broken.status_code == 422 and "签名应为 PNG 或 JPEG 图片" in broken.content.decode()
    assert not Delivery.objects.exists()


def test_insufficient_stock_answers_409_with_the_reason(cw, login, signature_url):
    actions.issue_stock(actor=cw.stock.keeper, store=cw.stock.wuxian, item=cw.stock.quilt, quantity=20,
                        purpose="one_off_aid", note="全部发完")
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    response = client.post(url, delivery_post(cw, key, signature=signature_url))
    assert response.status_code == 409 and "测试棉被" in response.content.decode()
    as_json = client.post(url, delivery_post(cw, key, signature=signature_url), **JSON)
    assert as_json.status_code == 409 and as_json.json()["ok"] is False and as_json.json()["message"]
    entry.refresh_from_db()
    assert entry.status == "pending" and not Delivery.objects.exists()


def test_a_death_recorded_meanwhile_is_shown_not_delivered(cw, login, signature_url, world):
    from onedoor.registry.actions import record_death

    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    record_death(actor=world.user("clerk.wuxian"), person=cw.yang, death_date=date(2026, 11, 20))
    response = client.post(url, delivery_post(cw, key, signature=signature_url))
    body = response.content.decode()
    assert response.status_code == 422 and "去世" in body and 'data-testid="delivery-form"' not in body
    entry.refresh_from_db()
    assert entry.status == "deceased" and on_hand(cw.stock.wuxian, cw.stock.quilt) == 20


def test_an_entry_delivered_by_someone_else_is_not_delivered_twice(cw, login, signature_url):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    url = reverse("relief:field_entry", args=[entry.pk])
    first_key, second_key = (form_key(client.get(url).content.decode()) for _ in range(2))
    assert client.post(url, delivery_post(cw, first_key, signature=signature_url)).status_code == 302
    response = client.post(url, delivery_post(cw, second_key, signature=signature_url))
    body = response.content.decode()
    assert response.status_code == 409 and "不能重复发放" in body
    assert Delivery.objects.count() == 1 and on_hand(cw.stock.wuxian, cw.stock.quilt) == 19
    assert 'data-testid="delivery-form"' not in client.get(url).content.decode()


# --- other outcomes --------------------------------------------------------------------------------------

def test_outcome_buttons_need_a_note_and_record_the_status(cw, login, world):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.single)
    url = reverse("relief:field_outcome", args=[entry.pk])
    missing = client.post(url, {"status": "refused", "note": ""})
    assert missing.status_code == 422 and "请写明情况" in missing.content.decode()
    response = client.post(url, {"status": "refused", "note": "本人说不需要"})
    assert response.status_code == 302
    assert response["Location"] == reverse("relief:field_entry", args=[entry.pk]) + "?done=1"
    entry.refresh_from_db()
    assert entry.status == "refused" and entry.status_note == "本人说不需要"
    # a repeat of the same tap is the same success, recorded once
    assert client.post(url, {"status": "refused", "note": "本人说不需要"}).status_code == 302
    assert CampaignEvent.objects.filter(entry=entry, to_status="refused").count() == 1
    done = client.get(response["Location"]).content.decode()
    assert "已登记：王单 拒收" in done and "下一户" in done
    # back to pending for another try, then moved away
    assert client.post(url, {"status": "pending", "note": ""}).status_code == 302
    assert client.post(url, {"status": "moved", "note": "已随女儿迁往厦门市区"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "moved"
    # moved → deceased is not a transition: refused in Chinese, not a 500
    refused = client.post(url, {"status": "deceased", "note": "听说去世了"})
    assert refused.status_code == 409 and "不能改为“已故”" in refused.content.decode()
    assert client.post(url, {"status": "delivered", "note": "x"}).status_code == 422  # not through this form


def test_unreachable_then_delivered_on_the_next_visit(cw, login, signature_url):
    client = login("clerk.wuxian")
    entry = entry_of(cw, cw.yang)
    client.post(reverse("relief:field_outcome", args=[entry.pk]), {"status": "unreachable", "note": "敲门无人"})
    url = reverse("relief:field_entry", args=[entry.pk])
    key = form_key(client.get(url).content.decode())
    assert client.post(url, delivery_post(cw, key, signature=signature_url)).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "delivered"


# --- scope -------------------------------------------------------------------------------------------------

def test_another_towns_entry_is_404_and_unchanged(cw, login, signature_url):
    chen = entry_of(cw, cw.chen)
    client = login("clerk.wuxian")
    assert client.get(reverse("relief:field_entry", args=[chen.pk])).status_code == 404
    response = client.post(reverse("relief:field_entry", args=[chen.pk]),
                           delivery_post(cw, "k" * 32, signature=signature_url))
    assert response.status_code == 404
    assert client.post(reverse("relief:field_outcome", args=[chen.pk]),
                       {"status": "refused", "note": "x"}).status_code == 404
    chen.refresh_from_db()
    assert chen.status == "pending" and not Delivery.objects.exists()
    # 莲花镇's clerk can open it
    assert login("clerk.lianhua").get(reverse("relief:field_entry", args=[chen.pk])).status_code == 200


def test_a_reader_who_may_not_deliver_gets_404(cw, login, world):
    client = login("leader")  # sees campaigns, delivers nothing
    assert client.get(reverse("relief:field_entry", args=[entry_of(cw, cw.yang).pk])).status_code == 404
    url = reverse("relief:field_village", args=[cw.campaign.pk, world.wuxian_village.code])
    assert client.get(url).status_code == 404
    body = client.get(reverse("relief:field_campaign", args=[cw.campaign.pk])).content.decode()
    assert "您负责的区域没有名单对象" in body


def test_a_draft_campaign_has_no_field_pages(make_campaign, login):
    draft = make_campaign()
    assert login("clerk.wuxian").get(reverse("relief:field_campaign", args=[draft.campaign.pk])).status_code == 404
    assert draft.campaign.name not in login("clerk.wuxian").get(reverse("relief:field_home")).content.decode()


def test_a_phone_photo_too_large_is_refused_without_reading_it(cw, login):
    client = login("clerk.wuxian")
    url = reverse("relief:field_entry", args=[entry_of(cw, cw.yang).pk])
    key = form_key(client.get(url).content.decode())
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024 + 10), content_type="image/jpeg")
    response = client.post(url, delivery_post(cw, key, signed_sheet=big))
    assert response.status_code == 422 and "图片过大" in response.content.decode()
    assert not Delivery.objects.exists()
