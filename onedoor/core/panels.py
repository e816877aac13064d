"""Home-page panels of the core app (each returns its template context, or None to hide)."""

from __future__ import annotations

from .models import Job


def jobs_panel(request) -> dict:
    return {"jobs": list(Job.objects.visible_to(request.user).filter(created_by=request.user)[:5])}


def scope_panel(request) -> dict | None:
    assignments = list(request.user.role_assignments.active().select_related("area", "organisation"))
    return {"assignments": assignments} if assignments else None
