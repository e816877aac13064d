"""Every change of an enrollment: created from a decision, amount recomputed (standard change,
household change, review), suspended, resumed, fading out (渐退期), ended (also at death).
Payroll actions are in benefits/payroll.py."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError
from onedoor.policies.choices import PolicySubject, ReviewFrequency, StandardKind
from onedoor.policies.models import Policy
from onedoor.registry.models import Household, Person

from .amounts import Computed, compute_amount
from .choices import LIVE_STATUSES, AmountMethod, EnrollmentStatus, Rounding
from .models import BenefitRule, Enrollment, EnrollmentAmount, EnrollmentEvent
from .months import add_months, month_of

REVIEW_MONTHS = {ReviewFrequency.QUARTERLY: 3, ReviewFrequency.HALF_YEARLY: 6, ReviewFrequency.YEARLY: 12}


def rule_for(policy: Policy) -> BenefitRule:
    """The policy's amount rule; a policy without one pays the amount written in its decision."""
    try:
        return policy.benefit_rule
    except BenefitRule.DoesNotExist:
        return BenefitRule(policy=policy, method=AmountMethod.DECIDED, rounding=Rounding.FEN)


def _event(enrollment: Enrollment, actor, code: str, note: str = "", **data) -> EnrollmentEvent:
    return EnrollmentEvent.objects.create(enrollment=enrollment, actor=actor, code=code, note=note, data=data)


def _compute(enrollment: Enrollment, month: date, decided_amount=None) -> Computed:
    return compute_amount(rule_for(enrollment.policy), month=month, person=enrollment.person,
                          household=enrollment.household, decided_amount=decided_amount)


def _set_amount(enrollment: Enrollment, month: date, computed: Computed, reason: str) -> EnrollmentAmount:
    row, _ = EnrollmentAmount.objects.update_or_create(
        enrollment=enrollment, from_month=month,
        defaults={"amount": computed.amount, "basis": computed.basis, "reason": reason,
                  "created_at": timezone.now()},
    )
    latest = enrollment.amounts.order_by("-from_month").first()
    enrollment.monthly_amount = latest.amount
    enrollment.save(update_fields=["monthly_amount"])
    return row


def review_due_after(policy: Policy, month: date) -> date | None:
    months = REVIEW_MONTHS.get(policy.review_frequency)
    return add_months(month, months) if months else None


@transaction.atomic
def enroll_from_decision(task, *, actor) -> Enrollment:
    """Start paying what an approved task decided: from the month after the decision (or as the
    policy's rule says), at the amount computed for that month, with its inputs."""
    if Enrollment.objects.filter(decision=task).exists():
        raise Conflict("该审批决定已建立待遇，不能重复建立。", code="already_enrolled")
    application = task.application
    person: Person = application.applicant
    household: Household | None = application.household if task.policy.subject == PolicySubject.HOUSEHOLD else None
    if task.policy.subject == PolicySubject.HOUSEHOLD and household is None:
        raise DomainError(f"“{task.policy}”按户保障，申请中须选定家庭。", code="household_required")
    rule = rule_for(task.policy)
    decided_on = timezone.localdate(task.decided_at) if task.decided_at else timezone.localdate()
    start = add_months(month_of(decided_on), rule.start_after_months)
    computed = compute_amount(rule, month=start, person=person, household=household,
                              decided_amount=task.decided_amount)
    if Enrollment.objects.filter(policy=task.policy, person=person, status__in=LIVE_STATUSES).exists():
        raise Conflict(f"{person.name}已在享受“{task.policy}”，请走复核变更，不要重复建档。",
                       code="already_enrolled")
    enrollment = Enrollment.objects.create(
        policy=task.policy, person=person, household=household, decision=task, area_id=application.area_id,
        monthly_amount=computed.amount, start_month=start, review_due=review_due_after(task.policy, start),
    )
    attribute_to(enrollment, actor)
    _set_amount(enrollment, start, computed, "审批决定")
    _event(enrollment, actor, "enrolled", f"{start:%Y年%-m月}起发放", amount=str(computed.amount),
           task=task.pk)
    return enrollment


def _locked(enrollment: Enrollment) -> Enrollment:
    return Enrollment.objects.select_for_update(of=("self",)).select_related("policy", "person", "household").get(
        pk=enrollment.pk)


