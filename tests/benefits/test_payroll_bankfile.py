"""The bank file both ways: the export read back (xlsx, GBK CSV, UTF-8 CSV), the return file with
failures, with a wrong total (refused, nothing changed), with unknown references and duplicates; the
ledger written for what was paid; re-issue of a failed payment in the next run, once."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from onedoor.benefits import bankfile, payroll
from onedoor.benefits.models import BankFile, Payment, PayrollRun
from onedoor.core.exceptions import Conflict, DomainError, IllegalTransition
from onedoor.core.models import AccessLog
from onedoor.core.tabular import Column, Sheet, read_rows, write_xlsx
from onedoor.ledger.models import AssistanceRecord

APRIL, MAY = date(2026, 4, 1), date(2026, 5, 1)


@pytest.fixture
def approved_run(enrolled, finance_pair):
    """approved_run(n, month=APRIL) -> an approved run paying n households 800 each."""

    def make(count, month=APRIL):
        preparer, approver = finance_pair
        if count:
            enrolled(count)
        run = payroll.create_run(actor=preparer, month=month)
        payroll.compute_run(run, actor=preparer)
        return payroll.approve_run(run, actor=approver)

    return make


def _export(run, fmt="xlsx", encoding="gbk", actor=None):
    from onedoor.accounts.models import User

    return bankfile.export_bank_file(run, actor=actor or User.objects.get(username="finance"), fmt=fmt,
                                     encoding=encoding)


def _read_back(bank: BankFile) -> list[dict]:
    with bank.file.open("rb") as handle:
        data = handle.read()
    return [values for _, values in read_rows(io.BytesIO(data), filename=bank.original_name)]


def _return_csv(rows: list[list[str]], encoding="gbk", total: str | None = None) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["序号", "参考号", "账号", "户名", "金额", "处理结果", "失败原因", "到账日期"])
    for number, row in enumerate(rows, 1):
        writer.writerow([number, *row])
    if total is not None:
        writer.writerow(["合计", "", "", "", total, "", "", ""])
    return io.BytesIO(text.getvalue().encode(encoding))


def _answer_all(bank: BankFile, *, failed: dict[int, str] | None = None) -> list[list[str]]:
    """The bank's answer to every exported row: 成功, except the row numbers in `failed` (→ reason)."""
    failed = failed or {}
    answer = []
    for values in _read_back(bank):
        if values["序号"] == "合计":
            continue
        number = int(values["序号"])
        reason = failed.get(number, "")
        answer.append([values["参考号"], values["账号"], values["户名"], values["金额"],
                       "失败" if reason else "成功", reason, "" if reason else "2026-04-15"])
    return answer


def test_the_export_reads_back_as_xlsx_with_a_total_row_and_marks_payments(world, approved_run):
    # given
    run = approved_run(3)
    # when
    bank = _export(run, "xlsx")
    # then
    rows = _read_back(bank)
    assert list(rows[0]) == bankfile.EXPORT_HEADERS
    details, total = rows[:-1], rows[-1]
    payments = {p.pk: p for p in run.payments.all()}
    assert [r["序号"] for r in details] == ["1", "2", "3"]
    for values in details:
        payment = payments[int(values["参考号"].split("P")[1])]
        assert values["账号"] == payment.bank_account and values["户名"] == payment.payee_name
        assert Decimal(values["金额"]) == Decimal("800.00")
        assert values["摘要"].startswith("2026年4月")
    assert (total["序号"], total["户名"], Decimal(total["金额"])) == ("合计", "共 3 笔", Decimal("2400"))
    assert set(run.payments.values_list("status", flat=True)) == {"exported"}
    run.refresh_from_db()
    assert run.state == "exported" and run.exported_at is not None
    assert (bank.kind, bank.rows, bank.total_amount) == ("export", 3, Decimal("2400.00"))
    log = AccessLog.objects.get(action="export", target_id=str(run.pk))
    assert log.details["rows"] == 3


def test_the_export_as_gbk_csv_is_gbk_bytes(world, approved_run):
    run = approved_run(2)
    bank = _export(run, "csv", "gbk")
    with bank.file.open("rb") as handle:
        raw = handle.read()
    text = raw.decode("gbk")  # strict: would fail on anything that is not GBK
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert text.splitlines()[0] == "序号,账号,户名,金额,参考号,摘要"
    assert "合计" in text.splitlines()[-1] and "1600.00" in text.splitlines()[-1]
    assert len(_read_back(bank)) == 3


def test_the_export_as_utf8_csv_has_a_bom(world, approved_run):
    run = approved_run(1)
    bank = _export(run, "csv", "utf-8")
    with bank.file.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"\xef\xbb\xbf") and "成员0".encode() in raw


def test_a_name_gbk_cannot_write_is_refused_for_gbk_csv_and_nothing_changes(world, approved_run):
    run = approved_run(1)
    Payment.objects.filter(run=run).update(payee_name="王𠮷")  # 𠮷 is outside GBK
    with pytest.raises(DomainError, match="GBK"):
        _export(run, "csv", "gbk")
    run.refresh_from_db()
    assert run.state == "approved" and set(run.payments.values_list("status", flat=True)) == {"pending"}
    assert not BankFile.objects.exists()


