"""`onedoor escalate_overdue [--date YYYY-MM-DD]`: the daily 督办 of overdue tasks (cron it in production)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from onedoor.intake.deadlines import escalate_overdue


class Command(BaseCommand):
    help = "督办逾期事项：通知调度人员和部门负责人，并在办理记录中登记（同一天重复运行不会重复督办）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算逾期（YYYY-MM-DD，默认今天）")

    def handle(self, *args, date: str | None = None, **options):  # noqa: A002
        try:
            day = _parse(date) if date else None
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from exc
        self.stdout.write(str(escalate_overdue(day)))


def _parse(text: str) -> date:
    return date.fromisoformat(text)
