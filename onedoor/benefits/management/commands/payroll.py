"""`onedoor payroll run YYYY-MM [--policy CODE]`, `onedoor payroll export RUN_ID OUT [--encoding gbk|utf-8]`,
`onedoor payroll reconcile RUN_ID FILE` — each with `[--user USERNAME]` (default: the `finance` account).

The same actions as the payroll pages and API, run in the foreground. Exit status as `onedoor import`:
0 done; 1 refused (an illegal move, a four-eyes or permission refusal, a return file that does not
balance or has bad rows — nothing written); 2 unusable input (bad month, unknown run, policy, user or
file), each with a one-line Chinese reason.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onedoor.core.exceptions import DomainError
from onedoor.core.money import format_yuan
from onedoor.policies.models import Policy

from ... import bankfile, payroll
from ...models import PayrollRun
from ...months import parse_month


class Command(BaseCommand):
    help = "待遇发放：编制并计算批次（run）、导出银行文件（export）、银行回盘对账（reconcile）。退出码：0 完成；1 被拒绝；2 输入无法使用。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        run = sub.add_parser("run", help="编制某月的发放批次并计算")
        run.add_argument("month", help="发放月份，YYYY-MM")
        run.add_argument("--policy", help="只发放该政策（政策代码）；默认全部按月发放的政策")
        export = sub.add_parser("export", help="导出已审核批次的银行文件")
        export.add_argument("run_id", type=int)
        export.add_argument("out", help="输出文件：.xlsx 或 .csv")
        export.add_argument("--encoding", choices=bankfile.ENCODINGS, default="gbk", help="CSV 的编码，默认 gbk")
        reconcile = sub.add_parser("reconcile", help="导入银行回盘文件对账")
        reconcile.add_argument("run_id", type=int)
        reconcile.add_argument("file", help="回盘文件：xlsx 或 csv（UTF-8 或 GBK）")
        for verb in (run, export, reconcile):
            verb.add_argument("--user", default="finance", help="以该账号的名义操作（默认 finance）")

    def handle(self, *args, verb: str, user: str, **options):
        actor = self._actor(user)
        try:
            getattr(self, f"_{verb}")(actor, **options)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None

    def _run(self, actor, *, month: str, policy: str | None, **options):
        try:
            first = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        chosen = None
        if policy:
            chosen = Policy.objects.filter(code=policy).first()
            if chosen is None:
                raise CommandError(f"没有政策代码：{policy}", returncode=2)
        run = payroll.create_run(actor=actor, month=first, policy=chosen)
        run = payroll.compute_run(run, actor=actor)
        self.stdout.write(f"发放批次 {run.pk}（{run}）：已计算 {run.payment_count} 笔，合计 {format_yuan(run.total_amount)} 元。"
                          f"请由另一名财务人员审核。")

    def _export(self, actor, *, run_id: int, out: str, encoding: str, **options):
        run = self._find(actor, run_id)
        target = Path(out)
        fmt = target.suffix.lower().lstrip(".")
        if fmt not in bankfile.FORMATS:
            raise CommandError(f"输出文件应为 .xlsx 或 .csv：{out}", returncode=2)
        if not target.parent.is_dir():
            raise CommandError(f"目录不存在：{target.parent}", returncode=2)
        bank = bankfile.export_bank_file(run, actor=actor, fmt=fmt, encoding=encoding)
        with bank.file.open("rb") as source:
            target.write_bytes(source.read())
        self.stdout.write(f"已导出 {bank.rows} 笔，合计 {format_yuan(bank.total_amount)} 元：{target}")
        if bank.summary.get("no_account"):
            self.stdout.write(f"另有 {bank.summary['no_account']} 笔没有银行账号，未报银行，已记为发放失败（可重新发放）。")

    def _reconcile(self, actor, *, run_id: int, file: str, **options):
        run = self._find(actor, run_id)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=2)
        with open(path, "rb") as handle:
            try:
                bank = bankfile.reconcile_return_file(run, actor=actor, file=handle, filename=path.name)
            except DomainError as exc:
                if exc.code == "unreadable":
                    raise CommandError(exc.message, returncode=2) from None
                for error in (exc.details or {}).get("errors", [])[:50] if isinstance(exc.details, dict) else []:
                    self.stderr.write(error["message"])
                raise
        summary = bank.summary
        self.stdout.write(f"对账完成：成功 {summary['paid']} 笔 {format_yuan(summary['paid_total'])} 元，"
                          f"失败 {summary['failed']} 笔 {format_yuan(summary['failed_total'])} 元。")
        for failure in summary["failures"][:50]:
            self.stdout.write(f"  失败：第 {failure['row']} 行 {failure['reference']} {failure['reason']}")

    def _actor(self, username: str):
        from onedoor.accounts.models import User

        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有账号：{username}", returncode=2)
        return actor

    def _find(self, actor, run_id: int) -> PayrollRun:
        run = PayrollRun.objects.visible_to(actor).filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"没有编号为 {run_id} 的发放批次，或者账号无权查看。", returncode=2)
        return run
