"""Telling staff that something needs them: one in-app message (`Notification`, the 我的消息 page) per
user, and the same message handed to a `MessageSender` — SMS or a messaging app later, a log line now.

Callers inside an action use `transaction.on_commit(lambda: notify(...))`, so nobody is told about a
change that was rolled back. The sender is `settings.ONEDOOR["MESSAGE_SENDER"]` (env
`ONEDOOR_MESSAGE_SENDER`, a dotted path); a sender that fails is logged and never undoes the message.

The top bar shows the unread count (`unread_count`, one indexed COUNT per page, through the
`navigation` context processor).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger(__name__)


class MessageSender(Protocol):
    """Delivers a notification outside OneDoor (SMS, a messaging app). `send` must not raise for a
    single undeliverable message: log it and return."""

    def send(self, notification: Notification) -> None: ...


class LoggingSender:
    """The default: one log line per message, with ids only — no names, titles or phone numbers."""

    def send(self, notification: Notification) -> None:
        logger.info("notification %s kind=%s user=%s", notification.pk, notification.kind, notification.user_id)


@cache
def _sender_class(path: str) -> type:
    return import_string(path)


def sender() -> MessageSender:
    path = settings.ONEDOOR.get("MESSAGE_SENDER") or "onedoor.core.notify.LoggingSender"
    return _sender_class(path)()


def notify(users: Iterable[Any], *, title: str, body: str = "", link: str = "", kind: str) -> list[Notification]:
    """One message to each distinct active user among `users` (None entries are skipped)."""
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None and getattr(user, "is_active", True) and user.pk not in seen:
            seen[user.pk] = user
    if not seen:
        return []
    now = timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(user_id=user_id, created_at=now, kind=kind, title=title[:200], body=body, link=link[:300])
        for user_id in seen
    ])
    out = sender()
    for row in rows:
        try:
            out.send(row)
        except Exception:  # a sender's failure must not lose the in-app message
            logger.exception("message sender failed for notification %s", row.pk)
    return rows


def notify_on_commit(users: Iterable[Any], *, title: str, body: str = "", link: str = "", kind: str) -> None:
    """`notify` once the surrounding transaction commits (at once outside a transaction)."""
    users = list(users)
    transaction.on_commit(lambda: notify(users, title=title, body=body, link=link, kind=kind))


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(notification: Notification, *, actor: Any) -> Notification:
    """The actor has read one of their messages (reading twice keeps the first time)."""
    if notification.user_id != actor.pk:
        from .exceptions import NotPermitted

        raise NotPermitted("只能标记自己的消息。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, actor: Any) -> int:
    """Every unread message of the actor, read now; returns how many."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
