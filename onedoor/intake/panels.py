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

    if not request.user.has_role("window_clerk") or request.user.organisation_id is None:
        return None  # only means something at a window
    rows = todays_applications(request.user).prefetch_related(None)
    return {"count": rows.count(), "applications": list(rows[:PANEL_ROWS])}


def my_tasks_panel(request) -> dict | None:
    """Handler: open tasks assigned to me or unassigned in my department; how many overdue, due soon."""
    if not request.user.has_role("handler"):
        return None
    from onedoor.core.workdays import add_working_days

    from .views_tasks import DUE_SOON_WORKING_DAYS, my_queue, queue_counts

    today = timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS).date
    return queue_counts(my_queue(request.user), today, soon)


def overdue_by_department_panel(request) -> dict | None:
    """Dispatcher: overdue open tasks per department, worst first, and how many wait for a handler
    (one grouped query)."""
    if not request.user.has_role("dispatcher"):
        return None
    today = timezone.localdate()
    running = Q(state__in=OPEN_STATES) & ~Q(state=TaskState.RETURNED)
    rows = list(Task.objects.visible_to(request.user, "dispatch").filter(state__in=OPEN_STATES).order_by()
                .values("department__short_name")
                .annotate(n=Count("pk", filter=running & Q(due_date__lt=today)),
                          unassigned=Count("pk", filter=Q(handler__isnull=True))))
    overdue = sorted((row for row in rows if row["n"]), key=lambda row: (-row["n"], row["department__short_name"]))
    return {"rows": overdue[:8], "unassigned": sum(row["unassigned"] for row in rows)}
