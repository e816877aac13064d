"""Background jobs of the enrollment side (django-tasks), run by the task worker."""

from __future__ import annotations

from django_tasks import task

from onedoor.core.exceptions import DomainError
from onedoor.core.jobs import running

PROGRESS_EVERY = 50


@task()
def recompute_for_standard_job(job_id: int) -> None:
    """After a new standard: every live enrollment whose amount depends on it, computed again from the
    standard's month, one enrollment per transaction. Safe to run again: an enrollment whose amount
    and inputs come out the same gets no new row. An enrollment that cannot be computed (a 特困 person
    without a self-care assessment) is listed as an error; the others go on."""
    from onedoor.policies.models import Standard

    from .actions import affected_by_standard, recompute_if_changed, standard_change_reason
    from .models import Enrollment

    with running(job_id) as progress:
        job = progress.job
        standard = Standard.objects.get(pk=job.params["standard"])
        ids = list(affected_by_standard(standard.kind, standard.hukou_type).order_by("pk")
                   .values_list("pk", flat=True))
        progress.set_total(len(ids))
        reason = standard_change_reason(standard)
        pending = 0
        for pk in ids:
            try:
                changed = recompute_if_changed(Enrollment(pk=pk), actor=job.created_by,
                                               from_month=standard.effective_from, reason=reason)
            except DomainError as exc:
                progress.error(exc.message, enrollment=pk)
                progress.count("失败")
            else:
                progress.count("已调整" if changed is not None else "金额不变")
            pending += 1
            if pending == PROGRESS_EVERY:
                progress.advance(pending)
                pending = 0
        progress.advance(pending)
        counts = job.counts
        job.message = (f"{reason}：调整 {counts.get('已调整', 0)} 项，金额不变 {counts.get('金额不变', 0)} 项"
                       + (f"，失败 {counts['失败']} 项" if counts.get("失败") else "") + "。")
