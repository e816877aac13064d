"""`onedoor export persons OUT.xlsx [--area CODE] [--user USERNAME] [--unmask --reason TEXT]`

The same code path as the export page's job (`registry.exporter.export_persons`), run in the foreground:
the people the account may see (everyone without --user), masked unless the account's role may unmask
and a reason is given, and one access-log entry (`export`) for the file, as the page writes.
Exit status: 0 written; 2 bad arguments (unknown account or area, refused unmask, unwritable path).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onedoor.core.exceptions import DomainError
from onedoor.core.idnumber import normalize_id_number
from onedoor.geo.models import Area
from onedoor.registry.exporter import export_persons


class Command(BaseCommand):
    help = "导出救助对象名册（xlsx）。身份证号码默认打码；每次导出都记入敏感信息访问记录。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["persons"], help="导出内容（目前只有 persons：救助对象）")
        parser.add_argument("out", help="要写入的 xlsx 文件路径")
        parser.add_argument("--area", help="只导出该区划（含下级）的人员")
        parser.add_argument("--user", help="以该账号的名义导出：只含该账号可查看的人员，记入其访问记录")
        parser.add_argument("--unmask", action="store_true", help="导出完整身份证号码（账号角色须允许，并须 --reason）")
        parser.add_argument("--reason", default="", help="导出理由（写入访问记录；--unmask 时必填）")

    def handle(self, *args, kind: str, out: str, area: str | None, user: str | None, unmask: bool, reason: str,
               **options):
        target = Path(out)
        if target.suffix.lower() != ".xlsx":
            raise CommandError(f"导出文件须是 .xlsx：{out}", returncode=2)
        if not target.parent.is_dir():
            raise CommandError(f"目录不存在：{target.parent}", returncode=2)
        actor = self._actor(user)
        code = self._area(area)
        try:
            # a masked export still gets a reason in the log saying where it came from; an unmasked one
            # needs the operator's own
            count = export_persons(user=actor, target=str(target), unmask=unmask, area=code,
                                   reason=reason if reason.strip() or unmask else "命令行导出救助对象名册")
        except DomainError as exc:
            target.unlink(missing_ok=True)
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(f"已导出 {count} 人：{target}")

    def _actor(self, username: str | None):
        if not username:
            return None
        from onedoor.accounts.models import User

        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有账号：{username}", returncode=2)
        return actor

    def _area(self, code: str | None) -> str | None:
        if not code:
            return None
        code = normalize_id_number(code)
        if not Area.objects.filter(code=code).exists():
            raise CommandError(f"没有区划代码：{code}", returncode=2)
        return code
