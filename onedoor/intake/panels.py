"""Home-page panels of intake, one per role (each returns its template context, or None to hide)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .choices import OPEN_STATES, TaskState
from .models import Task

PANEL_ROWS = 5


def todays_applications_panel(request) -> dict | None:
    """窗口 clerk: what the window took today (count and the latest few)."""
    from .views_window import todays_applications

    if request.user.organisation_id is None:
        return None
    rows = todays_applications(request.user)
    return {"count": rows.count(), "applications": list(rows[:PANEL_ROWS])}


def my_tasks_panel(request) -> dict:
    """Handler: open tasks assigned to me or unassigned in my department; how many overdue, due soon."""
    from onedoor.core.workdays import add_working_days

    from .views_tasks import DUE_SOON_WORKING_DAYS, my_queue, queue_counts

    today = timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS).date
    return queue_counts(my_queue(request.user), today, soon)


def overdue_by_department_panel(request) -> dict:
    """Dispatcher: overdue open tasks per department, worst first."""
    today = timezone.localdate()
    rows = (Task.objects.visible_to(request.user, "dispatch")
            .filter(state__in=OPEN_STATES, due_date__lt=today).exclude(state=TaskState.RETURNED)
            .values("department__short_name").annotate(n=Count("pk")).order_by("-n", "department__short_name"))
    unassigned = Task.objects.visible_to(request.user, "dispatch").aggregate(
        n=Count("pk", filter=Q(state__in=OPEN_STATES, handler__isnull=True)))["n"]
    return {"rows": list(rows[:8]), "unassigned": unassigned}
