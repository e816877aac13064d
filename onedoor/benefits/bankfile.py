"""The bank file of a payroll run, both ways (layout: docs/subsystems/payroll.md).

Export: an approved run's payments with a positive amount, one row each — 序号, 账号, 户名, 金额,
参考号, 摘要 — and a last 合计 row (count and total), as xlsx or CSV (GBK, as banks expect, or UTF-8 with
a BOM). The 参考号 names the payment (R<run>P<payment>) and is what the bank echoes in its return
file. Exporting marks those payments exported and the run exported, stores the file as a BankFile and
writes one access-log row. A payment without a bank account is not sent: it is marked failed (缺少
银行账号) so that it can be re-issued to an account in the next run. 追回 lines (negative) are never in
a bank file: they are recovered from the payee outside the bank run.

Return: the bank's file (xlsx or CSV, UTF-8 or GBK) with, per 参考号, 处理结果 成功/失败, 失败原因 and
optionally 到账日期. Every row is checked first (row-level Chinese errors naming the row); then the
totals must balance: exported = paid + failed, in count and amount. Only then, in one transaction, are
payments marked paid (with the ledger record of the help delivered) or failed, the file stored and the
run reconciled. Any refusal writes nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from onedoor.core.audit import attribute_to, log_access
from onedoor.core.choices import AccessAction
from onedoor.core.exceptions import Conflict, DomainError
from onedoor.core.money import InvalidAmount, format_yuan, to_money
from onedoor.core.tabular import Column, Sheet, TableError, read_rows, write_csv, write_xlsx

from . import signing
from .choices import BankFileKind, PaymentLine, PaymentStatus, RunState
from .models import BankFile, Payment, PayrollRun
from .payroll import RunMove, _may_run_payroll, check_move

EXPORT_HEADERS = ["序号", "账号", "户名", "金额", "参考号", "摘要"]
TOTAL_LABEL = "合计"
NO_ACCOUNT = "没有银行账号，未报银行"
FORMATS = ("xlsx", "csv")
ENCODINGS = ("gbk", "utf-8")
CHUNK = 2000

RESULT_COLUMN = ("处理结果", "结果")
OK_WORDS = frozenset({"成功", "已成功", "入账成功"})
FAIL_WORDS = frozenset({"失败", "已失败", "入账失败"})
_REFERENCE = re.compile(r"R(\d+)P(\d+)")
_DATE = re.compile(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?")


def reference(run_id: int, payment_id: int) -> str:
    return f"R{run_id}P{payment_id}"


def _summary_text(run: PayrollRun, payment_line: str) -> str:
    policy = run.policy.name if run.policy_id else "民政待遇"
    line = {PaymentLine.REGULAR: "", PaymentLine.ARREARS: "补发"}.get(payment_line, "")
    return f"{run.month:%Y年%-m月}{policy}{line}"


# --- export ------------------------------------------------------------------------------------------

def _exportable(run: PayrollRun):
    return (run.payments.filter(status=PaymentStatus.PENDING, amount__gt=0).exclude(bank_account="")
            .only("pk", "enrollment_id", "month", "line", "amount", "bank_account", "payee_name", "signature")
            .order_by("pk"))


def _rows(run: PayrollRun, *, gbk: bool, totals: dict) -> Any:
    """The file's rows in payment order, checking each signature on the way; the 合计 row last."""
    for number, payment in enumerate(_exportable(run).iterator(chunk_size=CHUNK), 1):
        if not signing.verify(payment):
            raise Conflict(f"第 {number} 行（{payment.payee_name}）的发放明细签名不符，可能被改动，不能导出。",
                           code="tampered", details={"payment": payment.pk})
        if gbk:
            try:
                payment.payee_name.encode("gbk")
            except UnicodeEncodeError:
                raise DomainError(f"第 {number} 行户名“{payment.payee_name}”含有 GBK 编码无法表示的字，"
                                  f"请改用 UTF-8 的 CSV 或 xlsx 格式导出。", code="not_gbk") from None
        totals["count"] += 1
        totals["total"] += payment.amount
        yield [str(number), payment.bank_account, payment.payee_name, payment.amount,
               reference(run.pk, payment.pk), _summary_text(run, payment.line)]
    yield [TOTAL_LABEL, "", f"共 {totals['count']} 笔", totals["total"], "", ""]


