"""The person page shows the campaigns whose roster lists the person, with the outcome, and the proof of a
delivery is served to those who see the entry — to viewers whose scope covers the village only."""

from datetime import date

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_person_page_lists_the_campaign_and_its_outcome(make_campaign, login, world, signature_png):
    from onedoor.relief.campaigns import add_to_roster, deliver, generate_roster, image_file
    from onedoor.relief.models import RosterEntry

    cw = make_campaign()
    generate_roster(cw.campaign, actor=cw.stock.keeper, on=date(2026, 11, 20))
    entry = RosterEntry.objects.get(campaign=cw.campaign, person=cw.yang)
    deliver(entry, actor=world.user("clerk.wuxian"), on=date(2026, 11, 28),
            signature=image_file(signature_png, content_type="image/png", field="signature", name="sig"))
    page = login("clerk.wuxian").get(reverse("registry:person_detail", args=[cw.yang.pk]))
    section = page.content.decode().split('data-testid="person-campaigns"')[1]
    assert cw.campaign.name in section and "已送达" in section and "2026-11-28" in section

    late = add_to_roster(cw.campaign, person=cw.other, reason="11月新认定低保", actor=cw.stock.keeper)
    assert late.status == "pending"
    other_page = login("clerk.lianhua").get(reverse("registry:person_detail", args=[cw.other.pk]))
    assert "补充列入：11月新认定低保" in other_page.content.decode()


def test_no_section_for_a_person_on_no_roster(make_campaign, login):
    cw = make_campaign()
    page = login("clerk.wuxian").get(reverse("registry:person_detail", args=[cw.yang.pk]))
    assert 'data-testid="person-campaigns"' not in page.content.decode()


def test_the_delivery_proof_is_shown_to_those_who_see_the_entry_and_logged(make_campaign, login, world,
                                                                           signature_png):
    from onedoor.core.models import AccessLog
    from onedoor.relief.campaigns import deliver, generate_roster, image_file
    from onedoor.relief.models import RosterEntry

    cw = make_campaign()
    generate_roster(cw.campaign, actor=cw.stock.keeper, on=date(2026, 11, 20))
    entry = RosterEntry.objects.get(campaign=cw.campaign, person=cw.yang)
    deliver(entry, actor=world.user("clerk.wuxian"),
            signature=image_file(signature_png, content_type="image/png", field="signature", name="sig"))
    roster = login("leader").get(reverse("relief:campaign_roster", args=[cw.campaign.pk])).content.decode()
    url = reverse("relief:campaign_delivery_proof", args=[cw.campaign.pk, entry.pk, "proof"])
    assert url in roster
    before = AccessLog.objects.count()
    answer = login("leader").get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert b"".join(answer.streaming_content) == signature_png
    assert AccessLog.objects.count() == before + 1
    # No photo was taken; another town's clerk does not see the entry at all.
    photo_url = reverse("relief:campaign_delivery_proof", args=[cw.campaign.pk, entry.pk, "photo"])
    assert login("leader").get(photo_url).status_code == 404
    assert login("clerk.lianhua").get(url).status_code == 404
