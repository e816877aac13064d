"""Long work as background tasks with a persisted `Job` record (progress, counts, errors, result file).

    job = start_job(kind="geo.export_areas", title="导出行政区划", actor=user, task=export_areas_task, params={...})

The task function receives `job_id`, and runs its body inside `running(job_id)`, which marks the job
running, records success or failure, and never lets an exception vanish. Running a job body again must
be safe (idempotent): a worker can die half-way, and whatever starts the job again (the page or command
that created it) must find nothing half-applied. See docs/subsystems/jobs.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import JobStatus
from .exceptions import DomainError
from .middleware import reset_request_id, set_request_id
from .models import Job

logger = logging.getLogger(__name__)

# A bad file can have a million bad rows; the first thousand tell the user what to fix.
MAX_ERRORS = 1000


def start_job(*, kind: str, title: str, actor: Any, task: Any, params: dict | None = None) -> Job:
    """Create the job record and enqueue its task once the surrounding transaction commits."""
    job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=actor)

    def enqueue() -> None:
        result = task.enqueue(job_id=job.pk)
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


class JobProgress:
    """Handle given to a running job body to report progress cheaply (one UPDATE per call)."""

    def __init__(self, job: Job):
        self.job = job

    def set_total(self, total: int) -> None:
        self.job.total = total
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def advance(self, by: int = 1) -> None:
        """Count `by` more items done, and publish the counts and errors gathered so far."""
        self.job.done += by
        Job.objects.filter(pk=self.job.pk).update(
            done=F("done") + by, counts=self.job.counts, errors=self.job.errors[:MAX_ERRORS]
        )

    def error(self, message: str, **where: Any) -> None:
        """Record a problem with one item (e.g. `row=12`); shown on the job page as it runs."""
        self.job.errors.append({"message": message, **where})

    def count(self, name: str, by: int = 1) -> None:
        self.job.counts[name] = self.job.counts.get(name, 0) + by

    def attach(self, filename: str, content: bytes) -> None:
        self.job.result_file.save(filename, ContentFile(content), save=False)


@contextmanager
def running(job_id: int) -> Iterator[JobProgress]:
    job = Job.objects.get(pk=job_id)
    token = set_request_id(f"job-{job.pk}")
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.done = 0
    job.errors = []
    job.counts = {}
    job.save(update_fields=["status", "started_at", "done", "errors", "counts"])
    progress = JobProgress(job)
    try:
        yield progress
    except DomainError as exc:
        _finish(job, JobStatus.FAILED, exc.message)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, "处理时发生内部错误，已记录日志，请联系管理员。")
        raise
    else:
        _finish(job, JobStatus.SUCCEEDED, job.message or "已完成")
    finally:
        reset_request_id(token)


def _finish(job: Job, status: str, message: str) -> None:
    job.refresh_from_db(fields=["done", "total"])
    job.status = status
    job.message = message[:500]
    job.finished_at = timezone.now()
    if status == JobStatus.SUCCEEDED and job.total is not None:
        job.done = job.total
    job.errors = job.errors[:MAX_ERRORS]
    job.save(update_fields=["status", "message", "finished_at", "done", "errors", "counts", "result_file"])


INTERRUPTED_MESSAGE = "后台任务进程重启，任务中断。请重新发起（已完成的部分不会重复处理）。"


def fail_interrupted_jobs() -> int:
    """Jobs left `running` by a worker that is gone are marked failed with a plain message, so nobody
    waits on a progress bar that will never move. Only for the embedded mode (`onedoor serve`), where
    the one worker it starts is the only one: with several workers a running job may be alive."""
    return Job.objects.filter(status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, message=INTERRUPTED_MESSAGE, finished_at=timezone.now()
    )
