"""Domain exceptions: actions raise these; the UI shows the message, the API returns it as JSON."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused action. `message` is shown to the user as is, so it is written in Chinese."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotPermitted(DomainError):
    code = "forbidden"
    status = 403
