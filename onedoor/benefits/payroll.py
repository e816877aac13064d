"""Monthly payroll: a run for a month turns every payable enrollment into one Payment, set-based
(one INSERT … SELECT per batch of enrollments), and corrects earlier months whose amount changed or
that should not have been paid (补发 / 追回 lines). The database forbids a second regular payment for
the same enrollment and month, and the SELECT skips those already there, so computing twice — or again
after a crash half-way — yields exactly one payment each. Approval needs a second person.

The run's life is one explicit map (MOVES): draft → computed → approved → exported → reconciled →
closed. Every action checks its move there first; the pages and the API list the allowed moves from
it. The bank file (export and return) is in benefits/bankfile.py; re-issuing a failed payment is here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError, IllegalTransition, NotPermitted
from onedoor.geo.models import Area
from onedoor.policies.choices import PolicyKind
from onedoor.policies.models import Policy

from . import signing
from .choices import EnrollmentStatus, PaymentLine, PaymentStatus, RunState
from .models import Enrollment, EnrollmentAmount, Payment, PayrollRun
from .months import month_of, months_between

DISTRICT = "350212000000"
BATCH = 50_000


class RunMove:
    """The moves of a payroll run (names used by the pages, the API and the CLI)."""

    COMPUTE = "compute"
    APPROVE = "approve"
    EXPORT = "export"
    RECONCILE = "reconcile"
    CLOSE = "close"

    LABELS = {COMPUTE: _("计算"), APPROVE: _("审核"), EXPORT: _("导出银行文件"), RECONCILE: _("银行回盘对账"),
              CLOSE: _("关闭批次")}
    ORDER = (COMPUTE, APPROVE, EXPORT, RECONCILE, CLOSE)


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str


# Computing again from computed is allowed (it only adds what is missing); once approved, a run's payments
# are frozen: a correction goes into the next month's run.
MOVES: dict[str, Move] = {
    RunMove.COMPUTE: Move(frozenset({RunState.DRAFT, RunState.COMPUTED}), RunState.COMPUTED),
    RunMove.APPROVE: Move(frozenset({RunState.COMPUTED}), RunState.APPROVED),
    RunMove.EXPORT: Move(frozenset({RunState.APPROVED}), RunState.EXPORTED),
    RunMove.RECONCILE: Move(frozenset({RunState.EXPORTED}), RunState.RECONCILED),
    RunMove.CLOSE: Move(frozenset({RunState.RECONCILED}), RunState.CLOSED),
}


def moves_from(state: str) -> list[str]:
    """The moves the map allows from `state`, in the run's order."""
    return [move for move in RunMove.ORDER if state in MOVES[move].sources]


def check_move(move: str, state: str) -> Move:
    """The move for `move` from `state`, or IllegalTransition naming the moves allowed instead."""
    if move not in MOVES:
        raise IllegalTransition(f"未知的操作：{move}", details={"state": state, "allowed": moves_from(state)})
    if state not in MOVES[move].sources:
        allowed = moves_from(state)
        names = "、".join(str(RunMove.LABELS[m]) for m in allowed) or "无"
        raise IllegalTransition(
            f"发放批次为“{RunState(state).label}”，不能{RunMove.LABELS[move]}；当前可进行的操作：{names}。",
            details={"state": state, "allowed": allowed})
    return MOVES[move]


def _may_run_payroll(actor, doing: str) -> None:
    if not actor.has_role("finance") and not actor.is_onedoor_admin:
        raise NotPermitted(f"只有财务人员可以{doing}。")


@transaction.atomic
def create_run(*, actor, month: date, policy: Policy | None = None) -> PayrollRun:
    _may_run_payroll(actor, "编制发放批次")
    if policy is not None and policy.kind != PolicyKind.MONTHLY_CASH:
        raise DomainError(f"“{policy}”不是按月发放的政策。", code="not_monthly")
    month = month_of(month)
    overlapping = PayrollRun.objects.filter(month=month)
    if policy is not None:
        overlapping = overlapping.filter(Q(policy=policy) | Q(policy__isnull=True))
    if overlapping.exists():
        raise Conflict(f"{month:%Y年%-m月}已有覆盖该政策的发放批次。", code="run_exists")
    run = PayrollRun.objects.create(month=month, policy=policy, prepared_by=actor, area=Area.objects.get(pk=DISTRICT))
    attribute_to(run, actor)
    return run


