"""The person page's section 可能符合的政策 (政策找人): the policies the registry's facts suggest, with
the reasons. The registry page has already fetched the person through `get_visible_or_404`, so another
town's person never reaches this function."""

from __future__ import annotations

from django.utils import timezone

from .eligibility import LIKELY, POSSIBLE, suggest_for_person


def suggestions_section(request, person) -> dict | None:
    """Likely policies, and possible ones where at least one rule matched; the rest only counted.
    A deceased or merged record gets no section."""
    if person.death_date is not None or person.merged_into_id is not None:
        return None
    today = timezone.localdate()
    suggestions = suggest_for_person(person, today)
    shown = [s for s in suggestions if s.verdict == LIKELY or (s.verdict == POSSIBLE and s.met_count)]
    return {"on": today, "shown": shown, "other_count": len(suggestions) - len(shown)}
