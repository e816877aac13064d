"""Who hears about a task when it moves: the handler it is routed or assigned to, the receiving
department on a transfer, the window clerk on a 补正 return (they tell the applicant). Called from
intake/actions.py; every message is sent with `notify_on_commit`, so a rolled-back move tells nobody.
Escalation of overdue tasks is in intake/deadlines.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse

from onedoor.accounts.models import User
from onedoor.core.notify import notify_on_commit

from .models import Task


def task_link(task: Task) -> str:
    try:
        return reverse("intake:task_detail", args=[task.pk])
    except NoReverseMatch:  # the pages are not installed (e.g. an API-only deployment)
        return ""


def _label(task: Task) -> str:
    return f"{task.policy.name}（{task.application.receipt_no}）"


def department_handlers(department_id: int) -> Iterable[User]:
    """Active staff of the department who hold the handler role there."""
    return User.objects.filter(
        is_active=True, organisation_id=department_id, role_assignments__role="handler",
        role_assignments__organisation_id=department_id,
    ).distinct()


def task_routed(task: Task, handler: Any) -> None:
    if handler is None:
        return
    notify_on_commit([handler], kind="task_routed", title=f"新的办理事项：{_label(task)}",
                     body=f"期限 {task.due_date:%Y-%m-%d}{'（估算）' if task.due_estimated else ''}。",
                     link=task_link(task))


def task_transferred(task: Task, from_department: Any) -> None:
    receivers = [task.handler] if task.handler else list(department_handlers(task.department_id))
    notify_on_commit(receivers, kind="task_transferred", title=f"转办来的事项：{_label(task)}",
                     body=f"由{from_department}转来，期限 {task.due_date:%Y-%m-%d}。", link=task_link(task))


def task_returned(task: Task, missing: list[str]) -> None:
    clerk = task.application.clerk
    notify_on_commit([clerk], kind="task_returned", title=f"需告知申请人补正材料：{_label(task)}",
                     body="需补正：" + "、".join(missing), link=task_link(task))
