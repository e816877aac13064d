"""Home-page panels of the registry (each returns its template context, or None to hide)."""

from __future__ import annotations

from .models import Person

RECENT_COUNT = 5


def recent_people_panel(request) -> dict:
    """最近登记: the last people registered in the clerk's scope (one query)."""
    people = (Person.objects.visible_to(request.user).filter(merged_into__isnull=True)
              .select_related("residence_area").order_by("-created_at", "-pk")[:RECENT_COUNT])
    return {"people": list(people)}
