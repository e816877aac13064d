"""Out-of-scope probes of the campaign API: the 莲花镇 clerk (a field issuer, so a campaign viewer) against
a campaign of 五显镇 alone (named 五显…, so an "absent" probe spots a leak) and against the 五显镇 target
on the district's campaign, which the clerk does see. The 五显镇 campaign answers 404 everywhere; the
district campaign's roster and coverage leave 五显镇 out; delivering to or recording an outcome for the
五显镇 target answers 404 and changes nothing; creating a campaign is closed to the clerk (403) and a
莲花镇 storekeeper naming 五显镇's area or store gets 422 and nothing is created."""

import json

from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe
from onedoor.registry.probes_api import FOREIGN_BIRTH, foreign_assignment, foreign_person, local_person

from .probes_stock import foreign_store, lianhua_storekeeper, probe_item

FOREIGN_CAMPAIGN = f"{FOREIGN_MARKER}镇送温暖（探针）"
FOREIGN_DRAFT = f"{FOREIGN_MARKER}镇送温暖筹备（探针）"
DISTRICT_CAMPAIGN = "全区送温暖（探针）"


def _district_store(world):
    from .actions import receive_stock
    from .models import Store

    store = Store.objects.filter(name="探针区救灾仓库").first()
    if store is None:
        store = Store.objects.create(name="探针区救灾仓库", kind="warehouse", organisation=world.org("区民政局"),
                                     area=world.district)
        receive_stock(actor=world.user("storekeeper"), store=store, item=probe_item(), quantity=10)
    return store


def _campaign(world, name: str, area, store, *, generate: bool):
    from datetime import timedelta

    from django.utils import timezone

    from onedoor.registry.models import Category

    from .campaigns import create_campaign, generate_roster
    from .models import Campaign

    found = Campaign.objects.filter(name=name).first()
    if found is not None:
        return found
    foreign_assignment(world)  # 五显测试人 in 特困供养
    keeper = world.user("storekeeper")
    today = timezone.localdate()
    campaign = create_campaign(actor=keeper, name=name, organisation=world.org("区民政局"), area=area,
                               starts_on=today, ends_on=today + timedelta(days=60),
                               categories=Category.objects.filter(code="tekun"), items={probe_item(): 1}, store=store)
    if generate:
        generate_roster(campaign, actor=keeper)
    return campaign


def foreign_campaign(world):
    """A campaign of 五显镇 alone, roster generated (the 五显镇 test person)."""
    return _campaign(world, FOREIGN_CAMPAIGN, world.wuxian, foreign_store(world), generate=True)


def foreign_draft(world):
    return _campaign(world, FOREIGN_DRAFT, world.wuxian, foreign_store(world), generate=False)


def district_campaign(world):
    """The district's campaign, seen by the 莲花镇 clerk: the 五显镇 test person and a 莲花镇 person
    (added with a reason), so an empty answer is not mistaken for a scoped one."""
    from .campaigns import add_to_roster
    from .models import RosterEntry

    campaign = _campaign(world, DISTRICT_CAMPAIGN, world.district, _district_store(world), generate=True)
    local = local_person(world)
    if not RosterEntry.objects.filter(campaign=campaign, person=local).exists():
        add_to_roster(campaign, person=local, reason="探针补充", actor=world.user("storekeeper"))
    return campaign


def foreign_entry(world):
    from .models import RosterEntry

    return RosterEntry.objects.get(campaign=district_campaign(world), person=foreign_person(world))


def _everything(world) -> None:
    foreign_campaign(world)
    foreign_draft(world)
    district_campaign(world)


def _district(world) -> dict:
    _everything(world)
    return {"campaign_id": district_campaign(world).pk}


def _foreign(world) -> dict:
    _everything(world)
    return {"campaign_id": foreign_campaign(world).pk}


def _state() -> tuple:
    from onedoor.core.models import AccessLog

    from .models import Campaign, Delivery, RosterEntry, StockMove

    return (list(Campaign.objects.order_by("pk").values_list("pk", "status", "roster_size")),
            list(RosterEntry.objects.order_by("pk").values_list("pk", "status", "status_note")),
            Delivery.objects.count(), StockMove.objects.count(), AccessLog.objects.count())


