"""`onedoor report annual YEAR [--area CODE] [--format json|xlsx|pdf] [--out FILE] [--user USERNAME]`
and `onedoor report monthly YYYY-MM [--area CODE] [--format json|xlsx] [--out FILE] [--user USERNAME]`.

The same code as the pages and the API (`reports.annual`). Without --user the command runs as the system: a
reader holding the admin role and no other grant, so it sees every record of the database (the whole district
unless --area narrows it). With --user the figures are those that account may see, exactly as on its pages.
Without --out, JSON is printed and files are written to the current directory under a default name.
Exit status: 0 written; 2 bad arguments (unknown account, area outside the reader's scope, bad year or month).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from onedoor.core.exceptions import DomainError
from onedoor.core.scoping import ADMIN_ROLE, Grant


class SystemReader:
    """The reader of a report run from the command line without --user: the admin role, nothing else."""

    is_authenticated = True
    is_active = True
    pk = None
    username = "system"

    def active_grants(self):
        return [Grant(role=ADMIN_ROLE)]


class Command(BaseCommand):
    help = "生成统计报表：年度报告（json/xlsx/pdf）或月度统计（json/xlsx）。不指定 --user 时以系统身份统计全部记录。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["annual", "monthly"], help="annual：年度报告；monthly：月度统计")
        parser.add_argument("when", help="年份（annual，如 2026）或月份（monthly，如 2026-03）")
        parser.add_argument("--area", help="区划代码（12位，默认全区）")
        parser.add_argument("--format", dest="fmt", choices=["json", "xlsx", "pdf"], default="json")
        parser.add_argument("--out", help="输出文件路径（json 默认打印到屏幕）")
        parser.add_argument("--user", help="以该账号的数据范围统计")

    def handle(self, *args, kind: str, when: str, area: str | None, fmt: str, out: str | None, user: str | None,
               **options):
        from onedoor.reports import annual, exports
        from onedoor.reports.api import monthly_dict
        from onedoor.reports.params import parse_month, parse_year, resolve_area
        from onedoor.reports.schema import report_dict

        reader = self._reader(user)
        try:
            code = resolve_area(reader, area)
            if kind == "annual":
                start, end = annual.year_period(parse_year(when))
                report = annual.annual_report(reader, start=start, end=end, area_code=code)
                stem = f"annual-report-{start.year}-{code}"
                if fmt == "json":
                    content = json.dumps(report_dict(report), ensure_ascii=False, indent=2).encode()
                elif fmt == "xlsx":
                    content = exports.annual_xlsx(report)
                else:
                    months = annual.subsidies_by_month(reader, start=start, end=end, area_code=code)
                    content = exports.annual_pdf(report, monthly=months)
            else:
                if fmt == "pdf":
                    raise CommandError("月度统计只能导出 json 或 xlsx。", returncode=2)
                month = parse_month(when)
                stats = annual.monthly_statistics(reader, month=month, area_code=code)
                stem = f"monthly-{month:%Y-%m}-{code}"
                content = (json.dumps(monthly_dict(stats), ensure_ascii=False, indent=2).encode() if fmt == "json"
                           else exports.monthly_xlsx(stats))
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        except Http404:
            raise CommandError(f"没有区划代码，或不在该账号的数据范围内：{area}", returncode=2) from None
        if out is None and fmt == "json":
            self.stdout.write(content.decode())
            return
        target = Path(out or f"{stem}.{fmt}")
        if not target.parent.is_dir():
            raise CommandError(f"目录不存在：{target.parent}", returncode=2)
        target.write_bytes(content)
        self.stdout.write(f"已写入：{target}")

    def _reader(self, username: str | None):
        if not username:
            return SystemReader()
        from onedoor.accounts.models import User

        reader = User.objects.filter(username=username, is_active=True).first()
        if reader is None:
            raise CommandError(f"没有账号：{username}", returncode=2)
        return reader
