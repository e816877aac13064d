"""The person page's 送温暖活动 section: the campaigns whose roster lists this person and the outcome."""

from __future__ import annotations

from typing import Any

from .models import RosterEntry


def campaigns_for_person(request: Any, person: Any) -> dict | None:
    """One query: the person's roster entries the viewer may see, newest campaign first."""
    entries = list(RosterEntry.objects.visible_to(request.user).filter(person=person)
                   .select_related("campaign", "category", "delivery").order_by("-campaign__starts_on", "-pk")[:20])
    if not entries:
        return None
    return {"entries": entries}