def _same_basis(left: dict, right: dict) -> bool:
    """Two computations agree on everything but the month they were made for."""
    return {k: v for k, v in left.items() if k != "month"} == {k: v for k, v in right.items() if k != "month"}


def _recompute(enrollment: Enrollment, *, actor, from_month: date, reason: str, only_if_changed: bool
               ) -> EnrollmentAmount | None:
    """The amount from `from_month` again, and every later amount row too: a later row was computed
    from the inputs of its own time, and a change from an earlier month (a standard set late, a member
    who joined before a review) must reach it. With `only_if_changed`, months whose amount and inputs
    come out the same are left as they are (a trigger that did not touch this enrollment writes nothing)."""
    if enrollment.status not in LIVE_STATUSES:
        raise DomainError("待遇已终止，不能重新核定金额。", code="enrollment_ended")
    if not reason.strip():
        raise DomainError("请说明重新核定的原因。", code="reason_required", details={"field": "reason"})
    from_month = max(month_of(from_month), enrollment.start_month)
    decided = enrollment.decision.decided_amount if enrollment.decision_id else None
    rows = list(enrollment.amounts.order_by("from_month"))
    months = [from_month] + [row.from_month for row in rows if row.from_month > from_month]
    old = enrollment.monthly_amount
    written: list[EnrollmentAmount] = []
    for month in months:
        computed = _compute(enrollment, month, decided)
        in_force = [row for row in rows if row.from_month <= month]
        if (only_if_changed and in_force and in_force[-1].amount == computed.amount
                and _same_basis(in_force[-1].basis, computed.basis)):
            continue
        written.append(_set_amount(enrollment, month, computed, reason.strip()))
    if written:
        _event(enrollment, actor, "amount_changed", reason.strip(), old=str(old), new=str(written[0].amount),
               from_month=f"{written[0].from_month:%Y-%m}")
    return written[0] if written else None


@transaction.atomic
def recompute_amount(enrollment: Enrollment, *, actor, from_month: date, reason: str) -> EnrollmentAmount:
    """A new amount from `from_month` (a review, a correction by the handler). Months already paid
    are corrected by the next payroll run (补发 or 追回 lines)."""
    row = _recompute(_locked(enrollment), actor=actor, from_month=from_month, reason=reason, only_if_changed=False)
    assert row is not None
    return row


@transaction.atomic
def recompute_if_changed(enrollment: Enrollment, *, actor, from_month: date, reason: str
                         ) -> EnrollmentAmount | None:
    """What the triggers call (a new standard, a household change, a death in the household): a new
    amount row only where the amount or its inputs differ; None when nothing changed."""
    return _recompute(_locked(enrollment), actor=actor, from_month=from_month, reason=reason,
                      only_if_changed=True)


def affected_by_standard(kind: str, hukou_type: str = ""):
    """Live enrollments whose rule uses a standard of `kind` (for urban or rural ones only, if given)."""
    if kind == StandardKind.DIBAO:
        by_rule = Q(policy__benefit_rule__method=AmountMethod.DIBAO_GAP)
    elif kind.startswith("tekun"):
        by_rule = Q(policy__benefit_rule__method=AmountMethod.TEKUN)
    else:
        by_rule = Q(policy__benefit_rule__method=AmountMethod.STANDARD, policy__benefit_rule__standard_kind=kind)
    affected = Enrollment.objects.filter(by_rule, status__in=LIVE_STATUSES)
    if hukou_type:
        # The urban/rural type is the household's, else the person's (amounts._dibao_gap, _standard).
        affected = affected.filter(Q(household__hukou_type=hukou_type)
                                   | Q(household__hukou_type="", person__hukou_type=hukou_type)
                                   | Q(household__isnull=True, person__hukou_type=hukou_type))
    return affected


def standard_change_reason(standard) -> str:
    label = StandardKind(standard.kind).label if standard.kind in StandardKind.values else standard.kind
    return f"{label}自{standard.effective_from:%Y年%-m月}起调整为{standard.amount}"


@transaction.atomic
def suspend(enrollment: Enrollment, *, actor, reason: str) -> Enrollment:
    enrollment = _locked(enrollment)
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise DomainError(f"待遇当前为“{enrollment.get_status_display()}”，不能暂停。", code="not_active")
    enrollment.status = EnrollmentStatus.SUSPENDED
    attribute_to(enrollment, actor)
    enrollment.save(update_fields=["status"])
    _event(enrollment, actor, "suspended", reason)
    return enrollment


