"""`onedoor import persons|categories FILE [--area CODE] [--strict] [--dry-run] [--report OUT.xlsx] [--user NAME]`

The same code path as the web upload (`registry.importer`), run in the foreground. Exit status:
0 every row was accepted; 1 some rows were rejected or left as possible duplicates (the report is
written); 2 the file itself is unusable, with a one-line reason.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from onedoor.core.exceptions import DomainError
from onedoor.core.idnumber import normalize_id_number
from onedoor.geo.models import Area
from onedoor.registry import actions, importer
from onedoor.registry.models_import import ImportBatch


class Command(BaseCommand):
    help = "批量导入救助对象（xlsx 或 csv）。退出码：0 全部接受；1 有行未导入（已写错误报告）；2 文件无法使用。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["persons", "categories"],
                            help="导入内容：persons 救助对象；categories 已登记人员的类别期间（身份证号、人员类别、起始日期、终止日期）")
        parser.add_argument("file", help="xlsx 或 csv 文件（UTF-8 含或不含 BOM、GBK/GB18030）")
        parser.add_argument("--area", help="导入范围的区划代码；“村(社区)”列按名称在该范围内查找")
        parser.add_argument("--strict", action="store_true", help="任何一行有错误时整个文件都不导入")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入任何数据")
        parser.add_argument("--report", help="错误报告（xlsx）的路径；默认在当前目录生成“<文件名>-错误报告.xlsx”")
        parser.add_argument("--user", help="以该账号的名义导入（记入登记事件；只能导入该账号可查看的区域）")

    def handle(self, *args, kind: str, file: str, area: str | None, strict: bool, dry_run: bool,
               report: str | None, user: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=2)
        actor = self._actor(user)
        scope = self._area(area)
        echo = self.stderr.write if options.get("verbosity", 1) >= 2 else None
        with open(path, "rb") as handle:
            try:
                batch = actions.create_import_batch(actor=actor, file=File(handle), filename=path.name, area=scope,
                                                     strict=strict, kind=kind)
            except DomainError as exc:
                raise CommandError(exc.message, returncode=2) from None
        try:
            batch = actions.validate_import_batch(actor=actor, batch=batch, echo=echo)
        except DomainError as exc:
            _discard(batch)
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(importer.summary(batch))
        rejected = batch.count("error") + batch.count("duplicate")
        if rejected or report:
            target = Path(report) if report else Path.cwd() / f"{path.stem}-错误报告.xlsx"
            importer.write_report(batch, target)
            self.stdout.write(f"错误报告：{target}")
        if dry_run:
            _discard(batch)
            self.stdout.write("试运行：未写入任何数据。")
        elif strict and batch.count("error"):
            self.stdout.write(f"严格模式：有 {batch.count('error')} 行错误，未导入任何数据。")
        elif importer.committable_count(batch):
            batch = actions.commit_import_batch(actor=actor, batch=batch, echo=echo)
            self.stdout.write(f"已导入 {batch.count('committed')} 行（批次 {batch.pk}）。")
        if rejected:
            raise CommandError(f"有 {rejected} 行未导入（错误 {batch.count('error')}，疑似重复 "
                               f"{batch.count('duplicate')}），见错误报告。", returncode=1)

    def _actor(self, username: str | None):
        if not username:
            return None
        from onedoor.accounts.models import User

        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有账号：{username}", returncode=2)
        return actor

    def _area(self, code: str | None) -> Area | None:
        if not code:
            return None
        area = Area.objects.filter(code=normalize_id_number(code)).first()
        if area is None:
            raise CommandError(f"没有区划代码：{code}", returncode=2)
        return area


def _discard(batch: ImportBatch) -> None:
    batch.file.delete(save=False)
    batch.delete()
