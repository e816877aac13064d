"""Writing the assistance ledger. Other subsystems call these two functions; see docs/subsystems/ledger.md
for which event writes a record (the one rule: when the help is actually delivered)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from onedoor.core.exceptions import DomainError
from onedoor.core.money import to_money

from .choices import AssistanceKind
from .models import AssistanceRecord


def _source_key(source: models.Model) -> tuple[ContentType, int]:
    if source is None or source.pk is None:
        raise DomainError("救助记录必须对应一个已保存的来源（发放、支付或配送记录）。", code="ledger_no_source")
    return ContentType.objects.get_for_model(source, for_concrete_model=True), source.pk


def _original_for(source: models.Model) -> AssistanceRecord | None:
    ctype, source_id = _source_key(source)
    return (AssistanceRecord.objects.select_related("reversal")
            .filter(source_type=ctype, source_id=source_id, reverses__isnull=True).first())


def _check_kind(kind: str) -> None:
    if kind not in AssistanceKind.values:
        raise DomainError(f"未知的救助方式：{kind}", code="ledger_bad_kind")


def _checked_amount(amount: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    amount = to_money(amount)
    if amount < 0:
        raise DomainError("救助金额不能为负数；追回请登记冲销。", code="ledger_negative_amount")
    return amount


def _checked_quantity(quantity: Decimal | None) -> Decimal | None:
    if quantity is None:
        return None
    quantity = Decimal(quantity)
    if quantity < 0:
        raise DomainError("救助数量不能为负数。", code="ledger_negative_quantity")
    return quantity


def record_assistance(*, person, household=None, area, on: date, department, kind: str, source: models.Model,
                      policy=None, programme: str = "", amount: Decimal | None = None,
                      quantity: Decimal | None = None, unit: str = "", actor=None) -> AssistanceRecord:
    """Record one help delivered to `person`. Once only per `source`: a second call for the same
    source returns the existing row unchanged (whatever the other arguments say)."""
    _check_kind(kind)
    ctype, source_id = _source_key(source)
    existing = AssistanceRecord.objects.filter(source_type=ctype, source_id=source_id,
                                               reverses__isnull=True).first()
    if existing is not None:
        return existing
    amount = _checked_amount(amount)
    quantity = _checked_quantity(quantity)
    if policy is None and not programme:
        programme = str(source._meta.verbose_name)
    record = AssistanceRecord(
        person=person, household=household, area_id=getattr(area, "pk", area), delivered_on=on, policy=policy,
        programme=programme, department=department, kind=kind, amount=amount, quantity=quantity, unit=unit,
        source_type=ctype, source_id=source_id, actor=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # A concurrent call for the same source won the race: return its row.
        existing = AssistanceRecord.objects.filter(source_type=ctype, source_id=source_id,
                                                   reverses__isnull=True).first()
        if existing is None:
            raise
        return existing
    return record


def record_assistance_many(rows: Iterable[dict], *, source_model: type[models.Model], actor=None,
                           batch_size: int = 2000) -> None:
    """`record_assistance` for many deliveries of one kind of source at once (a payroll run's paid
    payments): one INSERT per batch, rows whose source already has a record skipped by the database
    (the partial unique index "once per source" — ON CONFLICT DO NOTHING / INSERT OR IGNORE).

    Each row is a dict of AssistanceRecord fields by attname (`person_id`, `household_id`, `area_id`,
    `delivered_on`, `policy_id`, `department_id`, `kind`, `amount`, `source_id`, optionally `programme`,
    `quantity`, `unit`); checked as `record_assistance` checks them."""
    ctype = ContentType.objects.get_for_model(source_model, for_concrete_model=True)
    programme = str(source_model._meta.verbose_name)  # what a row without a policy was (as record_assistance)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    batch: list[AssistanceRecord] = []

    def flush() -> None:
        AssistanceRecord.objects.bulk_create(batch, ignore_conflicts=True)
        batch.clear()

    for row in rows:
        _check_kind(row["kind"])
        checked = {"amount": _checked_amount(row.get("amount")), "quantity": _checked_quantity(row.get("quantity"))}
        if not row.get("policy_id") and not row.get("programme"):
            checked["programme"] = programme
        batch.append(AssistanceRecord(**{**row, **checked}, source_type=ctype, actor_id=actor_id))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()


@transaction.atomic
def reverse_assistance(*, source: models.Model, actor: Any, reason: str,
                       on: date | None = None) -> AssistanceRecord | None:
    """Reverse the ledger record of `source` (a paid payment later recovered or failed) with a
    reversal row: same person, source and kind, amount and quantity negated, `reverses` → original.

    Returns the reversal row; reversing twice returns the first reversal. Returns None when the
    source has no record (nothing was delivered, so there is nothing to reverse)."""
    if not reason or not reason.strip():
        raise DomainError("冲销救助记录必须填写原因。", code="ledger_reason_required")
    original = _original_for(source)
    if original is None:
        return None
    original = AssistanceRecord.objects.select_for_update().get(pk=original.pk)
    already = AssistanceRecord.objects.filter(reverses=original).first()
    if already is not None:
        return already
    from django.utils import timezone

    reversal = AssistanceRecord(
        person_id=original.person_id, household_id=original.household_id, area_id=original.area_id,
        delivered_on=on or timezone.localdate(), policy_id=original.policy_id, programme=original.programme,
        department_id=original.department_id, kind=original.kind,
        amount=-original.amount if original.amount is not None else None,
        quantity=-original.quantity if original.quantity is not None else None, unit=original.unit,
        source_type_id=original.source_type_id, source_id=original.source_id, reverses=original,
        reason=reason.strip()[:200], actor=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        return AssistanceRecord.objects.get(reverses=original)
    return reversal