def _post(client, url: str, body: dict, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _cannot_generate_a_foreign_roster(client, world) -> None:
    _everything(world)
    before = _state()
    for user in (None, "storekeeper"):
        if user:
            client.force_login(lianhua_storekeeper(world), backend="django.contrib.auth.backends.ModelBackend")
        for campaign in (foreign_draft(world), foreign_campaign(world)):
            response = client.post(reverse("api:generate_campaign_roster", kwargs={"campaign_id": campaign.pk}))
            assert response.status_code == 404, response.status_code
    assert _state() == before


def _cannot_create_into_a_foreign_town(client, world) -> None:
    _everything(world)
    before = _state()
    body = {"name": "越权活动", "area": world.wuxian.code, "starts_on": "2026-12-01", "ends_on": "2027-01-31",
            "categories": ["tekun"], "items": [{"item": probe_item().code, "quantity": 1}],
            "store_id": foreign_store(world).pk, "teams": [{"town": world.wuxian.code,
                                                            "store_id": foreign_store(world).pk}]}
    url = reverse("api:create_campaign")
    response = _post(client, url, body)
    assert response.status_code == 403, response.status_code
    client.force_login(lianhua_storekeeper(world), backend="django.contrib.auth.backends.ModelBackend")
    response = _post(client, url, body)
    assert response.status_code == 422, response.status_code
    assert {"area", "store_id", "teams[1].town", "teams[1].store_id"} <= set(response.json()["details"])
    assert FOREIGN_MARKER not in response.content.decode()
    assert _state() == before


def _cannot_change_a_foreign_entry(client, world) -> None:
    entry = foreign_entry(world)
    before = _state()
    for status in ("unreachable", "moved", "pending"):
        response = _post(client, reverse("api:set_roster_entry_status", kwargs={"entry_id": entry.pk}),
                         {"status": status, "note": "越权"})
        assert response.status_code == 404, response.status_code
        assert FOREIGN_MARKER not in response.content.decode()
    assert _state() == before


def _cannot_deliver_to_a_foreign_entry(client, world) -> None:
    import base64

    entry = foreign_entry(world)
    before = _state()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    body = {"roster_entry_id": entry.pk, "signature": "data:image/png;base64," + base64.b64encode(png).decode()}
    for user in (None, "storekeeper"):
        if user:
            client.force_login(lianhua_storekeeper(world), backend="django.contrib.auth.backends.ModelBackend")
        response = _post(client, reverse("api:create_delivery"), body, **{"Idempotency-Key": f"probe-{user}"})
        assert response.status_code == 404, response.status_code
        assert FOREIGN_MARKER not in response.content.decode()
    assert _state() == before


def _unmasking_the_roster_leaves_the_foreign_target_out(client, world) -> None:
    from onedoor.core.models import AccessLog

    campaign = district_campaign(world)
    before = AccessLog.objects.count()
    response = client.get(reverse("api:list_roster_entries", kwargs={"campaign_id": campaign.pk}),
                          {"unmask": "true", "reason": "核对"})
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert FOREIGN_MARKER not in body and foreign_person(world).id_number not in body
    # only the 莲花镇 target's number was shown and logged
    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.order_by("-pk").first().target_id == str(local_person(world).pk)


def _foreign_id_tail() -> str:
    from onedoor.core.idnumber import make_id_number

    return make_id_number("350212", FOREIGN_BIRTH, 901)[-6:]  # the 五显镇 test person's number


PROBES = [
    Probe("api:list_campaigns", expect="absent", given=_everything),
    Probe("api:list_campaigns", expect="absent", given=_everything, query={"status": "draft"}),
    Probe("api:get_campaign", kwargs=_foreign),
    Probe("api:get_campaign", expect="absent", kwargs=_district),
    Probe("api:create_campaign", expect="check", check=_cannot_create_into_a_foreign_town),
    Probe("api:generate_campaign_roster", expect="check", check=_cannot_generate_a_foreign_roster),
    Probe("api:list_roster_entries", kwargs=_foreign),
    Probe("api:list_roster_entries", expect="absent", kwargs=_district),
    Probe("api:list_roster_entries", expect="absent", kwargs=_district, query={"q": FOREIGN_MARKER}),
    Probe("api:list_roster_entries", expect="absent", kwargs=_district, query={"area": "350212110000"}),
    Probe("api:list_roster_entries", expect="absent", kwargs=_district, query={"q": _foreign_id_tail()}),
    Probe("api:list_roster_entries", expect="check", check=_unmasking_the_roster_leaves_the_foreign_target_out),
    Probe("api:get_campaign_coverage", kwargs=_foreign),
    Probe("api:get_campaign_coverage", expect="absent", kwargs=_district),
    Probe("api:get_campaign_coverage", expect="absent", kwargs=_district,
          query={"by": "village", "within": "350212110000"}),
    Probe("api:set_roster_entry_status", expect="check", check=_cannot_change_a_foreign_entry),
    Probe("api:create_delivery", expect="check", check=_cannot_deliver_to_a_foreign_entry),
]
