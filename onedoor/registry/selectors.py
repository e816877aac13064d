"""Reads of the registry: search, and revealing a full ID number (the only unmasked read)."""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from onedoor.accounts.choices import Role
from onedoor.core.audit import log_access
from onedoor.core.choices import AccessAction
from onedoor.core.exceptions import NotPermitted
from onedoor.core.idnumber import normalize_id_number
from onedoor.core.scoping import in_subtree
from onedoor.core.text import looks_like_pinyin, normalize_name

from .models import CategoryAssignment, Person

# Roles that may see a full ID number (with a reason, logged). Leaders and others see it masked.
UNMASK_ROLES = frozenset({Role.WINDOW_CLERK, Role.DISPATCHER, Role.HANDLER, Role.ADMIN})
# Roles that may change the registry (pages and API alike); leaders, finance and storekeepers only read.
REGISTRY_WRITERS = frozenset({Role.WINDOW_CLERK, Role.DISPATCHER, Role.HANDLER, Role.SOCIAL_WORKER, Role.PATROL,
                              Role.ADMIN})
# Roles that may fold a duplicate record into another.
MERGERS = frozenset({Role.WINDOW_CLERK, Role.DISPATCHER, Role.ADMIN})


def may_change_registry(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.roles & REGISTRY_WRITERS)


def may_merge(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.roles & MERGERS)


def search_persons(user, query: str = "", *, area: str | None = None, category: str | None = None,
                   on: date | None = None, include_deceased: bool = False) -> QuerySet[Person]:
    """People the user may see matching a search box: an ID number (full or its last digits), a phone,
    a name in simplified or traditional characters, its pinyin or initials ("yq" finds 杨全)."""
    people = Person.objects.visible_to(user).filter(merged_into__isnull=True)
    if not include_deceased:
        people = people.alive(on)
    people = people.filter(_query_filter(query)) if query.strip() else people
    if area:
        people = people.filter(in_subtree("residence_area", area))
    if category:
        day = on or timezone.localdate()
        holders = CategoryAssignment.objects.filter(category__code=category).on(day)
        people = people.filter(Q(pk__in=holders.values("person_id"))
                               | Q(memberships__household_id__in=holders.values("household_id"),
                                   memberships__left_on__isnull=True)).distinct()
    return people.select_related("residence_area").order_by("name_simplified", "pk")


def _query_filter(query: str) -> Q:
    text = normalize_id_number(query)
    if re.fullmatch(r"\d{17}[\dX]", text):
        return Q(id_number=text)
    if re.fullmatch(r"\d{1,16}X?", text):
        by_id = Q(id_tail=text) if len(text) == 6 else Q(id_tail__endswith=text)
        return by_id | Q(phone__startswith=text) | Q(phone2__startswith=text) if len(text) >= 4 else by_id
    if looks_like_pinyin(query):
        lowered = re.sub(r"[\s']", "", query.lower())
        return Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    return Q(name_simplified__contains=normalize_name(query))


def may_unmask(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.roles & UNMASK_ROLES)


def reveal_id_number(*, actor, person: Person, reason: str) -> str:
    """The full ID number, for a user whose role allows it and who gives a reason; always logged."""
    if not may_unmask(actor):
        raise NotPermitted("您的角色不能查看完整证件号码。")
    if not reason.strip():
        raise NotPermitted("查看完整证件号码必须说明理由。")
    log_access(actor=actor, action=AccessAction.UNMASK, target=person, target_label=person.name, reason=reason)
    return person.id_number or person.temp_identifier or ""