def _payable(run: PayrollRun):
    enrollments = Enrollment.objects.payable_in(run.month).filter(policy__kind=PolicyKind.MONTHLY_CASH)
    if run.policy_id:
        enrollments = enrollments.filter(policy_id=run.policy_id)
    return enrollments


_REGULAR_SQL = """
INSERT INTO benefits_payment (run_id, enrollment_id, area_id, month, line, amount, payee_name, bank_name,
    bank_account, basis, signature, status, failure_reason, paid_on, reissue_of_id, created_at)
SELECT %(run)s, e.id, e.area_id, %(month)s, 'regular', a.amount, p.name, p.bank_name, p.bank_account, a.basis,
    {signature}, 'pending', '', NULL, NULL, %(now)s
FROM benefits_enrollment e
JOIN registry_person p ON p.id = e.person_id
JOIN benefits_enrollmentamount a ON a.id = (
    SELECT a2.id FROM benefits_enrollmentamount a2
    WHERE a2.enrollment_id = e.id AND a2.from_month <= %(month)s
    ORDER BY a2.from_month DESC LIMIT 1)
JOIN policies_policy pol ON pol.id = e.policy_id
WHERE e.id >= %(low)s AND e.id < %(high)s
  AND e.status IN ('active', 'ending') AND e.start_month <= %(month)s
  AND (e.last_month IS NULL OR e.last_month >= %(month)s)
  AND pol.kind = 'monthly_cash' {policy_filter}
  AND (p.death_date IS NULL OR p.death_date >= %(month)s)
  AND a.amount > 0
  AND NOT EXISTS (SELECT 1 FROM benefits_payment x WHERE x.enrollment_id = e.id AND x.month = %(month)s
                  AND x.line = 'regular' AND x.status <> 'failed')
"""

def _signature_sql(*, enrollment: str, month: str, line: str, amount: str, account: str) -> str:
    """The payment's HMAC (`signing.sign`) as an SQL expression over the given column expressions, so the
    payroll INSERT signs its rows and `tampered_payments` checks them without leaving the database.
    PostgreSQL: sha256() with the HMAC pads as the `ipad` / `opad` parameters; SQLite: a registered
    function. The message is the one `signing.message` builds: id|YYYY-MM-DD|line|amount with 2 decimals|account."""
    if connection.vendor == "postgresql":
        msg = (f"CAST({enrollment} AS TEXT) || '|' || {month} || '|' || {line} || '|' || "
               f"to_char({amount}, 'FM999999999990.00') || '|' || {account}")
        return f"encode(sha256(%(opad)s::bytea || sha256(%(ipad)s::bytea || convert_to({msg}, 'UTF8'))), 'hex')"
    connection.ensure_connection()
    connection.connection.create_function("onedoor_sign", 1, signing.sign_message, deterministic=True)
    msg = f"CAST({enrollment} AS TEXT) || '|' || {month} || '|' || {line} || '|' || printf('%%.2f', {amount}) || '|' || {account}"
    return f"onedoor_sign({msg})"


def _regular_signature_sql() -> str:
    """The signature of a row of `_REGULAR_SQL` (its aliases: e enrollment, a amount, p person)."""
    return _signature_sql(enrollment="e.id", month="%(month)s", line="'regular'", amount="a.amount",
                          account="p.bank_account")


def _insert_regular(run: PayrollRun, low: int, high: int) -> int:
    ipad, opad = signing.hmac_pads()
    sql = _REGULAR_SQL.format(signature=_regular_signature_sql(),
                              policy_filter="AND e.policy_id = %(policy)s" if run.policy_id else "")
    params = {"run": run.pk, "month": run.month.isoformat(), "now": timezone.now(), "low": low, "high": high,
              "policy": run.policy_id, "ipad": ipad, "opad": opad}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def compute_run(run: PayrollRun, *, actor, on_batch: Callable[[int, int], None] | None = None) -> PayrollRun:
    """Create the run's payments. Batches of enrollment ids commit one by one (a crash keeps what
    was done); running it again only adds what is missing. `on_batch(done, total)` reports progress."""
    run = PayrollRun.objects.get(pk=run.pk)
    check_move(RunMove.COMPUTE, run.state)
    _may_run_payroll(actor, "计算发放批次")
    bounds = _payable(run).aggregate(low=Min("id"), high=Max("id"), total=Count("id"))
    if bounds["total"]:
        low, high = bounds["low"], bounds["high"] + 1
        for start in range(low, high, BATCH):
            with transaction.atomic():
                _insert_regular(run, start, min(start + BATCH, high))
            if on_batch:
                on_batch(min(start + BATCH, high) - low, high - low)
    with transaction.atomic():
        # Approval may have happened meanwhile (a second computation started before it): never touch it.
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        check_move(RunMove.COMPUTE, run.state)
        _add_corrections(run)
        _finish_compute(run, actor)
    return run


