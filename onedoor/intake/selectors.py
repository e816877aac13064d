"""Reads of intake for pages, the API and jobs: task queues, overdue and due-soon lists, the on-time
rate per department. Every function takes the user and reads through `visible_to`, so a queue never
shows a task outside the user's scope; the querysets carry their `select_related`, so a page of tasks
costs a fixed number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from onedoor.accounts.models import Organisation
from onedoor.core.workdays import add_working_days

from .choices import OPEN_STATES, TaskState
from .models import Application, Task, TaskQuerySet

TASK_RELATIONS = ("application", "application__applicant", "application__window", "policy", "department",
                  "handler", "area")


def _ids(value: Any) -> Any:
    """An Organisation/User or its id."""
    return getattr(value, "pk", value)


def tasks_for_queue(user: Any, *, state: str | Iterable[str] | None = None, department: Any = None,
                    overdue: bool | None = None, handler: Any = None, unassigned: bool = False,
                    today: date | None = None) -> TaskQuerySet:
    """The tasks `user` may see, narrowed by the filters a queue offers.

    state: one state, several, or "open" (every unfinished state). department/handler: an object or
    an id. overdue: True = only overdue, False = none overdue, None = either. unassigned: only tasks
    without a handler (the dispatcher's 未分派 list). Ordered by due date, earliest first.
    """
    tasks = Task.objects.visible_to(user).select_related(*TASK_RELATIONS)
    if state == "open":
        tasks = tasks.open()
    elif isinstance(state, str) and state:
        tasks = tasks.filter(state=state)
    elif state:
        tasks = tasks.filter(state__in=list(state))
    if department is not None:
        tasks = tasks.filter(department_id=_ids(department))
    if handler is not None:
        tasks = tasks.filter(handler_id=_ids(handler))
    if unassigned:
        tasks = tasks.filter(handler__isnull=True)
    if overdue is True:
        tasks = tasks.overdue(today)
    elif overdue is False:
        tasks = tasks.exclude(pk__in=Task.objects.overdue(today).values("pk"))
    return tasks.order_by("due_date", "pk")


def overdue_tasks(user: Any, today: date | None = None) -> TaskQuerySet:
    """Open tasks past their due date (a task waiting for 补正 documents is not counted: its clock stopped)."""
    return tasks_for_queue(user, overdue=True, today=today)


def due_soon_date(today: date, working_days: int = 3) -> date:
    return add_working_days(today, working_days).date


def due_soon_tasks(user: Any, today: date | None = None, working_days: int = 3) -> TaskQuerySet:
    """Open tasks due from today up to `working_days` working days ahead (not yet overdue)."""
    today = today or timezone.localdate()
    return (Task.objects.visible_to(user).select_related(*TASK_RELATIONS).due_by(due_soon_date(today, working_days))
            .filter(due_date__gte=today).order_by("due_date", "pk"))


def applications_for(user: Any) -> Any:
    """Applications `user` may see, newest first, with what a list row shows."""
    return Application.objects.visible_to(user).select_related("applicant", "window", "area", "clerk")


def application_tasks(user: Any, application: Application) -> TaskQuerySet:
    """The tasks of one application that `user` may see (a clerk sees all of their window's)."""
    return (Task.objects.visible_to(user).filter(application=application)
            .select_related("policy", "department", "handler").order_by("pk"))


def queue_counts(user: Any, today: date | None = None) -> dict[str, int]:
    """Counts for a dispatcher's or handler's overview, in one query."""
    today = today or timezone.localdate()
    soon = due_soon_date(today)
    open_q = Q(state__in=OPEN_STATES)
    running = open_q & ~Q(state=TaskState.RETURNED)
    return Task.objects.visible_to(user).aggregate(
        open=Count("pk", filter=open_q),
        unassigned=Count("pk", filter=open_q & Q(handler__isnull=True)),
        overdue=Count("pk", filter=running & Q(due_date__lt=today)),
        due_soon=Count("pk", filter=running & Q(due_date__gte=today, due_date__lte=soon)),
        returned=Count("pk", filter=Q(state=TaskState.RETURNED)),
    )


@dataclass(frozen=True)
class OnTimeRow:
    """Decisions of one department in a period: how many, how many by the due date, the share."""

    department: Organisation
    decided: int
    decided_on_time: int
    rate: Decimal | None  # percent with one decimal; None when nothing was decided

    def __getitem__(self, key: str) -> Any:  # templates and callers may treat a row as a dict
        return getattr(self, key)


def on_time_rate_by_department(user: Any, since: date, until: date) -> list[OnTimeRow]:
    """For each department with decisions (approved or refused) made from `since` to `until` inclusive
    (local dates), the share decided on or before the due date. One aggregate query plus one for the
    departments; ordered by the lowest rate first (those needing attention)."""
    decided_on = TruncDate("decided_at", tzinfo=timezone.get_current_timezone())
    rows = (
        Task.objects.visible_to(user)
        .filter(decided_at__isnull=False)
        .annotate(decided_on=decided_on)
        .filter(decided_on__gte=since, decided_on__lte=until)
        .order_by()
        .values("department_id")
        .annotate(decided=Count("pk"), on_time=Count("pk", filter=Q(decided_on__lte=F("due_date"))))
    )
    rows = list(rows)
    departments = Organisation.objects.in_bulk([row["department_id"] for row in rows])
    result = []
    for row in rows:
        rate = (Decimal(row["on_time"] * 100) / row["decided"]).quantize(Decimal("0.1"), ROUND_HALF_UP) \
            if row["decided"] else None
        result.append(OnTimeRow(departments[row["department_id"]], row["decided"], row["on_time"], rate))
    result.sort(key=lambda r: (r.rate if r.rate is not None else Decimal(101), str(r.department)))
    return result


def allowed_actions(user: Any, task: Task, today: date | None = None) -> list[str]:
    """What `user` may do to `task` now: the moves the map allows from its state, that the user's roles
    and scope permit (as intake/actions.py checks them), and whose conditions hold today (公示 ended,
    先行救助 allowed, home visit recorded …). At most three queries."""
    from onedoor.core.scoping import is_admin

    from .choices import TaskAction
    from .transitions import actions_from

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    candidates = actions_from(task.state)
    if not candidates:
        return []
    today = today or timezone.localdate()
    admin = is_admin(user)
    may_handle = admin or Task.objects.visible_to(user, "handle").filter(pk=task.pk).exists()
    for_applicant = admin or (user.has_role("window_clerk", "handler", "dispatcher")
                              and Task.objects.visible_to(user).filter(pk=task.pk).exists())
    policy = task.policy
    early = {TaskState.RECEIVED, TaskState.ACCEPTED, TaskState.INVESTIGATING}
    needs_visit = task.application.related_to_staff and not task.home_visits.exists()
    allowed = []
    for action in candidates:
        if not (for_applicant if action in (TaskAction.WITHDRAW, TaskAction.RESUBMIT) else may_handle):
            continue
        if action == TaskAction.APPROVE:
            if task.state in early:
                if not policy.act_first_allowed:
                    continue
            elif needs_visit or (task.state == TaskState.PROPOSED and policy.notice_required):
                continue
            elif task.state == TaskState.NOTICE:
                running = task.notices.filter(state="running").order_by("-starts_on", "-pk").first()
                if running is not None and today <= running.ends_on:
                    continue
        elif action in (TaskAction.REFUSE, TaskAction.PROPOSE) and needs_visit:
            continue
        elif action == TaskAction.PUBLISH_NOTICE and not policy.notice_required:
            continue
        elif action == TaskAction.COMPLETE and (not task.completion_pending or needs_visit):
            continue
        elif action == TaskAction.CLOSE and task.completion_pending:
            continue
        allowed.append(action)
    return allowed
