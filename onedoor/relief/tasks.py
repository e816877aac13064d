"""Background jobs of relief campaigns: freezing a campaign's roster from the registry and writing the
campaign summary workbook. Each job finds its campaign through what its creator may manage or see,
and calls the same action as the API (docs/subsystems/jobs.md)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files import File
from django_tasks import task

from onedoor.core.exceptions import DomainError
from onedoor.core.jobs import running, start_job
from onedoor.core.models import Job

from .models import Campaign

GENERATE_KIND = "relief.generate_roster"
SUMMARY_KIND = "relief.campaign_summary"


def _campaign_of(progress, action: str) -> Campaign:
    campaign = (Campaign.objects.visible_to(progress.job.created_by, action)
                .filter(pk=progress.job.params.get("campaign_id")).first())
    if campaign is None:
        raise DomainError("没有找到该活动，或者您无权操作。")
    return campaign


@task()
def generate_campaign_roster(job_id: int) -> None:
    """One set-based INSERT … SELECT per category; a second run is refused by the action (frozen)."""
    from .campaigns import generate_roster

    with running(job_id) as progress:
        campaign = _campaign_of(progress, "manage")
        progress.set_total(1)
        size = generate_roster(campaign, actor=progress.job.created_by)
        progress.count("entries", size)
        progress.job.message = f"“{campaign}”名单已生成：{size} 个对象。"


def start_generate(*, actor: Any, campaign: Campaign) -> Job:
    return start_job(kind=GENERATE_KIND, title=f"生成发放名单：{campaign}", actor=actor,
                     task=generate_campaign_roster, params={"campaign_id": campaign.pk})


@task()
def export_campaign_summary(job_id: int) -> None:
    """The summary workbook (概况, 按镇, 按村, 按类别, 发放明细) of what the creator may see."""
    from .campaign_exports import write_summary

    with running(job_id) as progress:
        campaign = _campaign_of(progress, "view")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as scratch:
            count = write_summary(campaign, user=progress.job.created_by, target=scratch.name, progress=progress)
            with open(scratch.name, "rb") as written:
                progress.job.result_file.save(f"送温暖活动汇总-{campaign.pk}.xlsx", File(written), save=False)
        progress.count("entries", count)
        progress.job.message = f"已导出“{campaign}”汇总：{count} 个对象。"


def start_summary(*, actor: Any, campaign: Campaign) -> Job:
    return start_job(kind=SUMMARY_KIND, title=f"导出活动汇总：{campaign}", actor=actor,
                     task=export_campaign_summary, params={"campaign_id": campaign.pk})


def latest_job(user: Any, campaign: Campaign) -> Job | None:
    """The user's newest job about this campaign (generation or summary), for the progress bar."""
    return (Job.objects.visible_to(user).filter(kind__in=[GENERATE_KIND, SUMMARY_KIND],
                                                params__campaign_id=campaign.pk).order_by("-pk").first())