@transaction.atomic
def resume(enrollment: Enrollment, *, actor, reason: str) -> Enrollment:
    enrollment = _locked(enrollment)
    if enrollment.status != EnrollmentStatus.SUSPENDED:
        raise DomainError("只有暂停发放的待遇可以恢复。", code="not_suspended")
    enrollment.status = EnrollmentStatus.ACTIVE
    attribute_to(enrollment, actor)
    enrollment.save(update_fields=["status"])
    _event(enrollment, actor, "resumed", reason)
    return enrollment


@transaction.atomic
def start_fading(enrollment: Enrollment, *, actor, months: int, reason: str, from_month: date | None = None
                 ) -> Enrollment:
    """渐退期: a member found work; payment goes on for up to the rule's months (at most 6), then ends."""
    enrollment = _locked(enrollment)
    limit = rule_for(enrollment.policy).fading_months
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise DomainError("只有正常发放的待遇可以进入渐退期。", code="not_active")
    if not 1 <= months <= limit:
        raise DomainError(f"渐退期为 1 至 {limit} 个月。", code="fading_months", details={"field": "months"})
    first = month_of(from_month or timezone.localdate())
    enrollment.status = EnrollmentStatus.ENDING
    enrollment.last_month = max(add_months(first, months - 1), enrollment.start_month)
    enrollment.review_due = None  # it ends at its last month: no periodic review is left to do
    attribute_to(enrollment, actor)
    enrollment.save(update_fields=["status", "last_month", "review_due"])
    _event(enrollment, actor, "fading", reason, last_month=f"{enrollment.last_month:%Y-%m}")
    return enrollment


@transaction.atomic
def end_enrollment(enrollment: Enrollment, *, actor, last_month: date, reason: str, code: str = "ended"
                   ) -> Enrollment:
    """Stop paying after `last_month` (included). Months already paid beyond it are recovered by the
    next payroll run (追回 lines)."""
    enrollment = _locked(enrollment)
    if enrollment.status == EnrollmentStatus.ENDED:
        raise DomainError("待遇已终止。", code="enrollment_ended")
    if not reason.strip():
        raise DomainError("请说明终止原因。", code="reason_required", details={"field": "reason"})
    # A last month before the start month is an empty period: nothing was ever due.
    last = month_of(last_month)
    enrollment.status = EnrollmentStatus.ENDED
    enrollment.last_month = last
    attribute_to(enrollment, actor)
    enrollment.save(update_fields=["status", "last_month"])
    _event(enrollment, actor, code, reason.strip(), last_month=f"{last:%Y-%m}")
    return enrollment


def end_at_death(person: Person, *, actor) -> int:
    """Death stops every live benefit of the person from the month after the death."""
    count = 0
    for enrollment in Enrollment.objects.filter(person=person, status__in=LIVE_STATUSES):
        end_enrollment(enrollment, actor=actor, last_month=person.death_date, reason="死亡", code="deceased")
        count += 1
    return count


@transaction.atomic
def change_payee(enrollment: Enrollment, *, actor, person: Person, reason: str) -> Enrollment:
    """A household benefit is paid to the head: when the head changes, the new head receives it."""
    enrollment = _locked(enrollment)
    if enrollment.status not in LIVE_STATUSES:
        raise DomainError("待遇已终止，不能变更领取人。", code="enrollment_ended")
    if person.pk == enrollment.person_id:
        return enrollment
    if person.death_date is not None:
        raise DomainError(f"{person.name}已登记死亡，不能作为领取人。", code="deceased")
    if Enrollment.objects.filter(policy=enrollment.policy, person=person, status__in=LIVE_STATUSES).exists():
        raise Conflict(f"{person.name}已在享受“{enrollment.policy}”，不能再作为本户待遇的领取人。",
                       code="already_enrolled")
    before = enrollment.person
    enrollment.person = person
    attribute_to(enrollment, actor)
    enrollment.save(update_fields=["person"])
    _event(enrollment, actor, "payee_changed", reason, before=before.pk, after=person.pk)
    return enrollment
