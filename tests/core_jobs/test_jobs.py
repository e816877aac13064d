"""Background jobs: the persisted record, the progress partial, failures, and the real DB worker."""

import pytest
from django.core.management import call_command
from django.test import TestCase

from onedoor.core.choices import AccessAction, JobStatus
from onedoor.core.jobs import running, start_job
from onedoor.core.models import AccessLog, Job
from onedoor.core.tabular import read_rows
from onedoor.geo.models import Area
from onedoor.geo.tasks import export_areas


def _export(client):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/areas/export/")
    assert response.status_code == 302
    return Job.objects.latest("pk"), response


def test_export_job_runs_to_a_scoped_xlsx(login):
    client = login("clerk.wuxian")
    job, response = _export(client)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED
    expected = Area.objects.filter(code__startswith="350212110").count()
    assert (job.done, job.total) == (expected, expected)
    with job.result_file.open("rb") as handle:
        rows = [row for _, row in read_rows(handle, filename="x.xlsx")]
    assert len(rows) == expected
    assert {row["区划代码"][:9] for row in rows} == {"350212110"}


def test_progress_partial_polls_until_done(login, world):
    client = login("clerk.wuxian")
    job = Job.objects.create(kind="t", title="测试任务", created_by=world.user("clerk.wuxian"),
                             status=JobStatus.RUNNING, done=3, total=10)
    body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in body and "3 / 10" in body and "width: 30%" in body
    job.status, job.done = JobStatus.SUCCEEDED, 10
    job.save()
    body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in body and "已完成" in body


def test_download_writes_the_access_log(login):
    client = login("clerk.wuxian")
    job, _ = _export(client)
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    log = AccessLog.objects.get(target_id=str(job.pk))
    assert log.action == AccessAction.DOWNLOAD and log.actor.username == "clerk.wuxian" and log.request_id


def test_a_failing_job_is_recorded_not_lost(world):
    job = Job.objects.create(kind="t", title="会失败的任务", created_by=world.user("admin"))
    with pytest.raises(RuntimeError), running(job.pk) as progress:
        progress.set_total(5)
        progress.advance(2)
        raise RuntimeError("disk full")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.done == 2 and job.finished_at
    assert "内部错误" in job.message


def test_rerunning_a_job_starts_its_counts_afresh(world):
    job = Job.objects.create(kind="t", title="重跑", created_by=world.user("admin"))
    for _ in range(2):
        with running(job.pk) as progress:
            progress.set_total(3)
            progress.advance(3)
            progress.count("rows", 3)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.done == 3 and job.counts == {"rows": 3}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    # the settings fixture's change signal makes django-tasks rebuild its backends
    job = start_job(kind="geo.export_areas", title="导出", actor=world.user("dispatcher"), task=export_areas)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_id
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result_file


def test_jobs_left_running_by_a_dead_worker_are_marked_failed(world):
    from onedoor.core.jobs import INTERRUPTED_MESSAGE, fail_interrupted_jobs

    stuck = Job.objects.create(kind="t", title="中断的任务", created_by=world.user("admin"), status=JobStatus.RUNNING)
    queued = Job.objects.create(kind="t", title="排队的任务", created_by=world.user("admin"))
    assert fail_interrupted_jobs() == 1
    stuck.refresh_from_db()
    queued.refresh_from_db()
    assert stuck.status == JobStatus.FAILED and stuck.message == INTERRUPTED_MESSAGE and stuck.finished_at
    assert queued.status == JobStatus.QUEUED
