"""Aid's side of the intake hand-over (intake.signals.task_approved)."""

from __future__ import annotations

from onedoor.policies.choices import PolicyKind


def aid_from_approved_task(sender, *, task, actor, **kwargs) -> None:
    """An approved one-off-cash decision becomes an aid payment (急难型 under 先行救助 disbursed at once);
    an approved loan decision becomes a loan waiting for its bank contract."""
    if task.policy.kind == PolicyKind.ONE_OFF_CASH:
        from .actions import payment_from_task

        payment_from_task(task, actor=actor)
    elif task.policy.kind == PolicyKind.LOAN:
        from .actions import loan_from_task

        loan_from_task(task, actor=actor)