def _write(run: PayrollRun, target: str, fmt: str, encoding: str, totals: dict) -> None:
    rows = _rows(run, gbk=fmt == "csv" and encoding == "gbk", totals=totals)
    if fmt == "xlsx":
        columns = [Column("序号", 8), Column("账号", 24), Column("户名", 12), Column("金额", 14, "money"),
                   Column("参考号", 20), Column("摘要", 24)]
        write_xlsx(target, [Sheet(f"{run.month:%Y年%-m月}发放", columns, rows)])
    else:
        # Every name was checked against GBK above, and GB18030 writes GBK's characters as GBK does.
        write_csv(target, EXPORT_HEADERS, rows, encoding="gb18030" if encoding == "gbk" else "utf-8-sig")


def export_filename(run: PayrollRun, fmt: str, encoding: str) -> str:
    suffix = "xlsx" if fmt == "xlsx" else ("csv" if encoding == "gbk" else "utf8.csv")
    return f"发放文件-{run.month:%Y%m}-{run.pk}.{suffix}"


@transaction.atomic
def export_bank_file(run: PayrollRun, *, actor, fmt: str = "xlsx", encoding: str = "gbk") -> BankFile:
    """Write the bank file of an approved run; mark its payments and the run exported."""
    if fmt not in FORMATS:
        raise DomainError(f"不支持的文件格式：{fmt}（xlsx 或 csv）", code="bad_format", details={"field": "fmt"})
    if encoding not in ENCODINGS:
        raise DomainError(f"不支持的编码：{encoding}（gbk 或 utf-8）", code="bad_encoding",
                          details={"field": "encoding"})
    run = PayrollRun.objects.select_for_update(of=("self",)).select_related("policy").get(pk=run.pk)
    check_move(RunMove.EXPORT, run.state)
    _may_run_payroll(actor, "导出银行文件")
    no_account = (run.payments.filter(status=PaymentStatus.PENDING, amount__gt=0, bank_account="")
                  .update(status=PaymentStatus.FAILED, failure_reason=NO_ACCOUNT))
    totals = {"count": 0, "total": Decimal("0.00")}
    handle, scratch = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        _write(run, scratch, fmt, encoding, totals)
        marked = (run.payments.filter(status=PaymentStatus.PENDING, amount__gt=0).exclude(bank_account="")
                  .update(status=PaymentStatus.EXPORTED))
        if marked != totals["count"]:  # the run is locked and approved: this would be a bug, not a race
            raise Conflict("导出过程中发放明细发生变化，请重试。", code="changed")
        bank_file = BankFile(run=run, kind=BankFileKind.EXPORT, created_by=actor,
                             original_name=export_filename(run, fmt, encoding), rows=totals["count"],
                             total_amount=totals["total"],
                             summary={"format": fmt, "encoding": encoding if fmt == "csv" else "",
                                      "count": totals["count"], "total": str(totals["total"]),
                                      "no_account": no_account})
        with open(scratch, "rb") as written:
            bank_file.file.save(bank_file.original_name, File(written), save=False)
        bank_file.save()
    finally:
        os.unlink(scratch)
    run.state = RunState.EXPORTED
    run.exported_at = timezone.now()
    attribute_to(run, actor)
    run.save(update_fields=["state", "exported_at"])
    log_access(actor=actor, action=AccessAction.EXPORT, target=run, reason="银行发放文件",
               details={"bank_file": bank_file.pk, "rows": totals["count"], "total": str(totals["total"])})
    return bank_file


# --- the bank's return file --------------------------------------------------------------------------

@dataclass
class ReturnRow:
    number: int
    payment_id: int
    amount: Decimal
    paid: bool
    reason: str
    paid_on: date | None


@dataclass
class ReturnResult:
    paid: int = 0
    paid_total: Decimal = Decimal("0.00")
    failed: int = 0
    failed_total: Decimal = Decimal("0.00")
    failures: list[dict] = field(default_factory=list)

    def as_summary(self) -> dict:
        return {"paid": self.paid, "paid_total": str(self.paid_total), "failed": self.failed,
                "failed_total": str(self.failed_total), "failures": self.failures[:200]}


