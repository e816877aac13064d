"""Reads of the catalogue: the search behind the staff list, the API and the public guide."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from django.db.models import Prefetch, Q, QuerySet

from onedoor.accounts.models import Organisation
from onedoor.core.text import looks_like_pinyin, pinyin_full, pinyin_initials, to_simplified

from .choices import LifeSituation, PolicyKind
from .models import Policy, Responsibility

MAX_QUERY = 60


@lru_cache(maxsize=4096)
def _pinyin_forms(name: str, keywords: str) -> tuple[str, ...]:
    words = [name, *keywords.split()]
    return tuple(form for word in words for form in (pinyin_full(word), pinyin_initials(word)))


def _pinyin_matches(term: str) -> list[int]:
    """Policies whose name or a keyword reads like `term` in pinyin ("dibao") or initials ("gzf" for
    公租房): the catalogue is small (about 70 rows), so the names are read once and compared here."""
    wanted = re.sub(r"[\s']+", "", term.lower())
    return [pk for pk, name, keywords in Policy.objects.values_list("pk", "name", "keywords")
            if any(wanted in form for form in _pinyin_forms(name, keywords))]


def search_policies(query: str = "", *, department: Organisation | int | None = None, kind: str = "",
                    situation: str = "", active_only: bool = True) -> QuerySet[Policy]:
    """Policies matching every word of `query` (name, keywords or code; a Latin-letters query also by
    the name's pinyin or initials), filtered by department, kind and life situation."""
    policies = Policy.objects.select_related("department")
    if active_only:
        policies = policies.filter(is_active=True)
    query = to_simplified(query.strip()[:MAX_QUERY])
    if query and looks_like_pinyin(query):
        by_text = Q(name__icontains=query) | Q(keywords__icontains=query) | Q(code__icontains=query)
        policies = policies.filter(by_text | Q(pk__in=_pinyin_matches(query)))
    else:
        for term in query.split():
            policies = policies.filter(Q(name__icontains=term) | Q(keywords__icontains=term)
                                       | Q(code__icontains=term))
    if department:
        policies = policies.filter(department=department)
    if kind in PolicyKind.values:
        policies = policies.filter(kind=kind)
    if situation in LifeSituation.values:
        # The list is stored as JSON text: match the quoted code (codes never contain one another quoted).
        policies = policies.filter(life_situations__icontains=f'"{situation}"')
    return policies.order_by("order", "code")


def lines_in_force(on: date) -> Prefetch:
    """Prefetch of each policy's responsibility lines in force on a day, as `lines_in_force`."""
    lines = (Responsibility.objects.in_force(on).select_related("area", "department", "handler")
             .prefetch_related("pool").order_by("area_id", "-valid_from"))
    return Prefetch("responsibilities", queryset=lines, to_attr="lines_in_force")


def handling_departments() -> QuerySet[Organisation]:
    """Organisations that some policy names as its department (for filters)."""
    return Organisation.objects.filter(policies__isnull=False).distinct().order_by("kind", "name")