def _due(enrollment: Enrollment, month: date, amounts: list[EnrollmentAmount]) -> Decimal:
    """What the enrollment should have paid for `month`, by what is known now."""
    if enrollment.last_month is not None and month > enrollment.last_month:
        return Decimal("0.00")
    if enrollment.person.death_date and month > month_of(enrollment.person.death_date):
        return Decimal("0.00")
    in_force = [row for row in amounts if row.from_month <= month]
    return in_force[0].amount if in_force else Decimal("0.00")


def _add_corrections(run: PayrollRun) -> int:
    """补发/追回 lines for months before the run whose paid total differs from what is now due:
    the amount changed from an earlier month (a new standard, a review) or the benefit ended earlier
    (death recorded late). Only enrollments with a change after their earliest payment are looked at."""
    earlier = Payment.objects.filter(month__lt=run.month).exclude(status=PaymentStatus.FAILED)
    if run.policy_id:
        earlier = earlier.filter(enrollment__policy_id=run.policy_id)
    changed_ids = set(
        earlier.filter(enrollment__amounts__created_at__gt=F("created_at")).values_list(
            "enrollment_id", flat=True)
    ) | set(
        earlier.filter(enrollment__status=EnrollmentStatus.ENDED, month__gt=F("enrollment__last_month"))
        .values_list("enrollment_id", flat=True)
    )
    created = 0
    for enrollment in Enrollment.objects.filter(pk__in=changed_ids).select_related("person"):
        amounts = list(enrollment.amounts.order_by("-from_month"))
        paid = dict(earlier.filter(enrollment=enrollment).values_list("month").annotate(total=Sum("amount")))
        first = min(paid)
        for month in months_between(first, run.month.replace(day=1)):
            if month >= run.month or month not in paid:
                continue
            difference = _due(enrollment, month, amounts) - paid[month]
            if difference:
                created += _correction(run, enrollment, month, difference)
    return created


def _correction(run: PayrollRun, enrollment: Enrollment, month: date, difference: Decimal) -> int:
    line = PaymentLine.ARREARS if difference > 0 else PaymentLine.RECOVERY
    if Payment.objects.filter(run=run, enrollment=enrollment, month=month, line=line).exists():
        return 0
    person = enrollment.person
    payment = Payment(run=run, enrollment=enrollment, area_id=enrollment.area_id, month=month, line=line,
                      amount=difference, payee_name=person.name, bank_name=person.bank_name,
                      bank_account=person.bank_account,
                      basis={"correction_of": f"{month:%Y-%m}", "difference": str(difference)})
    payment.signature = signing.sign(payment)
    payment.save()
    return 1


def _count_totals(run: PayrollRun) -> None:
    totals = run.payments.aggregate(count=Count("id"), total=Sum("amount"))
    run.payment_count = totals["count"]
    run.total_amount = totals["total"] or Decimal("0.00")


def _finish_compute(run: PayrollRun, actor) -> None:
    _count_totals(run)
    run.state = RunState.COMPUTED
    run.computed_at = timezone.now()
    attribute_to(run, actor)
    run.save()


