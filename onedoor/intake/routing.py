"""Routing a requested policy to a department and a handler by the responsibility list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from onedoor.accounts.models import Organisation, User
from onedoor.policies.models import Policy, Responsibility

from .choices import OPEN_STATES


@dataclass(frozen=True)
class Route:
    department: Organisation
    handler: User | None
    responsibility: Responsibility | None


def route(policy: Policy, area_code: str, on: date) -> Route:
    """Department and handler for `policy` from `area_code` on a day: the line of the list whose area
    is the most specific one containing the applicant's area; without a line, the policy's own
    department, unassigned (the dispatcher sees it as 未分派)."""
    lines = [line for line in Responsibility.objects.in_force(on).filter(policy=policy).select_related("department")
             if line.covers(area_code)]
    if not lines:
        return Route(policy.department, None, None)
    line = max(lines, key=lambda candidate: (len(candidate.area_id.rstrip("0")), candidate.valid_from))
    return Route(line.department, line.handler or least_loaded(line), line)


def least_loaded(line: Responsibility) -> User | None:
    """The active pool member with the fewest open tasks (ties: the longest-serving account first)."""
    return (
        line.pool.filter(is_active=True)
        .annotate(open_tasks=Count("intake_tasks", filter=Q(intake_tasks__state__in=OPEN_STATES)))
        .order_by("open_tasks", "pk")
        .first()
    )
