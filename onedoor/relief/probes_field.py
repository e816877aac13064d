"""Out-of-scope probes of the field pages (入户发放): the 莲花镇 clerk (a field issuer in 莲花镇) against a
district campaign whose only target lives in 五显镇. The clerk sees the campaign (a district campaign
is every town's) but none of 五显镇's villages or targets: the lists leave them out, a search by the
target's ID digits finds nothing, the village and the target's page answer 404, and posting a delivery
or an outcome for the target answers 404 and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from onedoor.core.probes import Probe

PROBE_CAMPAIGN = "探针寒冬送温暖"
FOREIGN_PERSON = "探针户甲"
FOREIGN_SEQ = 901
FOREIGN_BIRTH = date(1950, 1, 1)


def _foreign_id_number() -> str:
    from onedoor.core.idnumber import make_id_number

    return make_id_number("350212", FOREIGN_BIRTH, FOREIGN_SEQ)


def foreign_campaign(world):
    """A district campaign (roster frozen) whose one target, 探针户甲 (特困), lives in a 五显镇 village."""
    from onedoor.registry.actions import assign_category, register_person
    from onedoor.registry.models import Category

    from .campaigns import create_campaign, generate_roster
    from .models import Campaign
    from .probes_stock import foreign_store, probe_item

    campaign = Campaign.objects.filter(name=PROBE_CAMPAIGN).first()
    if campaign is not None:
        return campaign
    clerk, keeper = world.user("clerk.wuxian"), world.user("storekeeper")
    person = register_person(actor=clerk, data={
        "name": FOREIGN_PERSON, "id_number": _foreign_id_number(), "residence_area": world.wuxian_village,
        "address": "五显镇探针路1号"})
    tekun = Category.objects.get(code="tekun")
    assign_category(actor=clerk, category=tekun, valid_from=date(2025, 1, 1), source="manual", reason="探针认定",
                    person=person)
    today = timezone.localdate()
    campaign = create_campaign(actor=keeper, name=PROBE_CAMPAIGN, organisation=world.org("区民政局"),
                               area=world.district, starts_on=today, ends_on=today + timedelta(days=60),
                               categories=[tekun], items={probe_item(): 1}, store=foreign_store(world))
    generate_roster(campaign, actor=keeper)
    return campaign


def foreign_entry(world):
    from .models import RosterEntry

    return RosterEntry.objects.get(campaign=foreign_campaign(world), person__name=FOREIGN_PERSON)


def _absent_person(world) -> str:
    return FOREIGN_PERSON


def _cannot_deliver(client, world) -> None:
    from .models import Delivery, StockBalance

    entry = foreign_entry(world)
    before = list(StockBalance.objects.order_by("pk").values_list("pk", "quantity"))
    response = client.post(reverse("relief:field_entry", args=[entry.pk]), {
        "idempotency_key": "probe-field-key", f"qty_{entry.campaign.items.get().item_id}": 1,
        "signature": "", "note": "探针"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 404, response.status_code
    entry.refresh_from_db()
    assert entry.status == "pending" and not Delivery.objects.filter(entry=entry).exists()
    assert list(StockBalance.objects.order_by("pk").values_list("pk", "quantity")) == before


def _cannot_set_outcome(client, world) -> None:
    entry = foreign_entry(world)
    response = client.post(reverse("relief:field_outcome", args=[entry.pk]), {"status": "refused", "note": "探针"})
    assert response.status_code == 404, response.status_code
    entry.refresh_from_db()
    assert entry.status == "pending"


def _campaign_kwargs(world) -> dict:
    return {"campaign": foreign_campaign(world).pk}


PROBES: list = [
    Probe("relief:field_home", expect="absent", given=foreign_campaign, absent_text=_absent_person),
    Probe("relief:field_campaign", kwargs=_campaign_kwargs, expect="absent", absent_text=_absent_person),
    # a search by the foreign target's ID digits finds nothing (the digits are not otherwise on the page)
    Probe("relief:field_campaign", kwargs=_campaign_kwargs, expect="absent", absent_text=_absent_person,
          query={"q": _foreign_id_number()[-4:]}),
    Probe("relief:field_village", kwargs=lambda w: {"campaign": foreign_campaign(w).pk,
                                                    "area": w.wuxian_village.code}),
    Probe("relief:field_entry", kwargs=lambda w: {"pk": foreign_entry(w).pk}),
    Probe("relief:field_entry", expect="check", check=_cannot_deliver),
    Probe("relief:field_outcome", kwargs=lambda w: {"pk": foreign_entry(w).pk}, method="POST"),
    Probe("relief:field_outcome", expect="check", check=_cannot_set_outcome),
]
