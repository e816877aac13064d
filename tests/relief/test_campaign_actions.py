"""Campaign actions: the frozen roster, late additions, outcomes, delivery (stock + ledger, once per
key), the deceased, and coverage arithmetic — against the real database."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from onedoor.core.exceptions import Conflict, DomainError, IllegalTransition, NotPermitted

pytestmark = pytest.mark.django_db


def _entries(campaign):
    from onedoor.relief.models import RosterEntry

    return RosterEntry.objects.filter(campaign=campaign)


def _generate(cw, on=date(2026, 11, 20)):
    from onedoor.relief.campaigns import generate_roster

    return generate_roster(cw.campaign, actor=cw.stock.keeper, on=on)


def test_roster_holds_each_living_target_once_with_area_town_and_category(make_campaign, world):
    cw = make_campaign()
    size = _generate(cw)
    entries = {e.person_id: e for e in _entries(cw.campaign).select_related("category")}
    assert size == 4
    assert set(entries) == {cw.yang.pk, cw.orphan.pk, cw.single.pk, cw.chen.pk}
    assert cw.dead.pk not in entries and cw.other.pk not in entries
    assert entries[cw.single.pk].category.code == "dibao_single"
    assert entries[cw.single.pk].household_id is not None
    assert entries[cw.yang.pk].area_id == world.wuxian_village.pk
    assert entries[cw.yang.pk].town_id == world.wuxian.pk
    assert entries[cw.chen.pk].town_id == world.lianhua.pk
    assert {e.status for e in entries.values()} == {"pending"}
    cw.campaign.refresh_from_db()
    assert cw.campaign.status == "active" and cw.campaign.roster_size == 4
    assert cw.campaign.events.filter(code="roster_generated", data__size=4).exists()


def test_roster_is_frozen_later_registry_changes_do_not_alter_it(make_campaign, make_person, world):
    from onedoor.registry.actions import assign_category
    from onedoor.registry.models import Category

    cw = make_campaign()
    _generate(cw)
    newcomer = make_person("新特困")
    assign_category(actor=world.user("clerk.wuxian"), category=Category.objects.get(code="tekun"),
                    valid_from=date(2026, 11, 25), source="manual", reason="新认定", person=newcomer)
    with pytest.raises(IllegalTransition, match="不能重新生成"):
        _generate(cw)
    assert _entries(cw.campaign).count() == 4
    assert not _entries(cw.campaign).filter(person=newcomer).exists()


def test_the_database_refuses_a_second_entry_for_the_same_person(make_campaign):
    from onedoor.relief.models import RosterEntry

    cw = make_campaign()
    _generate(cw)
    entry = _entries(cw.campaign).get(person=cw.yang)
    with pytest.raises(IntegrityError), transaction.atomic():
        RosterEntry.objects.create(campaign=cw.campaign, person=cw.yang, category=entry.category, area=entry.area,
                                   town=entry.town)


def test_roster_uses_categories_on_the_roster_day(make_campaign):
    cw = make_campaign()
    # The assignments start 2025-01-01: on 2024-12-31 nobody was in a category.
    assert _generate(cw, on=date(2024, 12, 31)) == 0


def test_roster_is_limited_to_the_campaign_area(make_campaign, world):
    cw = make_campaign(area=world.wuxian, name="五显镇送温暖（测试）")
    _generate(cw)
    assert set(_entries(cw.campaign).values_list("person_id", flat=True)) == {cw.yang.pk, cw.orphan.pk, cw.single.pk}


def test_household_campaign_reaches_the_head_once_per_household(make_campaign, make_person, world):
    from onedoor.registry.actions import add_member, assign_category, create_household
    from onedoor.registry.models import Category

    clerk = world.user("clerk.wuxian")
    cw = make_campaign(target="households")
    # Two orphans in one household (headed by their grandmother): one entry, for the head.
    granny = make_person("孙奶奶", birth=date(1950, 5, 5))
    household = create_household(actor=clerk, head=granny)
    for name in ("孙一", "孙二"):
        child = make_person(name, birth=date(2016, 1, 1))
        add_member(actor=clerk, household=household, person=child, relation="grandchild", on=date(2025, 1, 1))
        assign_category(actor=clerk, category=Category.objects.get(code="orphan"), valid_from=date(2025, 1, 1),
                        source="manual", reason="测试", person=child)
    _generate(cw)
    heads = _entries(cw.campaign).filter(household=household)
    assert heads.count() == 1 and heads.get().person_id == granny.pk


def test_add_to_roster_needs_a_reason_and_refuses_duplicates(make_campaign, make_person):
    from onedoor.relief.campaigns import add_to_roster

    cw = make_campaign()
    keeper = cw.stock.keeper
    latecomer = make_person("补充者")
    with pytest.raises(IllegalTransition, match="名单尚未生成"):
        add_to_roster(cw.campaign, person=latecomer, reason="新认定特困", actor=keeper)
    _generate(cw)
    with pytest.raises(DomainError, match="须写明原因"):
        add_to_roster(cw.campaign, person=latecomer, reason="  ", actor=keeper)
    entry = add_to_roster(cw.campaign, person=latecomer, reason="11月25日新认定特困", actor=keeper)
    assert entry.added_reason == "11月25日新认定特困" and entry.status == "pending"
    assert cw.campaign.events.filter(code="entry_added", entry=entry).exists()
    with pytest.raises(Conflict, match="已在本次活动名单中"):
        add_to_roster(cw.campaign, person=latecomer, reason="再加一次", actor=keeper)
    with pytest.raises(DomainError, match="去世"):
        add_to_roster(cw.campaign, person=cw.dead, reason="漏登", actor=keeper)


def test_delivery_issues_stock_writes_the_ledger_and_closes_the_entry(make_campaign, world, signature_png):
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.relief.actions import on_hand, verify_balances
    from onedoor.relief.campaigns import deliver, image_file

    cw = make_campaign()
    _generate(cw)
    entry = _entries(cw.campaign).get(person=cw.yang)
    clerk = world.user("clerk.wuxian")
    signature = image_file(signature_png, content_type="image/png", field="signature", name="sig")
    delivery, created = deliver(entry, actor=clerk, signature=signature, idempotency_key="k-1",
                                on=date(2026, 11, 28))
    assert created
    entry.refresh_from_db()
    assert entry.status == "delivered" and entry.status_by == clerk
    assert delivery.store == cw.stock.wuxian  # the 五显镇 team's store
    assert delivery.signature.read().startswith(b"\x89PNG")
    line = delivery.lines.get()
    assert (line.item, line.quantity) == (cw.stock.quilt, 1)
    assert line.move.from_store == cw.stock.wuxian and line.move.purpose == "campaign"
    assert on_hand(cw.stock.wuxian, cw.stock.quilt) == 19
    record = AssistanceRecord.objects.get(person=cw.yang)
    assert (record.kind, record.quantity, record.unit, record.programme) == ("in_kind", 1, "床", cw.campaign.name)
    assert record.delivered_on == date(2026, 11, 28) and record.area_id == world.wuxian_village.pk
    assert verify_balances() == []


def test_a_retry_with_the_same_key_issues_once(make_campaign, world, signature_url):
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.relief.actions import on_hand
    from onedoor.relief.campaigns import deliver, image_from_data_url
    from onedoor.relief.models import Delivery, DeliveryLine

    cw = make_campaign()
    _generate(cw)
    entry = _entries(cw.campaign).get(person=cw.orphan)
    clerk = world.user("clerk.wuxian")
    first, created = deliver(entry, actor=clerk, idempotency_key="retry-1",
                             signature=image_from_data_url(signature_url, field="signature", name="sig"))
    again, created_again = deliver(entry, actor=clerk, idempotency_key="retry-1",
                                   signature=image_from_data_url(signature_url, field="signature", name="sig"))
    assert created and not created_again and again.pk == first.pk
    assert Delivery.objects.count() == 1 and DeliveryLine.objects.count() == 1
    assert AssistanceRecord.objects.filter(person=cw.orphan).count() == 1
    assert on_hand(cw.stock.wuxian, cw.stock.quilt) == 19
    # A new key for a target already delivered is a conflict, naming when it was delivered.
    with pytest.raises(Conflict, match="不能重复发放"):
        deliver(entry, actor=clerk, idempotency_key="retry-2",
                signature=image_from_data_url(signature_url, field="signature", name="sig"))
    # The same key for someone else is refused rather than silently returning the other delivery.
    other = _entries(cw.campaign).get(person=cw.yang)
    with pytest.raises(Conflict, match="另一位对象"):
        deliver(other, actor=clerk, idempotency_key="retry-1",
                signature=image_from_data_url(signature_url, field="signature", name="sig"))


def test_delivery_needs_proof_known_items_and_stock(make_campaign, world, signature_url, stock):
    from onedoor.relief.actions import InsufficientStock, issue_stock
    from onedoor.relief.campaigns import deliver, image_from_data_url

    cw = make_campaign()
    _generate(cw)
    entry = _entries(cw.campaign).get(person=cw.yang)
    clerk = world.user("clerk.wuxian")

    def signature():
        return image_from_data_url(signature_url, field="signature", name="sig")

    with pytest.raises(DomainError, match="签名"):
        deliver(entry, actor=clerk)
    with pytest.raises(DomainError, match="本次活动不发放"):
        deliver(entry, actor=clerk, signature=signature(), quantities={stock.noodles: 1})
    with pytest.raises(DomainError, match="最多发放 1床"):
        deliver(entry, actor=clerk, signature=signature(), quantities={stock.quilt: 2})
    with pytest.raises(DomainError, match="PNG 或 JPEG"):
        image_from_data_url("data:text/plain;base64,aGVsbG8=", field="signature", name="sig")
    issue_stock(actor=stock.keeper, store=stock.wuxian, item=stock.quilt, quantity=20, purpose="patrol", source=entry)
    with pytest.raises(InsufficientStock):
        deliver(entry, actor=clerk, signature=signature())
    entry.refresh_from_db()
    assert entry.status == "pending" and not hasattr(entry, "delivery_cache")
    from onedoor.relief.models import Delivery

    assert not Delivery.objects.filter(entry=entry).exists()  # nothing half-written


def test_a_town_clerk_cannot_deliver_in_another_town(make_campaign, world, signature_url):
    from onedoor.relief.campaigns import deliver, image_from_data_url

    cw = make_campaign()
    _generate(cw)
    entry = _entries(cw.campaign).get(person=cw.chen)  # 莲花镇
    with pytest.raises(NotPermitted):
        deliver(entry, actor=world.user("clerk.wuxian"),
                signature=image_from_data_url(signature_url, field="signature", name="sig"))


def test_death_recorded_after_the_roster_marks_the_entry_and_blocks_delivery(make_campaign, world, signature_url):
    from onedoor.registry.actions import record_death
    from onedoor.relief.campaigns import deliver, image_from_data_url

    cw = make_campaign()
    _generate(cw)
    clerk = world.user("clerk.wuxian")
    record_death(actor=clerk, person=cw.yang, death_date=date(2026, 11, 22))
    entry = _entries(cw.campaign).get(person=cw.yang)
    assert entry.status == "deceased" and "2026-11-22" in entry.status_note
    with pytest.raises(DomainError, match="去世"):
        deliver(entry, actor=clerk, signature=image_from_data_url(signature_url, field="signature", name="sig"))


def test_outcomes_follow_the_transition_map(make_campaign, world):
    from onedoor.relief.campaigns import set_entry_status

    cw = make_campaign()
    _generate(cw)
    clerk = world.user("clerk.wuxian")
    entry = _entries(cw.campaign).get(person=cw.yang)
    with pytest.raises(DomainError, match="须写明情况"):
        set_entry_status(entry, "unreachable", actor=clerk)
    entry = set_entry_status(entry, "unreachable", actor=clerk, note="两次上门无人")
    entry = set_entry_status(entry, "refused", actor=clerk, note="本人表示不需要")
    with pytest.raises(IllegalTransition, match="不能改为“迁出”|不能改为“已迁出”"):
        set_entry_status(entry, "moved", actor=clerk, note="搬走")
    with pytest.raises(DomainError, match="登记发放"):
        set_entry_status(entry, "delivered", actor=clerk)
    assert list(cw.campaign.events.filter(entry=entry).values_list("from_status", "to_status")) == [
        ("pending", "unreachable"), ("unreachable", "refused")]


def test_coverage_counts_by_town_and_category_and_states_completion(make_campaign, world, signature_url):
    from onedoor.relief.campaigns import deliver, image_from_data_url, set_entry_status
    from onedoor.relief.selectors import coverage

    cw = make_campaign()
    _generate(cw)
    clerk, lianhua_clerk = world.user("clerk.wuxian"), world.user("clerk.lianhua")

    def signature():
        return image_from_data_url(signature_url, field="signature", name="sig")

    deliver(_entries(cw.campaign).get(person=cw.yang), actor=clerk, signature=signature())
    set_entry_status(_entries(cw.campaign).get(person=cw.orphan), "unreachable", actor=clerk, note="上学住校")
    leader = world.user("leader")
    figures = coverage(cw.campaign, leader)
    by_town = {row.code: row for row in figures.rows}
    assert (by_town[world.wuxian.pk].targets, by_town[world.wuxian.pk].delivered,
            by_town[world.wuxian.pk].remaining) == (3, 1, 2)
    assert (by_town[world.lianhua.pk].targets, by_town[world.lianhua.pk].remaining) == (1, 1)
    assert (figures.total.targets, figures.total.delivered, figures.total.remaining) == (4, 1, 3)
    assert not figures.all_covered and "尚有 3 人未送达" in figures.statement
    assert {row.name: row.targets for row in figures.by_category} == {"特困供养": 2, "单人低保户": 1, "孤儿": 1}

    deliver(_entries(cw.campaign).get(person=cw.orphan), actor=clerk, signature=signature())
    deliver(_entries(cw.campaign).get(person=cw.single), actor=clerk, signature=signature())
    set_entry_status(_entries(cw.campaign).get(person=cw.chen), "moved", actor=lianhua_clerk, note="随子女迁往厦门")
    figures = coverage(cw.campaign, leader)
    assert figures.all_covered and figures.total.remaining == 0
    assert figures.statement == ("名单内特困供养 2 人、单人低保户 1 人、孤儿 1 人，已全部送达或办结：送达 3 人（另有迁出1人）。")
    assert figures.total.percent == 100.0

    # A town team sees its own town only.
    own = coverage(cw.campaign, clerk)
    assert [row.code for row in own.rows] == [world.wuxian.pk] and own.total.targets == 3


def test_items_are_fixed_once_the_roster_is_frozen(make_campaign, stock):
    from onedoor.relief.campaigns import set_items

    cw = make_campaign()
    set_items(cw.campaign, {stock.quilt: 2}, actor=stock.keeper)
    assert cw.campaign.items.get().quantity == 2
    _generate(cw)
    with pytest.raises(IllegalTransition, match="不能再修改"):
        set_items(cw.campaign, {stock.quilt: 1}, actor=stock.keeper)


def test_only_managers_create_and_generate(make_campaign, world):
    from onedoor.relief.campaigns import generate_roster

    cw = make_campaign()
    with pytest.raises(NotPermitted):
        generate_roster(cw.campaign, actor=world.user("clerk.wuxian"))
    with pytest.raises(NotPermitted):
        make_campaign(actor=world.user("leader"), name="另一活动")


def test_a_town_storekeeper_follows_the_district_campaign_but_does_not_run_it(make_campaign, town_keeper):
    from onedoor.relief.campaigns import close_campaign, generate_roster
    from onedoor.relief.models import Campaign

    cw = make_campaign()
    keeper = town_keeper("lianhua")
    assert Campaign.objects.visible_to(keeper).filter(pk=cw.campaign.pk).exists()
    assert not Campaign.objects.visible_to(keeper, "manage").filter(pk=cw.campaign.pk).exists()
    with pytest.raises(NotPermitted):
        generate_roster(cw.campaign, actor=keeper)
    _generate(cw)
    with pytest.raises(NotPermitted):
        close_campaign(cw.campaign, actor=keeper)


def test_a_town_without_a_team_issues_from_the_campaign_store_and_says_who_may(make_campaign, world, signature_url):
    from onedoor.relief.campaigns import deliver, image_from_data_url
    from onedoor.relief.models import Delivery

    cw = make_campaign(teams=[])  # no team for any town: deliveries issue from the campaign's store
    _generate(cw)
    entry = _entries(cw.campaign).get(person=cw.yang)
    with pytest.raises(NotPermitted, match="区救灾物资仓库（测试）.*指定发放队伍和出库点"):
        deliver(entry, actor=world.user("clerk.wuxian"),
                signature=image_from_data_url(signature_url, field="signature", name="sig"))
    assert not Delivery.objects.exists()
    # The district storekeeper may issue from the warehouse.
    delivery, _created = deliver(entry, actor=cw.stock.keeper,
                                 signature=image_from_data_url(signature_url, field="signature", name="sig"))
    assert delivery.store == cw.stock.warehouse
