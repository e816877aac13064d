"""The dispatcher's 调度台: unassigned tasks by department (assign them here), overdue and due-soon lists,
and each department's on-time rate with a small chart. Every list reads
`Task.objects.visible_to(user, "dispatch")` and is cut to a fixed length, so the page costs a fixed
number of queries whatever the number of tasks."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onedoor.accounts.models import RoleAssignment, User
from onedoor.core.workdays import add_working_days

from .choices import OPEN_STATES, TaskState
from .models import Task
from .views import DISPATCH_ROLES, require_role
from .views_tasks import DUE_SOON_WORKING_DAYS, with_deadlines

LIST_LIMIT = 50
RATE_DAYS = 90


def on_time_rates(queryset, since: date, today: date) -> list[dict]:
    """Per department: tasks decided since `since`, how many by their due date, the rate; open and
    overdue now. One grouped query."""
    decided = Q(decided_at__isnull=False, decided_at__date__gte=since)
    running = Q(state__in=OPEN_STATES) & ~Q(state=TaskState.RETURNED)
    rows = (queryset.values("department_id", "department__short_name", "department__name")
            .annotate(decided=Count("pk", filter=decided),
                      on_time=Count("pk", filter=decided & Q(decided_at__date__lte=F("due_date"))),
                      open=Count("pk", filter=Q(state__in=OPEN_STATES)),
                      overdue=Count("pk", filter=running & Q(due_date__lt=today)))
            .order_by("department__short_name"))
    table = []
    for row in rows:
        if not (row["decided"] or row["open"]):
            continue
        rate = round(100 * row["on_time"] / row["decided"], 1) if row["decided"] else None
        table.append({"department": row["department__short_name"] or row["department__name"], **row, "rate": rate})
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
    visible = Task.objects.visible_to(request.user, "dispatch")
    department = request.GET.get("department", "")
    listed = visible.filter(department_id=int(department)) if department.isdigit() else visible
    related = ("application", "application__applicant", "policy", "department", "handler")
    running = listed.open().exclude(state=TaskState.RETURNED)

    unassigned_qs = listed.open().filter(handler__isnull=True)
    unassigned = with_deadlines(list(unassigned_qs.select_related(*related).order_by("due_date", "pk")[:LIST_LIMIT]),
                                today)
    handlers = _handlers_by_department({task.department_id for task in unassigned})
    for task in unassigned:
        task.handler_choices = handlers.get(task.department_id, [])

    overdue_qs = running.filter(due_date__lt=today)
    soon_qs = running.filter(due_date__gte=today, due_date__lte=soon)
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
    rates = on_time_rates(visible, since, today)
    chart = {
        "title": _("近 %(days)s 天按期办结率（%%）") % {"days": RATE_DAYS},
        "categories": [row["department"] for row in rates if row["rate"] is not None],
        "series": [{"name": _("按期率"), "data": [row["rate"] for row in rates if row["rate"] is not None]}],
    }
    departments = (visible.open().values("department_id", "department__short_name").distinct()
                   .order_by("department__short_name"))
    return render(request, "intake/dispatch.html", {
        "today": today,
        "counts": counts,
        "unassigned": unassigned,
        "unassigned_by_department": unassigned_by_department,
        "overdue": with_deadlines(list(overdue_qs.select_related(*related).order_by("due_date", "pk")[:LIST_LIMIT]),
                                  today),
        "due_soon": with_deadlines(list(soon_qs.select_related(*related).order_by("due_date", "pk")[:LIST_LIMIT]),
                                   today),
        "rates": rates,
        "chart": chart,
        "since": since,
        "departments": list(departments),
        "department": department,
        "limit": LIST_LIMIT,
    })
