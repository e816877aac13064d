"""Reads of the registry: search, and revealing a full ID number (the only unmasked read)."""

from __future__ import annotations

import re
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce
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
    the beginning of a name in simplified or traditional characters, of its pinyin or of its initials
    ("yq" finds 杨全). Every kind of query is answered from an index (docs/subsystems/registry.md)."""
    people = Person.objects.visible_to(user).filter(merged_into__isnull=True)
    if not include_deceased:
        people = people.alive(on)
    searching = bool(query.strip())
    if searching:
        match = _query_filter(query)
        if connection.vendor == "sqlite":
            # SQLite (no range statistics) would drive the query from the scope's residence_area range and
            # read every person in it; as `id IN (subquery)` it reads the few matches from their indexes.
            match = Q(pk__in=Person.objects.filter(match).values("pk"))
        people = people.filter(match)
    if area:
        people = people.filter(in_subtree("residence_area", area))
    if category:
        day = on or timezone.localdate()
        holders = CategoryAssignment.objects.filter(category__code=category).on(day)
        people = people.filter(Q(pk__in=holders.values("person_id"))
                               | Q(memberships__household_id__in=holders.values("household_id"),
                                   memberships__left_on__isnull=True)).distinct()
    people = people.select_related("residence_area")
    if searching or category:
        # Sort the (few) matches by name, rather than walk the name index in order: PostgreSQL would
        # otherwise read the name index from 安 onwards hoping to meet 50 matches early, ~0.4 s on a
        # million people when they sort late (王…). Coalesce keeps the planner off that index.
        return people.order_by(Coalesce("name_simplified", Value("")).asc(), "pk")
    # Everyone in scope: by village, then name — the order of the (residence_area, name) index, so the first
    # page is read from it directly on either database instead of sorting a town (or the district).
    return people.order_by("residence_area_id", "name_simplified", "pk")


def _prefix(field: str, text: str) -> Q:
    """Values of `field` that begin with `text`, in a form an index serves on either database. PostgreSQL
    answers LIKE 'x%' from the index (C collation, or the varchar_pattern_ops index Django adds);
    SQLite's case-insensitive LIKE never uses an index, so there the same set is also given as a range of
    code points (SQLite compares text bytewise, which for UTF-8 is code-point order)."""
    condition = Q(**{f"{field}__startswith": text})
    if connection.vendor == "sqlite" and text:
        condition &= Q(**{f"{field}__gte": text, f"{field}__lt": text[:-1] + chr(ord(text[-1]) + 1)})
    return condition


def _id_tail_ends_with(digits: str) -> Q:
    """ID numbers ending with 3 to 6 given characters, as an IN list on the indexed last-six column
    (at most 1,000 values): an index lookup instead of a scan for LIKE '%1234'."""
    free = 6 - len(digits)
    return Q(id_tail__in=[f"{n:0{free}d}{digits}" if free else digits for n in range(10 ** free)])


def _query_filter(query: str) -> Q:
    text = normalize_id_number(query)
    if re.fullmatch(r"\d{17}[\dX]", text):
        return Q(id_number=text)
    if re.fullmatch(r"\d{1,16}X?", text):
        if len(text) > 6:  # the last 7 to 16 characters: the indexed last six narrow it, then the rest
            by_id = Q(id_tail=text[-6:], id_number__endswith=text)
        elif len(text) >= 3:
            by_id = _id_tail_ends_with(text)
        else:  # one or two characters say almost nothing; still answered, by a scan of the last six
            by_id = Q(id_tail__endswith=text)
        if len(text) >= 4 and not text.endswith("X"):
            return by_id | _prefix("phone", text) | _prefix("phone2", text)
        return by_id
    if looks_like_pinyin(query):
        lowered = re.sub(r"[\s']", "", query.lower())
        return _prefix("name_initials", lowered) | _prefix("name_pinyin", lowered)
    return _prefix("name_simplified", normalize_name(query))


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
