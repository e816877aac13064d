"""Background jobs of the benefits app: computing a payroll run (docs/subsystems/payroll.md). The job
reads the run through the creator's scope and calls the same action as the CLI and the API."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from onedoor.core.exceptions import DomainError
from onedoor.core.jobs import running, start_job
from onedoor.core.models import Job

from . import payroll
from .models import PayrollRun

COMPUTE_KIND = "benefits.compute_run"


@task()
def compute_run(job_id: int) -> None:
    with running(job_id) as progress:
        user = progress.job.created_by
        run = PayrollRun.objects.visible_to(user).filter(pk=progress.job.params.get("run_id")).first()
        if run is None:
            raise DomainError("没有找到该发放批次，或者您无权操作。")
        reported = 0

        def on_batch(done: int, total: int) -> None:
            nonlocal reported
            if reported == 0:
                progress.set_total(total)
            progress.advance(done - reported)
            reported = done

        run = payroll.compute_run(run, actor=user, on_batch=on_batch)
        progress.count("payments", run.payment_count)
        progress.job.message = f"已计算 {run.payment_count} 笔，合计 {run.total_amount} 元。"


def start_compute(*, actor: Any, run: PayrollRun) -> Job:
    return start_job(kind=COMPUTE_KIND, title=f"计算发放批次：{run}", actor=actor, task=compute_run,
                     params={"run_id": run.pk})


def latest_compute_job(user: Any, run: PayrollRun) -> Job | None:
    return (Job.objects.visible_to(user).filter(kind=COMPUTE_KIND, params__run_id=run.pk)
            .order_by("-pk").first())
