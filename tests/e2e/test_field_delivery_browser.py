"""Delivering campaign goods in the field, in a real browser on a phone-sized screen: the 五显镇 clerk
opens the field page, finds the target by name, has them sign on the canvas (drawn with the mouse),
submits and sees the confirmation; the stock went down and the delivery holds a PNG signature. Then a
lost answer: the first submission reaches the server but its answer is cut off, the network stays down
for the automatic retries, the clerk taps 重试 — and the goods were issued once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from onedoor.registry.actions import assign_category
from onedoor.registry.models import Category
from onedoor.relief import actions
from onedoor.relief.campaigns import TeamSpec, create_campaign, generate_roster
from onedoor.relief.models import Delivery, Item, RosterEntry, StockBalance, StockMove, Store


@pytest.fixture
def campaign(world, make_person):
    """A district campaign, one quilt each, 五显镇's team issuing from its own store (5 quilts);
    targets 杨全 and 李孤 (特困) in a 五显镇 village."""
    clerk, keeper = world.user("clerk.wuxian"), world.user("storekeeper")
    quilt = Item.objects.create(code="e2e-quilt", name="棉被（浏览器）", unit="床")
    store = Store.objects.create(name="五显镇物资点（浏览器）", kind="town", organisation=world.org("五显镇"),
                                 area=world.wuxian)
    actions.receive_stock(actor=keeper, store=store, item=quilt, quantity=5)
    tekun = Category.objects.get(code="tekun")
    for name, seq in (("杨全", 611), ("李孤", 613)):
        person = make_person(name, seq=seq, address=f"垵炉村{seq}号")
        assign_category(actor=clerk, category=tekun, valid_from=date(2025, 1, 1), source="manual", reason="测试认定",
                        person=person)
    today = timezone.localdate()
    made = create_campaign(actor=keeper, name="寒冬送温暖（浏览器）", organisation=world.org("区民政局"),
                           area=world.district, starts_on=today, ends_on=today + timedelta(days=60),
                           categories=[tekun], items={quilt: 1}, store=store,
                           teams=[TeamSpec(town=world.wuxian, store=store)])
    generate_roster(made, actor=keeper)
    made.quilt, made.field_store = quilt, store
    return made


def on_hand(campaign) -> int:
    return sum(StockBalance.objects.filter(store=campaign.field_store, item=campaign.quilt)
               .values_list("quantity", flat=True))


def open_entry(page, live_server, campaign, name: str) -> RosterEntry:
    """From the field page: the campaign, a search by name, the target's page."""
    page.goto(f"{live_server.url}/relief/field/")
    page.click(f"text={campaign.name}")
    page.fill("[data-testid=field-search]", name)
    page.click("[data-testid=field-search-submit]")
    page.click(f"[data-testid=field-entries] >> text={name}")
    page.wait_for_selector("[data-testid=delivery-form]")
    return RosterEntry.objects.get(campaign=campaign, person__name=name)


def sign(page) -> None:
    """A signature drawn with the mouse: a few strokes across the pad."""
    page.locator("[data-testid=signature-pad]").scroll_into_view_if_needed()
    box = page.locator("[data-testid=signature-pad]").bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 0.1 * w, y + 0.7 * h)
    page.mouse.down()
    for fx, fy in ((0.25, 0.2), (0.4, 0.8), (0.55, 0.3), (0.7, 0.75), (0.9, 0.25)):
        page.mouse.move(x + fx * w, y + fy * h, steps=6)
    page.mouse.up()
    page.wait_for_selector("[data-signature-pad].signed")


def test_deliver_with_a_signature_drawn_on_the_phone(page, live_server, campaign, sign_in):
    sign_in("clerk.wuxian")
    entry = open_entry(page, live_server, campaign, "杨全")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    body = page.inner_text("main")
    assert entry.person.masked_id in body and entry.person.id_number not in page.content()

    # submitting without a signature is stopped on the page
    page.click("[data-testid=deliver-submit]")
    page.wait_for_selector("[data-testid=field-errors] >> text=请在框内签名，或拍照上传签收单。")

    # clear works, then the real signature
    sign(page)
    page.click("[data-testid=signature-clear]")
    page.wait_for_selector("[data-signature-pad]:not(.signed)")
    sign(page)
    page.fill("input[name=note]", "本人在家签收")
    page.click("[data-testid=deliver-submit]")
    page.wait_for_selector("[data-testid=field-done]")
    assert "已登记送达：杨全" in page.inner_text("[data-testid=field-done]")

    entry.refresh_from_db()
    assert entry.status == "delivered"
    delivery = Delivery.objects.get(entry=entry)
    assert delivery.signature.read().startswith(b"\x89PNG\r\n\x1a\n") and delivery.note == "本人在家签收"
    assert on_hand(campaign) == 4  # the planned quantity, one quilt
    assert [line.quantity for line in delivery.lines.all()] == [1]

    # 下一户: back to the village list, the entry now marked
    page.click("[data-testid=field-next]")
    page.wait_for_selector(f"#entry-{entry.pk}.field-row-done")
    assert "已送达" in page.inner_text(f"#entry-{entry.pk}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not page.console_errors


def test_a_lost_answer_and_a_retry_issue_once(page, live_server, campaign, sign_in):
    sign_in("clerk.wuxian")
    entry = open_entry(page, live_server, campaign, "李孤")
    url = f"{live_server.url}/relief/field/entries/{entry.pk}/"
    seen = {"posts": 0, "answers": [], "offline": True}

    def network(route, request):
        if request.method != "POST":
            route.continue_()
            return
        seen["posts"] += 1
        if seen["posts"] == 1:  # reaches the server, but the answer never comes back
            response = route.fetch()
            seen["answers"].append(response.json())
            route.abort("connectionreset")
        elif seen["offline"]:  # no signal for the automatic retries
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(url, network)
    sign(page)
    page.click("[data-testid=deliver-submit]")
    # the server recorded it, but the phone did not hear so: it keeps the form and retries by itself
    page.wait_for_selector("[data-testid=submit-offline]:visible")
    assert seen["answers"][0]["ok"] is True and seen["answers"][0]["created"] is True
    assert page.is_visible("[data-testid=delivery-form]")
    # after the automatic retries (1 + 2 + 4 s) it asks for a manual one
    page.wait_for_selector("[data-testid=submit-offline] >> text=提交未完成", timeout=20_000)
    assert seen["posts"] == 4

    seen["offline"] = False
    page.click("[data-testid=submit-retry]")
    page.wait_for_selector("[data-testid=field-done]")
    assert "已登记送达：李孤" in page.inner_text("[data-testid=field-done]")

    assert seen["posts"] == 5
    assert Delivery.objects.filter(entry=entry).count() == 1
    assert StockMove.objects.filter(kind="issue", from_store=campaign.field_store).count() == 1
    assert on_hand(campaign) == 4
    entry.refresh_from_db()
    assert entry.status == "delivered"
    # the failed fetches are the test's doing, not the page's
    assert not [e for e in page.console_errors if "net::ERR" not in e and "Failed to fetch" not in e]
