"""Out-of-scope probes of the campaign pages (see probes.py): the 莲花镇 window clerk — who may see the
district's campaign, but only 莲花镇's part of it — against a campaign of 五显镇 and the 五显镇 part of
the district's campaign.

`probe_campaigns(world)` builds both once: a district campaign (teams for 五显镇 with 五显镇物资点 and
for 莲花镇) whose frozen roster holds "五显探针对象" in a 五显镇 village and "莲花探针对象" in a 莲花镇
village, and 五显镇's own campaign. Pages about 五显镇's campaign, its villages or its people answer 404;
pages of the district campaign answer without any 五显 (FOREIGN_MARKER); the forms that change a
campaign are closed (403) to the clerk, and a 莲花镇 storekeeper naming 五显镇's town, store or
person changes nothing. Other helpers' probes may reuse `probe_campaigns`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe

DISTRICT_CAMPAIGN = "探针送温暖（全区）"
WUXIAN_CAMPAIGN = "五显镇探针送温暖"


@dataclass
class ProbeCampaigns:
    district: Any        # visible to the 莲花镇 clerk, partly
    wuxian: Any          # 五显镇's own campaign: hidden
    foreign_entry: Any   # 五显探针对象 on the district roster
    own_entry: Any       # 莲花探针对象 on the district roster
    wuxian_entry: Any    # 五显探针对象 on 五显镇's roster
    foreign_person: Any
    lianhua_store: Any


def probe_campaigns(world) -> ProbeCampaigns:
    from onedoor.registry.actions import assign_category
    from onedoor.registry.models import Category
    from onedoor.registry.probes_pages import foreign_person, own_person

    from .campaigns import TeamSpec, create_campaign, generate_roster
    from .models import Campaign, RosterEntry, Store
    from .probes_stock import foreign_store, probe_item

    keeper = world.user("storekeeper")
    tekun = Category.objects.get(code="tekun")
    district = Campaign.objects.filter(name=DISTRICT_CAMPAIGN).first()
    if district is None:
        foreign = foreign_person(world, "五显探针对象")
        own = own_person(world, "莲花探针对象")
        for person, clerk in ((foreign, "clerk.wuxian"), (own, "clerk.lianhua")):
            assign_category(actor=world.user(clerk), category=tekun, valid_from=date(2024, 1, 1), source="manual",
                            reason="探针认定", person=person)
        warehouse = Store.objects.get_or_create(name="区探针仓库", defaults={
            "kind": "warehouse", "organisation": world.org("区民政局"), "area": world.district})[0]
        lianhua = Store.objects.get_or_create(name="莲花镇物资点", defaults={
            "kind": "town", "organisation": world.org("莲花镇"), "area": world.lianhua})[0]
        wuxian_store = foreign_store(world)
        common = {"actor": keeper, "organisation": world.org("区民政局"), "starts_on": date(2026, 11, 1),
                  "ends_on": date(2027, 2, 28), "categories": [tekun], "items": {probe_item(): 1}}
        district = create_campaign(name=DISTRICT_CAMPAIGN, area=world.district, store=warehouse,
                                   teams=[TeamSpec(town=world.wuxian, store=wuxian_store, leader="五显队长"),
                                          TeamSpec(town=world.lianhua, store=lianhua, leader="莲花队长")],
                                   **common)
        generate_roster(district, actor=keeper)
        wuxian = create_campaign(name=WUXIAN_CAMPAIGN, area=world.wuxian, store=wuxian_store, **common)
        generate_roster(wuxian, actor=keeper)
    wuxian = Campaign.objects.get(name=WUXIAN_CAMPAIGN)
    foreign_entry = RosterEntry.objects.select_related("person").get(campaign=district,
                                                                     person__name="五显探针对象")
    return ProbeCampaigns(
        district=district, wuxian=wuxian, foreign_entry=foreign_entry,
        own_entry=RosterEntry.objects.get(campaign=district, person__name="莲花探针对象"),
        wuxian_entry=RosterEntry.objects.get(campaign=wuxian, person=foreign_entry.person),
        foreign_person=foreign_entry.person, lianhua_store=Store.objects.get(name="莲花镇物资点"))


def _as_town_keeper(client, world) -> None:
    from .probes_stock import lianhua_storekeeper

    client.force_login(lianhua_storekeeper(world), backend="django.contrib.auth.backends.ModelBackend")


def _clean(response, what: str, status: int = 200) -> str:
    assert response.status_code == status, f"{what} answered {response.status_code}"
    body = response.content.decode()
    assert FOREIGN_MARKER not in body, f"{what} shows {FOREIGN_MARKER}"
    return body


def _state() -> tuple:
    from .models import Campaign, CampaignEvent, CampaignItem, CampaignTeam, RosterEntry

    return (list(Campaign.objects.order_by("pk").values_list("pk", "status", "roster_frozen_at")),
            list(CampaignItem.objects.order_by("pk").values_list("pk", "quantity")),
            list(CampaignTeam.objects.order_by("pk").values_list("pk", "store_id", "leader")),
            list(RosterEntry.objects.order_by("pk").values_list("pk", "status")),
            CampaignEvent.objects.count())


def _url(route: str, campaign, *args) -> str:
    return reverse(f"relief:{route}", args=[campaign.pk, *args])


# --- checks ------------------------------------------------------------------------------------------

def _list(client, world) -> None:
    probe_campaigns(world)
    body = _clean(client.get(reverse("relief:campaign_list")), "campaign_list")
    assert DISTRICT_CAMPAIGN in body, "the district campaign is missing from the 莲花镇 clerk's list"


def _create(client, world) -> None:
    from .models import Campaign

    probe_campaigns(world)
    assert client.get(reverse("relief:campaign_create")).status_code == 403
    _as_town_keeper(client, world)
    _clean(client.get(reverse("relief:campaign_create")), "campaign_create")
    before = Campaign.objects.count()
    response = client.post(reverse("relief:campaign_create"), {
        "name": "探针越权活动", "organisation": world.org("莲花镇").pk, "area": world.wuxian.pk,
        "starts_on": "2026-12-01", "ends_on": "2026-12-31", "target": "persons",
        "categories": [], "store": "", f"team_{world.wuxian.pk}_store": ""})
    _clean(response, "campaign_create POST")
    assert Campaign.objects.count() == before, "a 莲花镇 storekeeper created a campaign over 五显镇"


def _detail(client, world) -> None:
    found = probe_campaigns(world)
    assert client.get(_url("campaign_detail", found.wuxian)).status_code == 404
    body = _clean(client.get(_url("campaign_detail", found.district)), "campaign_detail")
    assert "莲花" in body, "the clerk's own town is missing from the coverage"
    _clean(client.get(_url("campaign_detail", found.district), {"town": world.wuxian.pk}), "campaign_detail town")


def _coverage_json(client, world) -> None:
    found = probe_campaigns(world)
    assert client.get(_url("campaign_coverage_json", found.wuxian)).status_code == 404
    _clean(client.get(_url("campaign_coverage_json", found.district)), "coverage json")
    _clean(client.get(_url("campaign_coverage_json", found.district), {"town": world.wuxian.pk}), "coverage json")


def _closed_form(route: str, method: str = "get", data: dict | None = None):
    """A form that changes a campaign: 404 on 五显镇's campaign, 403 on the district's (the clerk only sees it)."""

    def check(client, world) -> None:
        found = probe_campaigns(world)
        before = _state()
        call = getattr(client, method)
        assert call(_url(route, found.wuxian), data or {}).status_code == 404, route
        assert call(_url(route, found.district), data or {}).status_code == 403, route
        assert _state() == before, f"{route} changed a campaign"

    return check


def _team(client, world) -> None:
    _closed_form("campaign_team")(client, world)
    found = probe_campaigns(world)
    _as_town_keeper(client, world)
    # A 莲花镇 storekeeper follows the district's campaign but does not run it: its team form is closed.
    assert client.get(_url("campaign_team", found.district)).status_code == 403
    before = _state()
    from .probes_stock import foreign_store

    response = client.post(_url("campaign_team", found.district), {
        "town": world.wuxian.pk, "store": foreign_store(world).pk, "leader": "越权"})
    assert response.status_code == 403, f"team form of the district campaign answered {response.status_code}"
    assert _state() == before, "a 莲花镇 storekeeper changed 五显镇's team"


def _summary(client, world) -> None:
    from django.test import TestCase

    from onedoor.core.models import Job
    from onedoor.core.tabular import read_rows

    found = probe_campaigns(world)
    assert client.post(_url("campaign_summary", found.wuxian)).status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(_url("campaign_summary", found.district))
    assert response.status_code == 302
    job = Job.objects.filter(kind="relief.campaign_summary").latest("pk")
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    with job.result_file.open("rb") as handle:
        data = handle.read()
    cells = " ".join(value for sheet in ("概况", "按镇", "按村", "按类别", "发放明细")
                     for row in read_rows(io.BytesIO(data), filename="summary.xlsx", sheet=sheet, header=False)
                     for value in row.values.values())
    assert FOREIGN_MARKER not in cells and "莲花探针对象" in cells


def _roster(client, world) -> None:
    found = probe_campaigns(world)
    assert client.get(_url("campaign_roster", found.wuxian)).status_code == 404
    body = _clean(client.get(_url("campaign_roster", found.district)), "campaign_roster")
    assert "莲花探针对象" in body
    for query in ({"area": world.wuxian_village.pk}, {"area": world.wuxian.pk}, {"q": "探针对象"},
                  {"q": found.foreign_person.id_tail}):
        _clean(client.get(_url("campaign_roster", found.district), query), f"campaign_roster {query}")


def _roster_add(client, world) -> None:
    _closed_form("campaign_roster_add")(client, world)
    found = probe_campaigns(world)
    _as_town_keeper(client, world)
    # Adding to the district's roster is the district's to do: closed to a 莲花镇 storekeeper.
    assert client.get(_url("campaign_roster_add", found.district), {"q": "探针对象"}).status_code == 403
    from onedoor.registry.probes_pages import foreign_person

    stranger = foreign_person(world, "五显未列对象")
    before = _state()
    response = client.post(_url("campaign_roster_add", found.district), {"person": stranger.pk, "reason": "越权"})
    assert response.status_code == 403, f"roster_add of a 五显镇 person answered {response.status_code}"
    assert client.post(_url("campaign_roster_add", found.wuxian), {"person": stranger.pk,
                                                                    "reason": "越权"}).status_code == 404
    assert _state() == before


def _entry_status(client, world) -> None:
    found = probe_campaigns(world)
    before = _state()
    for campaign, entry in ((found.district, found.foreign_entry), (found.wuxian, found.wuxian_entry),
                            (found.district, found.wuxian_entry)):
        url = _url("campaign_entry_status", campaign, entry.pk)
        assert client.get(url).status_code == 404
        assert client.post(url, {"status": "refused", "note": "越权"}).status_code == 404
    assert _state() == before


def _proof(client, world) -> None:
    found = probe_campaigns(world)
    before = _access_logs()
    for campaign, entry in ((found.district, found.foreign_entry), (found.wuxian, found.wuxian_entry)):
        for kind in ("proof", "signature", "sheet", "photo"):
            assert client.get(_url("campaign_delivery_proof", campaign, entry.pk, kind)).status_code == 404
    assert _access_logs() == before


def _village_document(route: str):
    def check(client, world) -> None:
        found = probe_campaigns(world)
        before = _access_logs()
        assert client.get(_url(route, found.district, world.wuxian_village.pk)).status_code == 404
        assert client.get(_url(route, found.wuxian, world.lianhua_village.pk)).status_code == 404
        assert client.get(_url(route, found.wuxian, world.wuxian_village.pk)).status_code == 404
        assert _access_logs() == before, f"{route} logged an export it did not make"

    return check


def _access_logs() -> int:
    from onedoor.core.models import AccessLog

    return AccessLog.objects.count()


PROBES: list = [
    Probe("relief:campaign_list", expect="check", check=_list),
    Probe("relief:campaign_create", expect="check", check=_create),
    Probe("relief:campaign_detail", expect="check", check=_detail),
    Probe("relief:campaign_coverage_json", expect="check", check=_coverage_json),
    Probe("relief:campaign_items", expect="check", check=_closed_form("campaign_items")),
    Probe("relief:campaign_team", expect="check", check=_team),
    Probe("relief:campaign_generate", expect="check", check=_closed_form("campaign_generate", "post")),
    Probe("relief:campaign_close", expect="check", check=_closed_form("campaign_close", "post")),
    Probe("relief:campaign_summary", expect="check", check=_summary),
    Probe("relief:campaign_roster", expect="check", check=_roster),
    Probe("relief:campaign_roster_add", expect="check", check=_roster_add),
    Probe("relief:campaign_entry_status", expect="check", check=_entry_status),
    Probe("relief:campaign_delivery_proof", expect="check", check=_proof),
    Probe("relief:campaign_remaining", expect="check", check=_village_document("campaign_remaining")),
    Probe("relief:campaign_signoff", expect="check", check=_village_document("campaign_signoff")),
]
