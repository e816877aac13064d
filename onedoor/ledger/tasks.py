"""Background jobs of the ledger: the xlsx exports (they can hold a district's year of records). Each
reads only what the job's creator may see."""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Any

from django.core.files import File
from django_tasks import task

from onedoor.core.jobs import running, start_job
from onedoor.core.models import Job

from .exporter import export_duplicates, export_records
from .selectors import LedgerFilter


def _attach(progress, filename: str, write) -> int:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as scratch:
        count = write(scratch.name)
        with open(scratch.name, "rb") as written:
            progress.job.result_file.save(filename, File(written), save=False)
    return count


@task()
def export_ledger(job_id: int) -> None:
    with running(job_id) as progress:
        flt = LedgerFilter.from_params(progress.job.params)
        count = _attach(progress, "救助台账.xlsx", lambda target: export_records(
            user=progress.job.created_by, target=target, flt=flt, progress=progress))
        progress.count("records", count)
        progress.job.message = f"已导出 {count} 条救助记录。"


@task()
def export_duplicate_aid(job_id: int) -> None:
    with running(job_id) as progress:
        params = progress.job.params
        flt = LedgerFilter.from_params(params)
        count = _attach(progress, "重复救助核查.xlsx", lambda target: export_duplicates(
            user=progress.job.created_by, target=target, start=flt.start, end=flt.end, kind=flt.kind,
            progress=progress))
        progress.count("people", count)
        progress.job.message = f"已导出 {count} 条疑似重复救助。"


def start_ledger_export(*, actor: Any, flt: LedgerFilter) -> Job:
    return start_job(kind="ledger.export", title="导出救助台账", actor=actor, task=export_ledger,
                     params=flt.as_params())


def start_duplicate_export(*, actor: Any, start: date | None, end: date | None, kind: str | None) -> Job:
    params = LedgerFilter(start=start, end=end, kind=kind).as_params()
    return start_job(kind="ledger.export_duplicates", title="导出重复救助核查", actor=actor, task=export_duplicate_aid,
                     params=params)