@transaction.atomic
def approve_run(run: PayrollRun, *, actor) -> PayrollRun:
    """Four eyes: the person who prepared the run cannot approve it (the database refuses too)."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    check_move(RunMove.APPROVE, run.state)
    if actor.pk == run.prepared_by_id:
        raise NotPermitted("编制人不能审核自己编制的发放批次，请由另一名财务人员审核。", code="four_eyes")
    _may_run_payroll(actor, "审核发放批次")
    tampered = tampered_payments(run)
    if tampered:
        raise Conflict(f"有 {len(tampered)} 笔发放明细的签名不符，可能被改动，不能审核。", code="tampered",
                       details={"payments": tampered[:50]})
    run.state = RunState.APPROVED
    run.approved_by = actor
    run.approved_at = timezone.now()
    attribute_to(run, actor)
    run.save()
    return run


def tampered_payments(run: PayrollRun) -> list[int]:
    """Ids of the run's payments whose signature no longer matches their key fields: one statement that
    recomputes every row's HMAC in the database, as the payroll INSERT computed it."""
    month = "to_char(x.month, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else "x.month"
    expected = _signature_sql(enrollment="x.enrollment_id", month=month, line="x.line", amount="x.amount",
                              account="x.bank_account")
    ipad, opad = signing.hmac_pads()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT x.id FROM {Payment._meta.db_table} x WHERE x.run_id = %(run)s"
                       f" AND x.signature <> {expected} ORDER BY x.id", {"run": run.pk, "ipad": ipad, "opad": opad})
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def close_run(run: PayrollRun, *, actor) -> PayrollRun:
    """A reconciled run is closed: nothing about it changes any more (failed payments are re-issued in a
    later run, which does not touch this one)."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    check_move(RunMove.CLOSE, run.state)
    _may_run_payroll(actor, "关闭发放批次")
    run.state = RunState.CLOSED
    attribute_to(run, actor)
    run.save(update_fields=["state"])
    return run


def next_run_for(payment: Payment) -> PayrollRun | None:
    """The run a re-issue of `payment` lands in: the earliest run after the payment's run, still open for
    payments (draft or computed), that covers the payment's policy."""
    return (PayrollRun.objects.filter(month__gt=payment.run.month, state__in=[RunState.DRAFT, RunState.COMPUTED])
            .filter(Q(policy__isnull=True) | Q(policy_id=payment.enrollment.policy_id))
            .order_by("month", "pk").first())


@transaction.atomic
def reissue_failed(payment: Payment, *, actor, bank_account: str | None = None, bank_name: str | None = None,
                   run: PayrollRun | None = None) -> Payment:
    """Pay a failed payment again, in the next open run, to a corrected account (by default the person's
    account as it is now). The re-issue points to the failed payment (`reissue_of`, one-to-one), so it
    happens once only; the failed payment itself stays as it was, for the record."""
    _may_run_payroll(actor, "重新发放")
    payment = (Payment.objects.select_for_update(of=("self",)).select_related("run", "enrollment__person")
               .get(pk=payment.pk))
    if payment.status != PaymentStatus.FAILED:
        raise Conflict(f"这笔发放为“{payment.get_status_display()}”，只有发放失败的可以重新发放。",
                       code="not_failed")
    if Payment.objects.filter(reissue_of=payment).exists():
        raise Conflict("这笔失败的发放已经重新发放过，不能重复。", code="already_reissued")
    target = run or next_run_for(payment)
    if target is None:
        raise DomainError(f"没有可以放入的下一期发放批次：请先编制{payment.run.month:%Y年%-m月}之后的发放批次"
                          f"（草稿或已计算）。", code="no_next_run")
    target = PayrollRun.objects.select_for_update().get(pk=target.pk)
    if target.state not in (RunState.DRAFT, RunState.COMPUTED) or target.month <= payment.run.month:
        raise IllegalTransition(f"发放批次“{target}”不能再加入发放明细。", details={"state": target.state})
    person = payment.enrollment.person
    account = (bank_account if bank_account is not None else person.bank_account).strip()
    if not account:
        raise DomainError(f"{person.name}没有登记银行账号，请先在救助对象信息中补充，或在此填写账号。",
                          code="no_account", details={"field": "bank_account"})
    if not account.isdigit() or not 8 <= len(account) <= 32:
        raise DomainError("银行账号应为 8–32 位数字。", code="bad_account", details={"field": "bank_account"})
    reissue = Payment(run=target, enrollment=payment.enrollment, area_id=payment.area_id, month=payment.month,
                      line=payment.line, amount=payment.amount, payee_name=person.name,
                      bank_name=(bank_name if bank_name is not None else person.bank_name) or payment.bank_name,
                      bank_account=account, reissue_of=payment,
                      basis={**payment.basis, "reissue_of": payment.pk, "failure_reason": payment.failure_reason,
                             "failed_account": payment.bank_account})
    reissue.signature = signing.sign(reissue)
    reissue.save()
    if target.state == RunState.COMPUTED:
        _count_totals(target)
        attribute_to(target, actor)
        target.save(update_fields=["payment_count", "total_amount"])
    return reissue


def payable_count(run: PayrollRun) -> int:
    """How many enrollments the run pays (before computing: decides whether to compute in the background)."""
    return _payable(run).count()


def totals_of(run: PayrollRun) -> list[dict]:
    """Count and amount of the run's payments by line and status, in one grouped query."""
    rows = (run.payments.order_by().values("line", "status").annotate(count=Count("id"), amount=Sum("amount"))
            .order_by("line", "status"))
    return [dict(row) for row in rows]