def _parse_date(text: str) -> date | None:
    if not text:
        return None
    match = _DATE.fullmatch(text.strip().split(" ")[0])
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def _pick(values: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if name in values:
            return values[name]
    return ""


def _read_return(run: PayrollRun, file: IO[bytes] | str, filename: str,
                 exported: dict[int, Decimal]) -> tuple[list[ReturnRow], list[dict]]:
    """Every row checked against the run's exported payments: (rows, errors naming the row)."""
    rows: list[ReturnRow] = []
    errors: list[dict] = []
    seen: dict[int, int] = {}
    stated_total: tuple[int, Decimal] | None = None
    try:
        reader = read_rows(file, filename=filename)
    except TableError as exc:
        raise DomainError(exc.message, code="unreadable") from None
    with reader:
        missing = [name for name in ("参考号", "金额") if name not in reader.headers]
        if not any(name in reader.headers for name in RESULT_COLUMN):
            missing.append("处理结果")
        if missing:
            raise DomainError(f"回盘文件缺少列：{'、'.join(missing)}（须有 参考号、金额、处理结果，失败时填写失败原因）。",
                              code="missing_columns")
        try:
            for number, values in reader:
                def fail(message: str, number: int = number) -> None:
                    errors.append({"row": number, "message": f"第 {number} 行：{message}"})

                ref = values["参考号"].strip().upper()
                if values.get("序号", "").strip() == TOTAL_LABEL or ref == TOTAL_LABEL:
                    try:
                        stated_total = (number, to_money(values["金额"]))
                    except InvalidAmount as exc:
                        fail(f"合计行{exc.message}")
                    continue
                if not ref:
                    fail("参考号为空")
                    continue
                match = _REFERENCE.fullmatch(ref)
                if not match or int(match[1]) != run.pk or int(match[2]) not in exported:
                    fail(f"参考号 {ref} 不是本批次导出的发放")
                    continue
                payment_id = int(match[2])
                if payment_id in seen:
                    fail(f"参考号 {ref} 与第 {seen[payment_id]} 行重复")
                    continue
                seen[payment_id] = number
                try:
                    amount = to_money(values["金额"])
                except InvalidAmount as exc:
                    fail(exc.message)
                    continue
                if amount != exported[payment_id]:
                    fail(f"金额 {format_yuan(amount)} 与导出金额 {format_yuan(exported[payment_id])} 不符")
                    continue
                result = _pick(values, RESULT_COLUMN).strip()
                if result not in OK_WORDS | FAIL_WORDS:
                    fail(f"处理结果应为“成功”或“失败”，而不是“{result or '（空）'}”")
                    continue
                reason = values.get("失败原因", "").strip()
                if result in FAIL_WORDS and not reason:
                    fail("处理结果为失败，但没有失败原因")
                    continue
                try:
                    paid_on = _parse_date(values.get("到账日期", ""))
                except ValueError:
                    fail(f"到账日期格式不正确：{values.get('到账日期', '')}")
                    continue
                rows.append(ReturnRow(number, payment_id, amount, result in OK_WORDS, reason[:200], paid_on))
        except TableError as exc:
            raise DomainError(exc.message, code="unreadable") from None
    if stated_total is not None and not errors:
        listed = sum((row.amount for row in rows), Decimal("0.00"))
        if stated_total[1] != listed:
            errors.append({"row": stated_total[0], "message": f"第 {stated_total[0]} 行：合计金额 "
                           f"{format_yuan(stated_total[1])} 与明细合计 {format_yuan(listed)} 不符"})
    return rows, errors


def _balance(run: PayrollRun, rows: list[ReturnRow], exported: dict[int, Decimal]) -> ReturnResult:
    """Exported = paid + failed, in count and amount, or a refusal showing the difference."""
    result = ReturnResult()
    for row in rows:
        if row.paid:
            result.paid += 1
            result.paid_total += row.amount
        else:
            result.failed += 1
            result.failed_total += row.amount
    exported_total = sum(exported.values(), Decimal("0.00"))
    returned, returned_total = result.paid + result.failed, result.paid_total + result.failed_total
    if returned != len(exported) or returned_total != exported_total:
        answered = {row.payment_id for row in rows}
        missing = [reference(run.pk, pk) for pk in exported if pk not in answered]
        raise Conflict(
            f"对账不平，未做任何处理：导出 {len(exported)} 笔 {format_yuan(exported_total)} 元，"
            f"回盘 {returned} 笔 {format_yuan(returned_total)} 元（成功 {result.paid} 笔 "
            f"{format_yuan(result.paid_total)} 元，失败 {result.failed} 笔 {format_yuan(result.failed_total)} 元），"
            f"相差 {len(exported) - returned} 笔 {format_yuan(exported_total - returned_total)} 元。",
            code="unbalanced",
            details={"exported": len(exported), "exported_total": str(exported_total), "returned": returned,
                     "returned_total": str(returned_total), "difference": len(exported) - returned,
                     "difference_total": str(exported_total - returned_total),
                     "missing": missing[:50]})
    return result


def _write_ledger(payment_ids: list[int], *, actor) -> None:
    """One AssistanceRecord per paid payment (the ledger's rule: a monthly payment counts when the bank
    says it was paid), written a batch at a time rather than a row at a time."""
    from onedoor.ledger.actions import record_assistance_many

    def rows():
        for start in range(0, len(payment_ids), CHUNK):
            for values in (Payment.objects.filter(pk__in=payment_ids[start:start + CHUNK]).values(
                    "pk", "area_id", "paid_on", "amount", "enrollment__person_id", "enrollment__household_id",
                    "enrollment__policy_id", "enrollment__policy__department_id")):
                yield {"person_id": values["enrollment__person_id"],
                       "household_id": values["enrollment__household_id"], "area_id": values["area_id"],
                       "delivered_on": values["paid_on"], "policy_id": values["enrollment__policy_id"],
                       "department_id": values["enrollment__policy__department_id"], "kind": "cash",
                       "amount": values["amount"], "source_id": values["pk"]}

    record_assistance_many(rows(), source_model=Payment, actor=actor)


@transaction.atomic
def reconcile_return_file(run: PayrollRun, *, actor, file: IO[bytes], filename: str,
                          on: date | None = None) -> BankFile:
    """Apply the bank's return file to an exported run (see the module's docstring). `on` is the paid
    date for rows without 到账日期 (default today)."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    check_move(RunMove.RECONCILE, run.state)
    _may_run_payroll(actor, "银行回盘对账")
    exported = dict(run.payments.filter(status=PaymentStatus.EXPORTED).values_list("pk", "amount"))
    rows, errors = _read_return(run, file, filename, exported)
    if errors:
        shown = "；".join(error["message"] for error in errors[:5])
        more = f"等 {len(errors)} 行" if len(errors) > 5 else ""
        raise DomainError(f"回盘文件有错误，未做任何处理：{shown}{more}。", code="bad_rows",
                          details={"errors": errors[:1000]})
    result = _balance(run, rows, exported)
    today = on or timezone.localdate()
    paid_by_day: dict[date, list[int]] = defaultdict(list)
    failed_by_reason: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.paid:
            paid_by_day[row.paid_on or today].append(row.payment_id)
        else:
            failed_by_reason[row.reason].append(row.payment_id)
            result.failures.append({"row": row.number, "reference": reference(run.pk, row.payment_id),
                                    "amount": str(row.amount), "reason": row.reason})
    for day, ids in paid_by_day.items():
        for start in range(0, len(ids), CHUNK):
            Payment.objects.filter(pk__in=ids[start:start + CHUNK]).update(status=PaymentStatus.PAID, paid_on=day)
    for reason, ids in failed_by_reason.items():
        for start in range(0, len(ids), CHUNK):
            Payment.objects.filter(pk__in=ids[start:start + CHUNK]).update(status=PaymentStatus.FAILED,
                                                                          failure_reason=reason)
    _write_ledger([pk for ids in paid_by_day.values() for pk in ids], actor=actor)
    bank_file = BankFile(run=run, kind=BankFileKind.RETURN, created_by=actor, original_name=os.path.basename(filename),
                         rows=len(rows), total_amount=result.paid_total + result.failed_total,
                         summary=result.as_summary())
    if hasattr(file, "seek"):
        file.seek(0)
    bank_file.file.save(os.path.basename(filename) or "回盘文件", File(file), save=False)
    bank_file.save()
    run.state = RunState.RECONCILED
    run.reconciled_at = timezone.now()
    attribute_to(run, actor)
    run.save(update_fields=["state", "reconciled_at"])
    return bank_file
