"""The person page's section 待遇享受: the benefits the person receives, or receives as a member of a
household benefit, that the viewer may see (two queries)."""

from __future__ import annotations

from django.db.models import Q

from onedoor.core.scoping import is_admin

from .models import BENEFIT_ROLES, Enrollment

SECTION_ROWS = 20


def enrollments_for_person(request, person) -> dict | None:
    user = request.user
    if not (is_admin(user) or user.has_role(*BENEFIT_ROLES)):
        return None
    households = person.memberships.filter(left_on__isnull=True).values("household_id")
    rows = (Enrollment.objects.visible_to(user).filter(Q(person=person) | Q(household_id__in=households))
            .select_related("policy", "person", "household").order_by("-start_month", "-pk"))
    return {"enrollments": list(rows[:SECTION_ROWS]), "limit": SECTION_ROWS}
