"""Small builders the probes of several apps share."""

from __future__ import annotations

from typing import Any


def foreign_job(world: Any):
    """A finished job of the 五显镇 clerk, with a result file naming 五显镇."""
    from django.core.files.base import ContentFile

    from .choices import JobStatus
    from .models import Job

    job = Job.objects.create(kind="probe", title="五显镇导出", status=JobStatus.SUCCEEDED,
                             created_by=world.user("clerk.wuxian"))
    job.result_file.save("wuxian.txt", ContentFile("五显镇".encode()), save=True)
    return job
