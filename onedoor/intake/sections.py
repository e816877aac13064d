"""The person page's section 申请记录: the person's applications the viewer may see, with their tasks."""

from __future__ import annotations

from django.db.models import Prefetch

from onedoor.core.scoping import is_admin

from .models import INTAKE_ROLES, Application, Task
from .views import WINDOW_ROLES

SECTION_ROWS = 20


def applications_for_person(request, person) -> dict | None:
    user = request.user
    if not (is_admin(user) or user.has_role(*INTAKE_ROLES)):
        return None
    rows = (Application.objects.visible_to(user).filter(applicant=person).select_related("window")
            .prefetch_related(Prefetch("tasks", queryset=Task.objects.visible_to(user).select_related("policy")
                                       .order_by("pk"), to_attr="shown_tasks"))
            .order_by("-submitted_at", "-pk"))
    alive = person.death_date is None and person.merged_into_id is None
    return {"applications": list(rows[:SECTION_ROWS]), "limit": SECTION_ROWS,
            "may_apply": alive and (is_admin(user) or user.has_role(*WINDOW_ROLES))}
