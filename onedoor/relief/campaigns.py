"""Warmth campaigns (防寒送温暖): create a campaign, freeze its roster from the registry, add a target
afterwards with a reason, record each target's outcome, deliver goods in the field (once per
idempotency key), close the campaign. Every change of a campaign or a roster entry goes through here.

A delivery, in one transaction: locks the roster entry, writes the Delivery and a DeliveryLine per
item, issues each item from the team's store through `actions.issue_stock` (the stock ledger, which
refuses to go below zero) and records it in the assistance ledger (`ledger.actions.record_assistance`,
once per line). A retry carrying the same idempotency key returns the first delivery unchanged.

Roster generation is set-based: one `INSERT … SELECT` per category (in the categories' order, so an
entry names the first category it matched), skipping people already on the roster. See
docs/subsystems/relief-campaigns.md.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError, IllegalTransition, NotPermitted
from onedoor.core.scoping import is_admin, subtree_bounds

from . import actions
from .choices import ENTRY_TRANSITIONS, CampaignStatus, CampaignTarget, EntryStatus, Purpose
from .models import (
    Campaign,
    CampaignEvent,
    CampaignItem,
    CampaignTeam,
    Delivery,
    DeliveryLine,
    Item,
    RosterEntry,
    Store,
)

# The largest signature or photo accepted from a phone (a signature PNG is typically 10–40 KB).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = {"image/png": ("png", b"\x89PNG\r\n\x1a\n"), "image/jpeg": ("jpg", b"\xff\xd8\xff")}


class AlreadyDelivered(Conflict):
    code = "already_delivered"


# --- checks ------------------------------------------------------------------------------------

def _check_may_manage(actor: Any, campaign: Campaign | None = None) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotPermitted("请先登录。")
    if is_admin(actor):
        return
    if campaign is None:
        allowed = any(grant.role in ("storekeeper", "dispatcher") for grant in actor.active_grants())
    else:
        allowed = Campaign.objects.visible_to(actor, "manage").filter(pk=campaign.pk).exists()
    if not allowed:
        raise NotPermitted("您不能管理送温暖活动。")


def _check_may_deliver(actor: Any, entry: RosterEntry) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotPermitted("请先登录。")
    if not RosterEntry.objects.visible_to(actor, "deliver").filter(pk=entry.pk).exists():
        raise NotPermitted(f"您不能为“{entry.area.name}”的对象登记发放。")


def _event(campaign: Campaign, code: str, *, actor: Any, entry: RosterEntry | None = None, note: str = "",
           data: dict | None = None, from_status: str = "", to_status: str = "") -> CampaignEvent:
    return CampaignEvent.objects.create(campaign=campaign, entry=entry, code=code, note=note, data=data or {},
                                        actor=actor if getattr(actor, "pk", None) else None,
                                        from_status=from_status, to_status=to_status)


# --- the campaign --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TeamSpec:
    """The team for one town: where its deliveries are issued from, and who to call."""

    town: Any
    store: Store
    organisation: Any = None
    leader: str = ""
    phone: str = ""


def _check_items(items: Mapping[Item, int]) -> None:
    if not items:
        raise DomainError("请至少选择一种发放物资。", code="items_required", details={"field": "items"})
    for item, quantity in items.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise DomainError(f"“{item}”的每人（户）数量须为正整数。", code="invalid_quantity",
                              details={"field": "items"})


@transaction.atomic
def create_campaign(*, actor: Any, name: str, organisation: Any, area: Any, starts_on: date, ends_on: date,
                    categories: Iterable[Any], items: Mapping[Item, int], store: Store,
                    target: str = CampaignTarget.PERSONS, teams: Iterable[TeamSpec] = (), note: str = "") -> Campaign:
    """A campaign in draft: who it reaches, what each target gets, from which stores."""
    _check_may_manage(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写活动名称。", code="name_required", details={"field": "name"})
    if Campaign.objects.filter(name=name).exists():
        raise DomainError(f"已有名为“{name}”的活动。", code="duplicate_name", details={"field": "name"})
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期。", code="period_reversed", details={"field": "ends_on"})
    categories = list(categories)
    if not categories:
        raise DomainError("请至少选择一个对象类别。", code="categories_required", details={"field": "categories"})
    if target not in CampaignTarget.values:
        raise DomainError("发放对象应为按人或按户。", code="invalid_target", details={"field": "target"})
    _check_items(items)
    if store.is_supplier:
        raise DomainError("供应商储备须先调运入库，不能作为出库点。", code="use_call_off", details={"field": "store"})
    campaign = Campaign.objects.create(name=name, organisation=organisation, area=area, starts_on=starts_on,
                                       ends_on=ends_on, target=target, store=store, note=note, created_by=actor)
    campaign.categories.set(categories)
    CampaignItem.objects.bulk_create(CampaignItem(campaign=campaign, item=item, quantity=quantity)
                                     for item, quantity in items.items())
    for team in teams:
        set_team(campaign, team, actor=actor)
    _event(campaign, "created", actor=actor, data={"items": {item.code: q for item, q in items.items()}})
    return campaign


@transaction.atomic
def set_items(campaign: Campaign, items: Mapping[Item, int], *, actor: Any) -> None:
    """Change what each target gets — only before the roster is frozen (afterwards the sign-off sheets
    and the stock plan already count on it)."""
    _check_may_manage(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.roster_frozen:
        raise IllegalTransition("名单已生成，不能再修改发放物资。", details={"status": campaign.status})
    _check_items(items)
    campaign.items.all().delete()
    CampaignItem.objects.bulk_create(CampaignItem(campaign=campaign, item=item, quantity=quantity)
                                     for item, quantity in items.items())
    _event(campaign, "items_changed", actor=actor, data={"items": {item.code: q for item, q in items.items()}})


@transaction.atomic
def set_team(campaign: Campaign, team: TeamSpec, *, actor: Any) -> CampaignTeam:
    """Name (or change) the team and store for one town; later deliveries there issue from its store."""
    _check_may_manage(actor, campaign)
    if team.store.is_supplier:
        raise DomainError("供应商储备须先调运入库，不能作为出库点。", code="use_call_off", details={"field": "store"})
    row, _created = CampaignTeam.objects.update_or_create(
        campaign=campaign, town=team.town,
        defaults={"store": team.store, "organisation": team.organisation, "leader": team.leader,
                  "phone": team.phone})
    _event(campaign, "team_set", actor=actor, data={"town": team.town.pk, "store": team.store.pk})
    return row


@transaction.atomic
def close_campaign(campaign: Campaign, *, actor: Any, note: str = "") -> Campaign:
    _check_may_manage(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.ACTIVE:
        raise IllegalTransition(f"活动“{campaign}”当前为“{campaign.get_status_display()}”，不能结束。",
                                details={"status": campaign.status, "allowed": []})
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    attribute_to(campaign, actor).save(update_fields=["status", "closed_at"])
    _event(campaign, "closed", actor=actor, note=note)
    return campaign


# --- the roster ------------------------------------------------------------------------------------

def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _roster_sql(*, household_category: bool, by_household: bool) -> str:
    """The INSERT … SELECT for one category. Parameters: campaign, category, day (×n), area bounds.

    The candidate rows (person, household, area, address) come from the category's active
    assignments on the day; a household category reaches the household's head; in a household
    campaign a person category reaches the head of the person's current household (or the person
    alone). GROUP BY the target keeps one row when two members of a household both qualify."""
    from onedoor.geo.models import Area
    from onedoor.registry.models import CategoryAssignment, Household, HouseholdMember, Person

    ca, person, household, member, area = (_table(CategoryAssignment), _table(Person), _table(Household),
                                           _table(HouseholdMember), _table(Area))
    alive = "({p}.death_date IS NULL OR {p}.death_date > %(day)s) AND {p}.merged_into_id IS NULL"
    if household_category:
        candidates = f"""
            SELECT h.head_id AS person_id, h.id AS household_id,
                   COALESCE(h.residence_area_id, hp.residence_area_id, a.area_id) AS area_id,
                   COALESCE(NULLIF(h.address, ''), hp.address) AS address
              FROM {ca} a
              JOIN {household} h ON h.id = a.household_id
              JOIN {person} hp ON hp.id = h.head_id
             WHERE a.category_id = %(category)s AND a.valid_from <= %(day)s
               AND (a.valid_to IS NULL OR a.valid_to > %(day)s)
               AND (h.dissolved_on IS NULL OR h.dissolved_on > %(day)s)
               AND {alive.format(p="hp")}"""
    else:
        current_household = f"""(SELECT m.household_id FROM {member} m
                                  WHERE m.person_id = p.id AND m.joined_on <= %(day)s
                                    AND (m.left_on IS NULL OR m.left_on > %(day)s)
                                  ORDER BY m.joined_on DESC, m.id DESC LIMIT 1)"""
        if by_household:
            target = f"COALESCE((SELECT h.head_id FROM {household} h WHERE h.id = {current_household}), p.id)"
        else:
            target = "p.id"
        candidates = f"""
            SELECT {target} AS person_id, {current_household} AS household_id,
                   COALESCE(p.residence_area_id, a.area_id) AS area_id, p.address AS address
              FROM {ca} a
              JOIN {person} p ON p.id = a.person_id
             WHERE a.category_id = %(category)s AND a.valid_from <= %(day)s
               AND (a.valid_to IS NULL OR a.valid_to > %(day)s)
               AND {alive.format(p="p")}"""
    entry = _table(RosterEntry)
    return f"""
        INSERT INTO {entry} (campaign_id, person_id, household_id, category_id, area_id, town_id, address,
                             status, status_note, added_reason, created_at)
        SELECT %(campaign)s, c.person_id, MIN(c.household_id), %(category)s, MIN(c.area_id),
               COALESCE(MIN(tw.code), MIN(c.area_id)), COALESCE(MIN(c.address), ''),
               %(pending)s, '', '', %(now)s
          FROM ({candidates}) c
          LEFT JOIN {area} tw ON tw.code = SUBSTR(c.area_id, 1, 9) || '000'
         WHERE c.area_id >= %(low)s AND c.area_id <= %(high)s
           AND NOT EXISTS (SELECT 1 FROM {entry} e WHERE e.campaign_id = %(campaign)s AND e.person_id = c.person_id)
         GROUP BY c.person_id"""


@transaction.atomic
def generate_roster(campaign: Campaign, *, actor: Any, on: date | None = None) -> int:
    """Freeze the roster: everyone in the campaign's categories within its area on `on` (default
    today), alive, once each. Returns the number of entries. Only once per campaign."""
    _check_may_manage(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.roster_frozen:
        raise IllegalTransition(f"活动“{campaign}”的名单已于 {timezone.localtime(campaign.roster_frozen_at):%Y-%m-%d %H:%M} "
                                f"生成，不能重新生成；新增对象请用“补充对象”并写明原因。",
                                details={"status": campaign.status})
    day = on or timezone.localdate()
    low, high = subtree_bounds(campaign.area_id)
    by_household = campaign.target == CampaignTarget.HOUSEHOLDS
    params = {"campaign": campaign.pk, "day": day, "low": low, "high": high, "pending": EntryStatus.PENDING,
              "now": timezone.now()}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # With the default random_page_cost (4, priced for spinning disks) PostgreSQL reads the whole
            # person table rather than look up the ~2% who are targets by primary key; on SSD storage the
            # lookups are 3–4× faster. Only for this transaction (SET LOCAL).
            cursor.execute("SET LOCAL random_page_cost = 1.1")
        for category in campaign.categories.order_by("order", "pk"):
            sql = _roster_sql(household_category=category.subject == "household", by_household=by_household)
            cursor.execute(sql, {**params, "category": category.pk})
    size = RosterEntry.objects.filter(campaign=campaign).count()
    campaign.status = CampaignStatus.ACTIVE
    campaign.roster_on = day
    campaign.roster_frozen_at = timezone.now()
    campaign.roster_size = size
    attribute_to(campaign, actor).save(update_fields=["status", "roster_on", "roster_frozen_at", "roster_size"])
    _event(campaign, "roster_generated", actor=actor, data={"size": size, "on": day.isoformat()})
    return size


@transaction.atomic
def add_to_roster(campaign: Campaign, *, person: Any, reason: str, actor: Any, category: Any = None) -> RosterEntry:
    """Add someone to a frozen roster (newly in a category, missed by the registry) with the reason."""
    _check_may_manage(actor, campaign)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("补充对象须写明原因。", code="reason_required", details={"field": "reason"})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.roster_frozen:
        raise IllegalTransition("名单尚未生成；请先生成名单。", details={"status": campaign.status})
    if campaign.status == CampaignStatus.CLOSED:
        raise IllegalTransition("活动已结束，不能再补充对象。", details={"status": campaign.status})
    person = type(person).objects.get(pk=person.pk)  # the death date as recorded now, not as the caller saw it
    if person.death_date is not None:
        raise DomainError(f"{person.name}已于 {person.death_date:%Y-%m-%d} 去世，不能列入名单。", code="deceased")
    if RosterEntry.objects.filter(campaign=campaign, person=person).exists():
        raise Conflict(f"{person.name}已在本次活动名单中。", code="already_on_roster")
    area = person.residence_area or person.hukou_area
    if area is None:
        raise DomainError(f"{person.name}没有登记居住地，不能列入名单。", code="area_required", details={"field": "person"})
    low, high = subtree_bounds(campaign.area_id)
    if not (low <= area.pk <= high):
        raise DomainError(f"{person.name}不在本次活动的覆盖区划内。", code="outside_area", details={"field": "person"})
    if category is None:
        category = campaign.categories.order_by("order", "pk").first()
    town_code = area.pk[:9] + "000"
    from onedoor.geo.models import Area

    town = Area.objects.filter(pk=town_code).first() or area
    membership = person.memberships.filter(left_on__isnull=True).order_by("-joined_on").first()
    entry = RosterEntry.objects.create(
        campaign=campaign, person=person, household=membership.household if membership else None,
        category=category, area=area, town=town, address=person.address, added_reason=reason,
        status_at=timezone.now(), status_by=actor)
    _event(campaign, "entry_added", actor=actor, entry=entry, note=reason, to_status=EntryStatus.PENDING)
    return entry


def _move_entry(entry: RosterEntry, to: str, *, actor: Any, note: str = "") -> None:
    allowed = ENTRY_TRANSITIONS[EntryStatus(entry.status)]
    if to not in allowed:
        names = "、".join(str(EntryStatus(s).label) for s in allowed) or "无"
        raise IllegalTransition(
            f"{entry.person.name}当前为“{entry.get_status_display()}”，不能改为“{EntryStatus(to).label}”"
            f"（可改为：{names}）。", details={"status": entry.status, "allowed": [str(s) for s in allowed]})
    previous = entry.status
    entry.status = to
    entry.status_at = timezone.now()
    entry.status_by = actor if getattr(actor, "pk", None) else None
    entry.status_note = note[:200]
    entry.save(update_fields=["status", "status_at", "status_by", "status_note"])
    _event(entry.campaign, "status_changed", actor=actor, entry=entry, note=note, from_status=previous, to_status=to)


NOTE_REQUIRED = (EntryStatus.REFUSED, EntryStatus.UNREACHABLE, EntryStatus.MOVED, EntryStatus.DECEASED)


@transaction.atomic
def set_entry_status(entry: RosterEntry, status: str, *, actor: Any, note: str = "") -> RosterEntry:
    """Record an outcome other than a delivery: refused, unreachable, moved, deceased — or back to
    pending for another try. Delivered is only reached through `deliver`."""
    if status not in EntryStatus.values:
        raise DomainError("未知的状态。", code="invalid_status", details={"field": "status"})
    if status == EntryStatus.DELIVERED:
        raise DomainError("送达请登记发放（数量和签名）。", code="use_deliver", details={"field": "status"})
    _check_may_deliver(actor, entry)
    note = (note or "").strip()
    if status in NOTE_REQUIRED and not note:
        raise DomainError(f"标记为“{EntryStatus(status).label}”须写明情况。", code="note_required",
                          details={"field": "note"})
    entry = RosterEntry.objects.select_for_update(of=("self",)).select_related("campaign", "person").get(pk=entry.pk)
    if entry.campaign.status != CampaignStatus.ACTIVE:
        raise IllegalTransition("活动不在发放中。", details={"status": entry.campaign.status})
    _move_entry(entry, status, actor=actor, note=note)
    return entry


def mark_deceased(person: Any, *, actor: Any = None) -> int:
    """The registry recorded a death: every open entry of that person in an active campaign becomes
    deceased (from the date of death). Returns how many entries changed."""
    changed = 0
    open_entries = (RosterEntry.objects.select_for_update(of=("self",)).select_related("campaign", "person")
                    .filter(person=person, campaign__status=CampaignStatus.ACTIVE,
                            status__in=(EntryStatus.PENDING, EntryStatus.UNREACHABLE, EntryStatus.REFUSED,
                                        EntryStatus.MOVED)))
    with transaction.atomic():
        for entry in open_entries:
            if EntryStatus.DECEASED not in ENTRY_TRANSITIONS[EntryStatus(entry.status)]:
                entry.status = EntryStatus.PENDING  # refused/moved → via pending: the person is gone either way
            _move_entry(entry, EntryStatus.DECEASED, actor=actor,
                        note=f"登记死亡日期 {person.death_date:%Y-%m-%d}")
            changed += 1
    return changed


def end_entries_at_death(sender: Any, person: Any, actor: Any = None, **kwargs: Any) -> None:
    """Receiver of `registry.signals.person_died`."""
    mark_deceased(person, actor=actor)


# --- delivery ------------------------------------------------------------------------------------

def store_for(entry: RosterEntry) -> Store:
    """The store a delivery to this entry is issued from: the town team's, else the campaign's."""
    team = CampaignTeam.objects.select_related("store").filter(campaign_id=entry.campaign_id,
                                                                town_id=entry.town_id).first()
    return team.store if team else entry.campaign.store


_DATA_URL = re.compile(r"^data:(?P<type>image/(?:png|jpeg));base64,(?P<data>[A-Za-z0-9+/=\s]+)$")


def image_from_data_url(value: str, *, field: str, name: str) -> ContentFile:
    """A signature drawn on the phone arrives as `data:image/png;base64,…`: decode and check it."""
    match = _DATA_URL.match(value or "")
    if not match:
        raise DomainError("签名应为 PNG 或 JPEG 图片（data URL）。", code="invalid_image", details={"field": field})
    try:
        raw = base64.b64decode(re.sub(r"\s", "", match["data"]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError("签名图片数据已损坏，请重新签名。", code="invalid_image", details={"field": field}) from exc
    return image_file(raw, content_type=match["type"], field=field, name=name)


def image_file(raw: bytes, *, content_type: str, field: str, name: str) -> ContentFile:
    extension, magic = IMAGE_TYPES.get(content_type, (None, None))
    if extension is None or not raw.startswith(magic):
        raise DomainError("图片应为 PNG 或 JPEG 格式。", code="invalid_image", details={"field": field})
    if len(raw) > MAX_IMAGE_BYTES:
        raise DomainError("图片过大（不超过 2 MB）。", code="image_too_large", details={"field": field})
    if len(raw) < 64:
        raise DomainError("签名为空，请在框内签名。", code="empty_image", details={"field": field})
    return ContentFile(raw, name=f"{name}.{extension}")


def _planned(entry: RosterEntry, quantities: Mapping[Item, int] | None) -> dict[Item, int]:
    planned = {line.item: line.quantity for line in entry.campaign.items.select_related("item")}
    if quantities is None:
        return planned
    by_code = {item.code: (item, q) for item, q in planned.items()}
    chosen: dict[Item, int] = {}
    for item, quantity in quantities.items():
        if item.code not in by_code:
            raise DomainError(f"本次活动不发放“{item}”。", code="item_not_in_campaign", details={"field": "items"})
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise DomainError(f"“{item}”的数量须为不小于 0 的整数。", code="invalid_quantity",
                              details={"field": "items"})
        most = by_code[item.code][1]
        if quantity > most:
            raise DomainError(f"“{item}”每人（户）最多发放 {most}{item.unit}。", code="over_plan",
                              details={"field": "items"})
        if quantity:
            chosen[by_code[item.code][0]] = quantity
    if not chosen:
        raise DomainError("请至少填写一种物资的发放数量。", code="items_required", details={"field": "items"})
    return chosen


def _existing_for_key(key: str, entry: RosterEntry) -> Delivery | None:
    existing = Delivery.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.entry_id != entry.pk:
        raise Conflict("这个提交编号已用于另一位对象的发放，请刷新页面后重试。", code="idempotency_key_reused",
                       details={"entry": existing.entry_id})
    return existing


def deliver(entry: RosterEntry, *, actor: Any, quantities: Mapping[Item, int] | None = None,
            signature: ContentFile | None = None, signed_sheet: ContentFile | None = None,
            photo: ContentFile | None = None, recipient_name: str = "", note: str = "",
            idempotency_key: str | None = None, on: date | None = None) -> tuple[Delivery, bool]:
    """Hand a target their goods. Returns (delivery, created): a retry with the same idempotency key
    returns the first delivery and False, and issues nothing."""
    entry = RosterEntry.objects.select_related("campaign", "person", "area").get(pk=entry.pk)
    _check_may_deliver(actor, entry)
    key = (idempotency_key or "").strip() or None
    if key is not None:
        if len(key) > 64:
            raise DomainError("提交编号过长（不超过 64 个字符）。", code="invalid_idempotency_key",
                              details={"field": "idempotency_key"})
        existing = _existing_for_key(key, entry)
        if existing is not None:
            return existing, False
    if entry.person.death_date is not None:
        with transaction.atomic():
            mark_deceased(entry.person, actor=actor)
        raise DomainError(f"{entry.person.name}已于 {entry.person.death_date:%Y-%m-%d} 去世，不能发放；"
                          f"名单已标记为已故。", code="deceased")
    if signature is None and signed_sheet is None:
        raise DomainError("请让对象在屏幕上签名，或拍下签收单。", code="proof_required", details={"field": "signature"})
    try:
        with transaction.atomic():
            return _deliver(entry, actor=actor, quantities=quantities, signature=signature,
                            signed_sheet=signed_sheet, photo=photo, recipient_name=recipient_name, note=note,
                            key=key, on=on or timezone.localdate())
    except IntegrityError:
        # A concurrent request with the same key (a double tap, a retry racing the original) won.
        if key is not None:
            existing = _existing_for_key(key, entry)
            if existing is not None:
                return existing, False
        raise


def _deliver(entry: RosterEntry, *, actor: Any, quantities: Mapping[Item, int] | None, signature: ContentFile | None,
             signed_sheet: ContentFile | None, photo: ContentFile | None, recipient_name: str, note: str,
             key: str | None, on: date) -> tuple[Delivery, bool]:
    from onedoor.ledger.actions import record_assistance

    entry = (RosterEntry.objects.select_for_update(of=("self",))
             .select_related("campaign", "person", "household", "area", "town").get(pk=entry.pk))
    if key is not None:
        # The same submission may have been committed while this one waited for the entry's lock.
        existing = _existing_for_key(key, entry)
        if existing is not None:
            return existing, False
    campaign = entry.campaign
    if campaign.status != CampaignStatus.ACTIVE:
        raise IllegalTransition(f"活动“{campaign}”{campaign.get_status_display()}，不能登记发放。",
                                details={"status": campaign.status})
    if entry.status == EntryStatus.DELIVERED:
        done = Delivery.objects.select_related("actor").filter(entry=entry).first()
        when = f"已于 {done.delivered_on:%Y-%m-%d} 由{done.actor}送达" if done else "已送达"
        raise AlreadyDelivered(f"{entry.person.name}{when}，不能重复发放。", details={"status": entry.status})
    plan = _planned(entry, quantities)
    store = store_for(entry)
    if not actions.may_issue_from(actor, store):
        raise NotPermitted(f"本次发放从“{store}”出库，您无权从该处发放物资；请活动负责人为{entry.town.name}"
                           f"指定发放队伍和出库点。")
    delivery = Delivery(entry=entry, idempotency_key=key, store=store, delivered_on=on,
                        recipient_name=(recipient_name or "").strip()[:60], note=(note or "").strip()[:200],
                        actor=actor)
    stem = uuid.uuid4().hex
    if signature is not None:
        delivery.signature.save(f"{stem}-{signature.name}", signature, save=False)
    if signed_sheet is not None:
        delivery.signed_sheet.save(f"{stem}-{signed_sheet.name}", signed_sheet, save=False)
    if photo is not None:
        delivery.photo.save(f"{stem}-{photo.name}", photo, save=False)
    delivery.save()
    for item, quantity in plan.items():
        line = DeliveryLine.objects.create(delivery=delivery, item=item, quantity=quantity)
        line.move = actions.issue_stock(actor=actor, store=store, item=item, quantity=quantity,
                                        purpose=Purpose.CAMPAIGN, source=line, note=str(campaign))
        line.save(update_fields=["move"])
        record_assistance(person=entry.person, household=entry.household, area=entry.area, on=on,
                          department=campaign.organisation, kind="in_kind", source=line,
                          programme=campaign.name, quantity=quantity, unit=item.unit, actor=actor)
    _move_entry(entry, EntryStatus.DELIVERED, actor=actor, note=delivery.note)
    return delivery, True
