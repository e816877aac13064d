"""Shared pieces of the intake pages. The pages themselves are split by who uses them:
views_window.py (the window clerk: find the applicant, take the application, today's list),
views_application.py (the application page, documents and their scoped download),
views_tasks.py (the task page and its action forms, the handler's 我的事项),
views_dispatch.py (the dispatcher's 调度台).

Every object a request names is read through `visible_to` / `get_visible_or_404`; every change calls
one action in intake/actions.py, whose DomainError message is put back beside the form."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from onedoor.core.exceptions import DomainError
from onedoor.core.scoping import is_admin

from .models import Application, Task

WINDOW_ROLES = ("window_clerk", "dispatcher")
HANDLER_ROLES = ("handler",)
DISPATCH_ROLES = ("dispatcher",)


def require_role(user: Any, *roles: str) -> None:
    if not (is_admin(user) or user.has_role(*roles)):
        raise PermissionDenied


def errors_onto(form, exc: DomainError) -> None:
    """Put a refused action's message beside the field it names (details={"field": …}), else on top."""
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def applications():
    return Application.objects.select_related("applicant", "applicant__residence_area", "household",
                                              "household__head", "window", "clerk", "area")


def tasks():
    return Task.objects.select_related("application", "application__applicant", "policy", "department", "handler")
