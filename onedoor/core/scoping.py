"""Scoping: who may read which rows, decided in the queryset and nowhere else.

A model says how it relates to an area and/or an organisation (and optionally an owner) with a
`ScopeRule`; its manager is `ScopedManager`. Views, API handlers, exports and jobs read through
`Model.objects.visible_to(user)` or `get_visible_or_404(user, Model, ...)`.

A user's grants come from their active role assignments: role x area subtree and/or organisation.
A grant opens the rows that match every dimension both the grant and the model have; a grant that
shares no dimension with a model opens nothing (never everything). Only the admin role bypasses.
See docs/subsystems/scoping.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

CODE_LENGTH = 12
ADMIN_ROLE = "admin"

M = TypeVar("M", bound=models.Model)


def subtree_prefix(code: str) -> str:
    """The prefix every code in an area's subtree starts with: 350212110000 -> 350212110."""
    for keep in (2, 4, 6, 9):
        if code[keep:] == "0" * (CODE_LENGTH - keep):
            return code[:keep]
    return code


def subtree_bounds(code: str) -> tuple[str, str]:
    """Inclusive (low, high) code range of an area's subtree.

    A range rather than LIKE 'prefix%' so that one B-tree index serves it on SQLite and
    PostgreSQL alike. 'Z' pads the top because local codes (竹坝华侨农场) carry a letter.
    """
    prefix = subtree_prefix(code)
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "Z")


def in_subtree(field: str, code: str) -> Q:
    """Q for rows whose area `field` (a code or an FK to Area) lies in the subtree of `code`."""
    low, high = subtree_bounds(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


@dataclass(frozen=True)
class Grant:
    """One thing a user may see: a role over an area subtree and/or an organisation."""

    role: str
    area_code: str | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class ScopeRule:
    """How rows of a model relate to scope. Each value is an ORM path (forward relations only)."""

    area: str | None = None
    organisation: str | None = None
    owner: str | None = None
    # Roles whose grants count for each action; an action not listed accepts every role.
    roles_by_action: tuple[tuple[str, frozenset[str]], ...] = ()

    def roles_for(self, action: str) -> frozenset[str] | None:
        return dict(self.roles_by_action).get(action)


def grants_of(user: Any) -> list[Grant]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(user.active_grants())


def is_admin(user: Any) -> bool:
    return any(grant.role == ADMIN_ROLE for grant in grants_of(user))


def scope_q(rule: ScopeRule, grants: Iterable[Grant], *, user: Any, action: str) -> Q | None:
    """The filter a user's grants open on a model; None means nothing is visible."""
    allowed_roles = rule.roles_for(action)
    combined: Q | None = None
    for grant in grants:
        if allowed_roles is not None and grant.role not in allowed_roles:
            continue
        parts: list[Q] = []
        if rule.area and grant.area_code:
            parts.append(in_subtree(rule.area, grant.area_code))
        if rule.organisation and grant.organisation_id:
            parts.append(Q(**{rule.organisation: grant.organisation_id}))
        if not parts:
            continue
        opened = parts[0]
        for part in parts[1:]:
            opened &= part
        combined = opened if combined is None else combined | opened
    if rule.owner and user is not None and getattr(user, "is_authenticated", False):
        own = Q(**{rule.owner: user.pk})
        combined = own if combined is None else combined | own
    return combined


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any, action: str = "view") -> ScopedQuerySet:
        rule: ScopeRule | None = getattr(self.model, "scope", None)
        if rule is None:
            raise TypeError(f"{self.model.__name__} has no ScopeRule: declare `scope = ScopeRule(...)`")
        grants = grants_of(user)
        if any(grant.role == ADMIN_ROLE for grant in grants):
            return self.all()
        condition = scope_q(rule, grants, user=user, action=action)
        if condition is None:
            return self.none()
        return self.filter(condition)

    # NetBox's name for the same thing; one implementation.
    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        return self.visible_to(user, action)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def get_visible_or_404(user: Any, model_or_queryset: type[M] | models.QuerySet, action: str = "view", **lookup) -> M:
    """One object the user may see, else 404 — the same answer whether it exists or not."""
    if isinstance(model_or_queryset, models.QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("没有找到，或者您无权查看。") from exc