def test_only_an_approved_run_can_be_exported(world, enrolled, finance_pair):
    enrolled(1)
    run = payroll.create_run(actor=finance_pair[0], month=APRIL)
    payroll.compute_run(run, actor=finance_pair[0])
    with pytest.raises(IllegalTransition) as refused:
        _export(run)
    assert refused.value.details["allowed"] == ["compute", "approve"]
    assert "当前可进行的操作：计算、审核" in refused.value.message


def test_a_payment_without_an_account_is_not_sent_and_fails(world, approved_run):
    run = approved_run(2)
    # an account removed after approval would break the signature; here the person never had one
    first = run.payments.order_by("pk").first()
    Payment.objects.filter(pk=first.pk).update(bank_account="")
    Payment.objects.filter(pk=first.pk).update(signature=payroll.signing.sign(Payment.objects.get(pk=first.pk)))
    bank = _export(run)
    assert bank.rows == 1 and bank.summary["no_account"] == 1
    first.refresh_from_db()
    assert (first.status, first.failure_reason) == ("failed", bankfile.NO_ACCOUNT)


def test_a_tampered_payment_is_not_exported(world, approved_run):
    run = approved_run(2)
    Payment.objects.filter(pk=run.payments.first().pk).update(amount=Decimal("9800.00"))
    with pytest.raises(Conflict, match="签名不符"):
        _export(run)
    assert run.payments.filter(status="exported").count() == 0


def test_a_return_with_failures_marks_paid_and_failed_and_writes_the_ledger(world, approved_run):
    # given
    run = approved_run(3)
    bank = _export(run)
    # when: the bank paid rows 1 and 3 and refused row 2
    answer = _answer_all(bank, failed={2: "账户已销户"})
    returned = bankfile.reconcile_return_file(run, actor=world.user("finance"), file=_return_csv(answer),
                                              filename="回盘.csv")
    # then
    run.refresh_from_db()
    assert run.state == "reconciled"
    assert (returned.summary["paid"], returned.summary["failed"]) == (2, 1)
    assert returned.summary["paid_total"] == "1600.00" and returned.summary["failed_total"] == "800.00"
    paid = run.payments.filter(status="paid")
    assert paid.count() == 2 and set(paid.values_list("paid_on", flat=True)) == {date(2026, 4, 15)}
    failed = run.payments.get(status="failed")
    assert failed.failure_reason == "账户已销户"
    assert returned.summary["failures"][0]["reason"] == "账户已销户"
    records = AssistanceRecord.objects.filter(source_id__in=paid.values_list("pk", flat=True))
    assert records.count() == 2
    assert {(r.kind, r.amount, r.delivered_on) for r in records} == {("cash", Decimal("800.00"), date(2026, 4, 15))}
    assert not AssistanceRecord.objects.filter(source_id=failed.pk).exists()


def test_a_return_read_from_xlsx_and_utf8(world, approved_run):
    run = approved_run(2)
    answer = _answer_all(_export(run))
    target = io.BytesIO()
    headers = ["参考号", "账号", "户名", "金额", "处理结果", "失败原因", "到账日期"]
    write_xlsx(target, [Sheet("回盘", [Column(h) for h in headers], answer)])
    target.seek(0)
    bankfile.reconcile_return_file(run, actor=world.user("finance"), file=target, filename="回盘.xlsx")
    assert run.payments.filter(status="paid").count() == 2


def test_a_return_with_a_wrong_total_is_refused_and_nothing_changes(world, approved_run):
    # given: the bank answers only two of three rows
    run = approved_run(3)
    answer = _answer_all(_export(run))[:2]
    # when
    with pytest.raises(Conflict) as refused:
        bankfile.reconcile_return_file(run, actor=world.user("finance"), file=_return_csv(answer, "utf-8"),
                                       filename="回盘.csv")
    # then
    assert "对账不平" in refused.value.message
    assert "导出 3 笔 2,400.00 元" in refused.value.message and "相差 1 笔 800.00 元" in refused.value.message
    assert refused.value.details["difference"] == 1 and len(refused.value.details["missing"]) == 1
    run.refresh_from_db()
    assert run.state == "exported"
    assert set(run.payments.values_list("status", flat=True)) == {"exported"}
    assert not BankFile.objects.filter(kind="return").exists() and not AssistanceRecord.objects.exists()


def test_a_total_row_that_disagrees_with_the_rows_is_an_error(world, approved_run):
    run = approved_run(2)
    answer = _answer_all(_export(run))
    with pytest.raises(DomainError, match="第 4 行：合计金额 1,700.00 与明细合计 1,600.00 不符"):
        bankfile.reconcile_return_file(run, actor=world.user("finance"), file=_return_csv(answer, total="1700"),
                                       filename="回盘.csv")


