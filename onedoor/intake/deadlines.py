"""Deadlines of tasks: how far a task is from its due date, and the daily escalation (督办) of overdue
tasks to the dispatchers whose scope covers them and to the head of the handling department.

The clock: a task is due `policy.time_limit_days` working days after it was received (the day of
receipt not counted; intake/actions.py `_open_task`). While it waits for 补正 documents (state
`returned`) the clock stops: it is neither due soon nor overdue, and on resubmission the due date moves
by the working days it waited (`actions.resubmit`). A transfer keeps the original due date.

`escalate_overdue(today)` is idempotent per day: `Task.escalated_on` is claimed with one conditional
UPDATE per task, so running it twice on a day (a retry, two workers) escalates each task once; on the
next day a task still overdue is escalated again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from onedoor.accounts.models import RoleAssignment, User
from onedoor.core.notify import notify
from onedoor.core.workdays import WorkCalendar, working_days_between

from .choices import TaskState
from .models import Task, TaskEvent
from .notifications import task_link

BATCH = 500
LISTED_IN_A_MESSAGE = 10


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a task stands against its due date, for a badge on a page."""

    state: str  # "done" | "paused" | "overdue" | "due_soon" | "on_time"
    working_days: int  # left (>= 0) or past (< 0, overdue); 0 when done or paused
    estimated: bool

    @property
    def label(self) -> str:
        if self.state == "done":
            return "已办结"
        if self.state == "paused":
            return "补正中，计时暂停"
        if self.state == "overdue":
            return f"已逾期 {-self.working_days} 个工作日"
        return "今天到期" if self.working_days == 0 else f"剩 {self.working_days} 个工作日"


def deadline_status(task: Task, today: date | None = None, *, soon: int = 3,
                    calendar: WorkCalendar | None = None) -> DeadlineStatus:
    """Overdue, due soon (within `soon` working days) or on time; pass one `calendar` for a list."""
    today = today or timezone.localdate()
    if not task.is_open:
        return DeadlineStatus("done", 0, task.due_estimated)
    if task.state == TaskState.RETURNED:
        return DeadlineStatus("paused", 0, task.due_estimated)
    left = working_days_between(today, task.due_date, calendar)
    if task.due_date < today:
        return DeadlineStatus("overdue", min(left, -1), task.due_estimated)
    return DeadlineStatus("due_soon" if left <= soon else "on_time", left, task.due_estimated)


# --- escalation ------------------------------------------------------------------------------------

@dataclass
class EscalationResult:
    escalated: int = 0
    notified: int = 0  # messages created
    task_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return f"督办逾期事项 {self.escalated} 项，发出消息 {self.notified} 条"


def due_for_escalation(today: date) -> Any:
    """Overdue tasks not yet escalated today. A system job reads every task here (no user scope); who
    is told is decided by the recipients' own scope below."""
    return Task.objects.overdue(today).filter(Q(escalated_on__isnull=True) | Q(escalated_on__lt=today))


def _dispatchers() -> list[User]:
    ids = RoleAssignment.objects.active().filter(role="dispatcher").values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _claim(task_ids: list[int], today: date) -> list[int]:
    """Mark the tasks escalated today; only those this run changed are returned (concurrent runs split)."""
    claimed = []
    for task_id in task_ids:
        changed = Task.objects.filter(pk=task_id).filter(
            Q(escalated_on__isnull=True) | Q(escalated_on__lt=today)).update(escalated_on=today)
        if changed:
            claimed.append(task_id)
    return claimed


def _overview_link() -> str:
    try:
        return reverse("intake:dispatch")
    except NoReverseMatch:
        return ""


def _message(tasks: list[Task], today: date, *, dispatcher: bool) -> dict:
    if len(tasks) == 1:
        task = tasks[0]
        days = -deadline_status(task, today).working_days
        return {"title": f"督办：{task.policy.name}（{task.application.receipt_no}）已逾期",
                "body": f"{task.department}承办，期限 {task.due_date:%Y-%m-%d}，已逾期 {days} 个工作日。",
                "link": task_link(task)}
    lines = [f"{t.application.receipt_no} {t.policy.name} · {t.department} · 期限 {t.due_date:%Y-%m-%d}"
             for t in tasks[:LISTED_IN_A_MESSAGE]]
    if len(tasks) > LISTED_IN_A_MESSAGE:
        lines.append(f"……另有 {len(tasks) - LISTED_IN_A_MESSAGE} 项")
    return {"title": f"督办：{len(tasks)} 项事项已逾期", "body": "\n".join(lines),
            "link": _overview_link() if dispatcher else task_link(tasks[0])}


def escalate_overdue(today: date | None = None) -> EscalationResult:
    """Escalate every overdue task once for `today`: a TaskEvent "escalate" on each, and one in-app
    message per recipient (a dispatcher whose dispatch scope covers the task; the head of the task's
    department, when set) listing their overdue tasks."""
    today = today or timezone.localdate()
    result = EscalationResult()
    dispatchers = _dispatchers()
    candidates = list(due_for_escalation(today).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(candidates), BATCH):
        with transaction.atomic():
            claimed = _claim(candidates[start:start + BATCH], today)
            if not claimed:
                continue
            tasks = list(Task.objects.filter(pk__in=claimed)
                         .select_related("policy", "application", "department", "department__head")
                         .order_by("due_date", "pk"))
            calendar = WorkCalendar.load(min(t.due_date for t in tasks), today)
            TaskEvent.objects.bulk_create([
                TaskEvent(task=task, actor=None, code="escalate", from_state=task.state, to_state=task.state,
                          note=f"逾期 {-deadline_status(task, today, calendar=calendar).working_days} 个工作日，已督办",
                          data={"due_date": str(task.due_date), "escalated_on": str(today)})
                for task in tasks
            ])
            by_recipient: dict[int, list[Task]] = defaultdict(list)
            users: dict[int, User] = {}
            is_dispatcher: set[int] = set()
            for dispatcher in dispatchers:
                covered = set(Task.objects.visible_to(dispatcher, "dispatch").filter(pk__in=claimed)
                              .values_list("pk", flat=True))
                for task in tasks:
                    if task.pk in covered:
                        by_recipient[dispatcher.pk].append(task)
                users[dispatcher.pk] = dispatcher
                is_dispatcher.add(dispatcher.pk)
            for task in tasks:
                head = task.department.head
                if head is not None and head.is_active and task not in by_recipient[head.pk]:
                    by_recipient[head.pk].append(task)
                    users[head.pk] = head
            messages = [(users[user_id], _message(found, today, dispatcher=user_id in is_dispatcher))
                        for user_id, found in by_recipient.items() if found]

            def send(messages=messages) -> None:
                for user, message in messages:
                    notify([user], kind="task_escalated", **message)

            transaction.on_commit(send)
            result.escalated += len(tasks)
            result.notified += len(messages)
            result.task_ids += [t.pk for t in tasks]
    return result
