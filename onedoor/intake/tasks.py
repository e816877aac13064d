"""Background jobs of intake, run by the task worker (django-tasks)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from .deadlines import escalate_overdue


@task()
def escalate_overdue_daily(day: str | None = None) -> str:
    """The daily 督办 of overdue tasks (idempotent per day). `day` is an ISO date; default today.
    Enqueued once a day by `onedoor serve` in embedded mode; production runs the command from cron."""
    return str(escalate_overdue(date.fromisoformat(day) if day else None))