def test_unknown_references_duplicates_and_bad_amounts_name_their_rows(world, approved_run):
    run = approved_run(3)
    answer = _answer_all(_export(run))
    answer[1][0] = "R999P1"            # row 2: another run
    answer.append(list(answer[0]))     # row 4: the first again
    answer[2][3] = "八百"               # row 3: not an amount
    with pytest.raises(DomainError) as refused:
        bankfile.reconcile_return_file(run, actor=world.user("finance"), file=_return_csv(answer),
                                       filename="回盘.csv")
    messages = [error["message"] for error in refused.value.details["errors"]]
    assert messages[0] == "第 3 行：参考号 R999P1 不是本批次导出的发放"
    assert messages[1].startswith("第 4 行：金额格式不正确")
    assert messages[2] == f"第 5 行：参考号 {answer[0][0]} 与第 2 行重复"
    assert set(run.payments.values_list("status", flat=True)) == {"exported"}


def test_a_failure_without_a_reason_or_an_unknown_result_is_an_error(world, approved_run):
    run = approved_run(2)
    answer = _answer_all(_export(run))
    answer[0][4] = "失败"
    answer[1][4] = "处理中"
    with pytest.raises(DomainError) as refused:
        bankfile.reconcile_return_file(run, actor=world.user("finance"), file=_return_csv(answer),
                                       filename="回盘.csv")
    assert [e["row"] for e in refused.value.details["errors"]] == [2, 3]
    assert "没有失败原因" in refused.value.message


def test_a_file_without_the_needed_columns_is_refused(world, approved_run):
    run = approved_run(1)
    _export(run)
    data = io.BytesIO("参考号,户名\nR1P1,张三\n".encode())
    with pytest.raises(DomainError, match="缺少列：金额、处理结果"):
        bankfile.reconcile_return_file(run, actor=world.user("finance"), file=data, filename="回盘.csv")


def _reconciled_with_one_failure(world, approved_run):
    run = approved_run(2)
    answer = _answer_all(_export(run), failed={1: "户名与账号不符"})
    bankfile.reconcile_return_file(run, actor=world.user("finance"), file=_return_csv(answer), filename="回盘.csv")
    return run, run.payments.get(status="failed")


def test_a_failed_payment_is_reissued_in_the_next_run_exactly_once(world, approved_run, finance_pair):
    # given: April reconciled with one failure; the person's account corrected since
    run, failed = _reconciled_with_one_failure(world, approved_run)
    person = failed.enrollment.person
    person.bank_account = "6228480000000001"
    person.save(update_fields=["bank_account"])
    may = payroll.create_run(actor=finance_pair[0], month=MAY)
    payroll.compute_run(may, actor=finance_pair[0])
    # when
    reissue = payroll.reissue_failed(failed, actor=finance_pair[0])
    # then
    assert (reissue.run, reissue.month, reissue.line, reissue.amount) == (may, APRIL, "regular", Decimal("800.00"))
    assert reissue.bank_account == "6228480000000001" and reissue.reissue_of == failed
    assert payroll.signing.verify(reissue)
    may.refresh_from_db()
    assert (may.payment_count, may.total_amount) == (3, Decimal("2400.00"))
    with pytest.raises(Conflict, match="已经重新发放过"):
        payroll.reissue_failed(failed, actor=finance_pair[0])
    # computing May again adds nothing, and the database refuses a second live April payment
    payroll.compute_run(may, actor=finance_pair[0])
    assert Payment.objects.filter(enrollment=failed.enrollment, month=APRIL).exclude(status="failed").count() == 1
    duplicate = Payment.objects.get(pk=reissue.pk)
    duplicate.pk, duplicate.reissue_of, duplicate.run = None, None, run
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_reissue_needs_an_open_next_run_and_a_failed_payment(world, approved_run, finance_pair):
    run, failed = _reconciled_with_one_failure(world, approved_run)
    with pytest.raises(DomainError, match="没有可以放入的下一期发放批次"):
        payroll.reissue_failed(failed, actor=finance_pair[0])
    paid = run.payments.get(status="paid")
    payroll.create_run(actor=finance_pair[0], month=MAY)
    with pytest.raises(Conflict, match="只有发放失败的可以重新发放"):
        payroll.reissue_failed(paid, actor=finance_pair[0])
    with pytest.raises(DomainError, match="8–32 位数字"):
        payroll.reissue_failed(failed, actor=finance_pair[0], bank_account="abc")


def test_a_run_is_closed_after_reconciliation_only(world, approved_run, finance_pair):
    run = approved_run(1)
    with pytest.raises(IllegalTransition, match="不能关闭批次"):
        payroll.close_run(run, actor=finance_pair[0])
    answer = _answer_all(_export(run))
    bankfile.reconcile_return_file(run, actor=world.user("finance"), file=_return_csv(answer), filename="r.csv")
    assert payroll.close_run(run, actor=finance_pair[0]).state == "closed"
    assert PayrollRun.objects.get(pk=run.pk).state == "closed"
