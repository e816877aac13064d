"""Audit glue: row history (django-simple-history, ADR 0003) stamped with the request id,
and the access log for sensitive reads. Domain event tables derive from `DomainEvent`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .middleware import current_request_id


class HistoryBase(models.Model):
    """Extra columns on every historical table."""

    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, default="")

    class Meta:
        abstract = True


def history(**kwargs: Any) -> HistoricalRecords:
    """The one way a domain model gets row history: `history = history()`."""
    kwargs.setdefault("bases", [HistoryBase])
    kwargs.setdefault("user_model", "accounts.User")
    return HistoricalRecords(**kwargs)


@receiver(pre_create_historical_record)
def _stamp_request_id(sender, history_instance=None, **kwargs) -> None:
    if history_instance is not None and hasattr(history_instance, "request_id"):
        history_instance.request_id = current_request_id()


def attribute_to(instance: models.Model, actor: Any) -> models.Model:
    """Make the next history row of `instance` name `actor` (actions run outside requests too)."""
    instance._history_user = actor
    return instance


def log_access(*, actor: Any, action: str, target: models.Model | None = None, target_label: str = "",
               reason: str = "", details: dict | None = None) -> Any:
    """Record a sensitive read (unmasked ID, personal-data export) in the access log."""
    from .models import AccessLog

    return AccessLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label or (str(target) if target is not None else ""),
        reason=reason,
        details=details or {},
        request_id=current_request_id(),
    )
