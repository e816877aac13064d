"""Benefits' side of the intake hand-over (intake.signals.task_approved)."""

from __future__ import annotations

from onedoor.policies.choices import PolicyKind


def enroll_approved_task(sender, *, task, actor, **kwargs) -> None:
    """An approved monthly-cash decision starts an enrollment, in the approving transaction."""
    if task.policy.kind != PolicyKind.MONTHLY_CASH:
        return
    from .actions import enroll_from_decision

    enroll_from_decision(task, actor=actor)


def end_benefits_at_death(sender, *, person, actor, **kwargs) -> None:
    """Death stops every live benefit from the month after it (registry.signals.person_died)."""
    from .actions import end_at_death

    end_at_death(person, actor=actor)


def review_household_after_death(sender, *, person, actor, **kwargs) -> None:
    """The household's other live benefits: amount again from the month after the death, and a review
    within 3 months (registry.signals.person_died)."""
    from .reviews import review_household_after_death

    review_household_after_death(person, actor=actor)


def recompute_for_household(sender, *, household, actor, on, change="", **kwargs) -> None:
    """A member joined or left, the head changed or a member's income changed
    (registry.signals.household_changed): the household's
    live enrollments are computed again from the month after the change. The month of the change
    was due (often paid) under the old composition, and amounts read the household as it is on the
    first of a month, so a change on the 20th first counts on the 1st of the next month."""
    from .actions import change_payee, recompute_if_changed
    from .choices import LIVE_STATUSES
    from .models import Enrollment
    from .months import add_months, month_of

    reasons = {"member_joined": "家庭成员增加", "member_left": "家庭成员减少", "head_changed": "变更户主",
               "income_changed": "家庭成员收入变化"}
    reason = f"{reasons.get(change, '家庭成员变化')}（{on:%Y-%m-%d}）"
    for enrollment in Enrollment.objects.filter(household=household, status__in=LIVE_STATUSES).order_by("pk"):
        if change == "head_changed" and enrollment.person_id != household.head_id:
            change_payee(enrollment, actor=actor, person=household.head, reason=reason)
        recompute_if_changed(enrollment, actor=actor, from_month=add_months(month_of(on), 1), reason=reason)


def recompute_for_new_standard(sender, *, standard, actor, **kwargs) -> None:
    """A new standard (policies.signals.standard_changed): a background job, started when the standard
    commits, computes again the live enrollments whose amount depends on it, from its month; months
    already paid are corrected by the next payroll run. A job, not the standard's transaction: a
    district has thousands of such enrollments, each reading its own household."""
    from onedoor.core.jobs import start_job

    from .actions import standard_change_reason
    from .tasks_enrollments import recompute_for_standard_job

    start_job(kind="benefits.recompute_for_standard", title=f"按新标准重算待遇：{standard_change_reason(standard)}",
              actor=actor, task=recompute_for_standard_job, params={"standard": standard.pk})
