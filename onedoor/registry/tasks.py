"""Background jobs of the registry: validating, committing and rolling back an import, and exporting
the registry. Each task reads only what the job's creator may see (docs/subsystems/jobs.md)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files import File
from django_tasks import task

from onedoor.core.exceptions import DomainError
from onedoor.core.jobs import JobProgress, running, start_job
from onedoor.core.models import Job

from . import actions
from .exporter import export_persons
from .models_import import ImportBatch


def _batch(progress: JobProgress) -> ImportBatch:
    batch = (ImportBatch.objects.visible_to(progress.job.created_by, "commit")
             .filter(pk=progress.job.params.get("batch_id")).first())
    if batch is None:
        raise DomainError("没有找到该导入批次，或者您无权操作。")
    return batch


def _report(progress: JobProgress, batch: ImportBatch) -> None:
    for key, value in batch.counts.items():
        progress.count(key, value)
    progress.job.message = batch.message


@task()
def validate_import(job_id: int) -> None:
    with running(job_id) as progress:
        batch = actions.validate_import_batch(actor=progress.job.created_by, batch=_batch(progress), progress=progress)
        _report(progress, batch)


@task()
def commit_import(job_id: int) -> None:
    with running(job_id) as progress:
        batch = actions.commit_import_batch(actor=progress.job.created_by, batch=_batch(progress), progress=progress)
        _report(progress, batch)


@task()
def rollback_import(job_id: int) -> None:
    with running(job_id) as progress:
        batch = actions.rollback_import_batch(actor=progress.job.created_by, batch=_batch(progress), progress=progress)
        progress.job.message = batch.message


@task()
def export_registry(job_id: int) -> None:
    """The registry the job's creator may see, as xlsx attached to the job (written to a temporary file
    first, so memory stays flat however many people there are)."""
    with running(job_id) as progress:
        params = progress.job.params
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as scratch:
            count = export_persons(user=progress.job.created_by, target=scratch.name,
                                   unmask=bool(params.get("unmask")), reason=params.get("reason", ""),
                                   area=params.get("area") or None, progress=progress)
            with open(scratch.name, "rb") as written:
                progress.job.result_file.save("救助对象名册.xlsx", File(written), save=False)
        progress.count("persons", count)
        progress.job.message = f"已导出 {count} 人。"


# --- starting them (views and the API call these) ---------------------------------------------------

def start_validation(*, actor: Any, batch: ImportBatch) -> Job:
    job = start_job(kind="registry.validate_import", title=f"校验导入文件：{batch.filename}", actor=actor,
                    task=validate_import, params={"batch_id": batch.pk})
    ImportBatch.objects.filter(pk=batch.pk).update(validate_job=job)
    return job


def start_commit(*, actor: Any, batch: ImportBatch) -> Job:
    job = start_job(kind="registry.commit_import", title=f"导入救助对象：{batch.filename}", actor=actor,
                    task=commit_import, params={"batch_id": batch.pk})
    ImportBatch.objects.filter(pk=batch.pk).update(commit_job=job)
    return job


def start_rollback(*, actor: Any, batch: ImportBatch) -> Job:
    job = start_job(kind="registry.rollback_import", title=f"回滚导入：{batch.filename}", actor=actor,
                    task=rollback_import, params={"batch_id": batch.pk})
    ImportBatch.objects.filter(pk=batch.pk).update(commit_job=job)
    return job


def start_export(*, actor: Any, unmask: bool = False, reason: str = "", area: str | None = None) -> Job:
    title = "导出救助对象名册（含完整证件号码）" if unmask else "导出救助对象名册"
    return start_job(kind="registry.export_persons", title=title, actor=actor, task=export_registry,
                     params={"unmask": unmask, "reason": reason, "area": area or ""})
