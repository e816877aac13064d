"""The dispatcher's 调度台: unassigned tasks by department (assign them here), overdue and due-soon lists,
and each department's on-time rate with a small chart. Every list reads
`Task.objects.visible_to(user, "dispatch")` and is cut to a fixed length, so the page costs a fixed
number of queries whatever the number of tasks."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onedoor.accounts.models import RoleAssignment, User
from onedoor.core.workdays import add_working_days

from . import selectors
from .choices import OPEN_STATES, TaskState
from .models import Task
from .views import DISPATCH_ROLES, require_role
from .views_tasks import DUE_SOON_WORKING_DAYS, with_deadlines

LIST_LIMIT = 50
RATE_DAYS = 90


def on_time_rates(user, visible, since: date, today: date) -> list[dict]:
    """Per department: decisions since `since` and the share made by the due date
    (selectors.on_time_rate_by_department), with the open and overdue tasks it holds now."""
    running = Q(state__in=OPEN_STATES) & ~Q(state=TaskState.RETURNED)
    now = {row["department_id"]: row for row in visible.filter(state__in=OPEN_STATES).order_by()
           .values("department_id", "department__short_name")
           .annotate(open=Count("pk"), overdue=Count("pk", filter=running & Q(due_date__lt=today)))}
    table = []
    for rate in selectors.on_time_rate_by_department(user, since, today):
        department = rate.department
        current = now.pop(department.pk, {})
        table.append({"department": department.short_name or department.name, "decided": rate.decided,
                      "on_time": rate.decided_on_time, "rate": rate.rate, "open": current.get("open", 0),
                      "overdue": current.get("overdue", 0)})
    for row in sorted(now.values(), key=lambda r: r["department__short_name"] or ""):
        table.append({"department": row["department__short_name"], "decided": 0, "on_time": 0, "rate": None,
                      "open": row["open"], "overdue": row["overdue"]})
    return table


def _handlers_by_department(department_ids: set[int]) -> dict[int, list[User]]:
    holders = RoleAssignment.objects.active().filter(role="handler").values("user_id")
    found: dict[int, list[User]] = {}
    for user in User.objects.filter(organisation_id__in=department_ids, is_active=True, pk__in=holders
                                    ).order_by("username"):
        found.setdefault(user.organisation_id, []).append(user)
    return found


@login_required
def dispatch(request):
    require_role(request.user, *DISPATCH_ROLES)
    today = timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS).date
    user = request.user
    visible = Task.objects.visible_to(user, "dispatch")
    department = request.GET.get("department", "")
    chosen = int(department) if department.isdigit() else None
    listed = visible.filter(department_id=chosen) if chosen else visible

    unassigned_qs = selectors.tasks_for_queue(user, state="open", unassigned=True, department=chosen)
    unassigned = with_deadlines(list(unassigned_qs[:LIST_LIMIT]), today)
    handlers = _handlers_by_department({task.department_id for task in unassigned})
    for task in unassigned:
        task.handler_choices = handlers.get(task.department_id, [])

    overdue_qs = selectors.overdue_tasks(user, today)
    soon_qs = selectors.due_soon_tasks(user, today, DUE_SOON_WORKING_DAYS)
    if chosen:
        overdue_qs, soon_qs = overdue_qs.filter(department_id=chosen), soon_qs.filter(department_id=chosen)
    counts = listed.aggregate(
        unassigned=Count("pk", filter=Q(state__in=OPEN_STATES, handler__isnull=True)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_date__lt=today) & ~Q(state=TaskState.RETURNED)),
        due_soon=Count("pk", filter=Q(state__in=OPEN_STATES, due_date__gte=today, due_date__lte=soon)
                       & ~Q(state=TaskState.RETURNED)),
    )
    unassigned_by_department = list(
        unassigned_qs.values("department_id", "department__short_name").annotate(n=Count("pk"))
        .order_by("-n", "department__short_name"))
    since = today - timedelta(days=RATE_DAYS)
    rates = on_time_rates(user, visible, since, today)
    chart = {
        "title": _("近 %(days)s 天按期办结率（%%）") % {"days": RATE_DAYS},
        "categories": [row["department"] for row in rates if row["rate"] is not None],
        "series": [{"name": _("按期率"), "data": [float(row["rate"]) for row in rates if row["rate"] is not None]}],
    }
    departments = (visible.open().values("department_id", "department__short_name").distinct()
                   .order_by("department__short_name"))
    return render(request, "intake/dispatch.html", {
        "today": today,
        "counts": counts,
        "unassigned": unassigned,
        "unassigned_by_department": unassigned_by_department,
        "overdue": with_deadlines(list(overdue_qs[:LIST_LIMIT]), today),
        "due_soon": with_deadlines(list(soon_qs[:LIST_LIMIT]), today),
        "rates": rates,
        "chart": chart,
        "since": since,
        "departments": list(departments),
        "department": department,
        "limit": LIST_LIMIT,
    })
