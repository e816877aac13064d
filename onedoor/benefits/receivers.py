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
