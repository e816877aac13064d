"""Background jobs of the benefits app: computing a payroll run and writing its bank file
(docs/subsystems/payroll.md). Each job reads the run through the creator's scope and calls the same
action as the CLI and the API."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from onedoor.core.exceptions import DomainError
from onedoor.core.jobs import running, start_job
from onedoor.core.models import Job

from . import bankfile, payroll
from .models import PayrollRun

COMPUTE_KIND = "benefits.compute_run"
EXPORT_KIND = "benefits.export_bank_file"


def _run_of(progress) -> PayrollRun:
    run = PayrollRun.objects.visible_to(progress.job.created_by).filter(pk=progress.job.params.get("run_id")).first()
    if run is None:
        raise DomainError("没有找到该发放批次，或者您无权操作。")
    return run


@task()
def compute_run(job_id: int) -> None:
    with running(job_id) as progress:
        user = progress.job.created_by
        run = _run_of(progress)
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


@task()
def export_bank_file(job_id: int) -> None:
    """A million-row bank file takes minutes: it is written by the worker, not in the request."""
    with running(job_id) as progress:
        params = progress.job.params
        bank = bankfile.export_bank_file(_run_of(progress), actor=progress.job.created_by, fmt=params["fmt"],
                                         encoding=params["encoding"])
        progress.count("rows", bank.rows)
        note = f"；{bank.summary['no_account']} 笔没有银行账号，已记为发放失败" if bank.summary.get("no_account") else ""
        progress.job.message = f"已生成银行发放文件：{bank.rows} 笔，合计 {bank.total_amount} 元{note}。"


def start_export(*, actor: Any, run: PayrollRun, fmt: str, encoding: str) -> Job:
    return start_job(kind=EXPORT_KIND, title=f"生成银行发放文件：{run}", actor=actor, task=export_bank_file,
                     params={"run_id": run.pk, "fmt": fmt, "encoding": encoding})


def latest_run_job(user: Any, run: PayrollRun) -> Job | None:
    """The newest background job of a run (computing or writing its bank file), for the progress bar."""
    return (Job.objects.visible_to(user).filter(kind__in=[COMPUTE_KIND, EXPORT_KIND], params__run_id=run.pk)
            .order_by("-pk").first())
