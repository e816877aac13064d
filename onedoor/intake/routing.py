"""Routing a requested policy to a department and a handler by the responsibility list."""

from __future__ import annotations

from collections.abc import Sequence
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
    """Department and handler for `policy` from `area_code` on a day (see `route_all`)."""
    return route_all([policy], area_code, on)[policy.pk]


def route_all(policies: Sequence[Policy], area_code: str, on: date) -> dict[int, Route]:
    """Department and handler for each policy from `area_code` on a day, by policy id, from one read of
    the list: the line whose area is the most specific one containing the applicant's area; without a
    line, the policy's own department, unassigned (the dispatcher sees it as 未分派)."""
    lines: dict[int, list[Responsibility]] = {policy.pk: [] for policy in policies}
    in_force = (Responsibility.objects.in_force(on).filter(policy__in=list(lines))
                .select_related("department", "handler"))
    for line in in_force:
        if line.covers(area_code):
            lines[line.policy_id].append(line)
    routes = {}
    for policy in policies:
        if not lines[policy.pk]:
            routes[policy.pk] = Route(policy.department, None, None)
            continue
        line = max(lines[policy.pk], key=lambda candidate: (len(candidate.area_id.rstrip("0")), candidate.valid_from))
        routes[policy.pk] = Route(line.department, line.handler or least_loaded(line), line)
    return routes


def least_loaded(line: Responsibility) -> User | None:
    """The active pool member with the fewest open tasks (ties: the longest-serving account first)."""
    return (
        line.pool.filter(is_active=True)
        .annotate(open_tasks=Count("intake_tasks", filter=Q(intake_tasks__state__in=OPEN_STATES)))
        .order_by("open_tasks", "pk")
        .first()
    )
