"""Payroll pages, API and CLI: per role, scoping (a town clerk gets 404), each move through its page, the
bank file round trip through upload, the compute job, CLI exit codes, bounded queries on the run page."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from onedoor.benefits import bankfile, payroll
from onedoor.benefits.models import Payment, PayrollRun
from onedoor.core.models import AccessLog, Job
from onedoor.core.tabular import read_rows

APRIL = date(2026, 4, 1)


@pytest.fixture
def computed_run(enrolled, finance_pair):
    def make(count):
        enrolled(count)
        run = payroll.create_run(actor=finance_pair[0], month=APRIL)
        return payroll.compute_run(run, actor=finance_pair[0])

    return make


def _bank_answer(run: PayrollRun, failed_rows: set[int] = frozenset()) -> bytes:
    bank = run.bank_files.get(kind="export")
    with bank.file.open("rb") as handle:
        rows = [v for _, v in read_rows(io.BytesIO(handle.read()), filename=bank.original_name) if v["序号"] != "合计"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["参考号", "金额", "处理结果", "失败原因"])
    for values in rows:
        failed = int(values["序号"]) in failed_rows
        writer.writerow([values["参考号"], values["金额"], "失败" if failed else "成功", "账号有误" if failed else ""])
    return text.getvalue().encode("gbk")


# --- pages --------------------------------------------------------------------------------------------

def test_finance_walks_a_run_through_every_move_on_the_pages(world, login, enrolled, finance_pair):
    # given: two households enrolled from April
    enrolled(2)
    client = login("finance")
    # when: prepare and compute (a job with a progress bar)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/benefits/payroll/new/", {"month": "2026-04", "policy": ""})
    run = PayrollRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/benefits/payroll/{run.pk}/"
    job = Job.objects.get(kind="benefits.compute_run")
    assert (job.status, job.counts["payments"]) == ("succeeded", 2)
    page = client.get(f"/benefits/payroll/{run.pk}/").content.decode()
    assert "已计算" in page and "job-progress" in page and "审核（须由另一名财务人员）" in page
    # the preparer cannot approve: refused with the four-eyes message
    refused = client.post(f"/benefits/payroll/{run.pk}/approve/")
    assert refused.status_code == 403 and "编制人不能审核" in refused.content.decode()
    # the second officer approves, exports as GBK CSV and downloads it
    client.force_login(finance_pair[1], backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/benefits/payroll/{run.pk}/approve/").status_code == 302
    with TestCase.captureOnCommitCallbacks(execute=True):  # the bank file is written by a background job
        assert client.post(f"/benefits/payroll/{run.pk}/export/",
                           {"fmt": "csv", "encoding": "gbk"}).status_code == 302
    export_job = Job.objects.get(kind="benefits.export_bank_file")
    assert (export_job.status, export_job.counts["rows"]) == ("succeeded", 2)
    assert "已生成银行发放文件：2 笔" in client.get(f"/benefits/payroll/{run.pk}/").content.decode()
    run.refresh_from_db()
    bank = run.bank_files.get()
    download = client.get(f"/benefits/payroll/{run.pk}/files/{bank.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).decode("gbk").startswith("序号,账号")
    assert AccessLog.objects.filter(action="download", target_id=str(run.pk)).exists()
    # upload the bank's answer: one failure
    upload = SimpleUploadedFile("回盘.csv", _bank_answer(run, {2}), content_type="text/csv")
    response = client.post(f"/benefits/payroll/{run.pk}/reconcile/", {"file": upload}, follow=True)
    assert "对账完成：成功 1 笔 800.00 元，失败 1 笔 800.00 元。" in response.content.decode()
    # the failed list offers the re-issue; close the run
    failed_page = client.get("/benefits/payroll/failed/").content.decode()
    assert "账号有误" in failed_page and "重新发放" in failed_page
    assert client.post(f"/benefits/payroll/{run.pk}/close/").status_code == 302
    run.refresh_from_db()
    assert run.state == "closed"


def test_an_unbalanced_return_upload_shows_the_difference_and_changes_nothing(world, login, computed_run,
                                                                              finance_pair):
    run = computed_run(2)
    payroll.approve_run(run, actor=finance_pair[1])
    bankfile.export_bank_file(run, actor=finance_pair[0])
    answer = _bank_answer(run).decode("gbk").splitlines()[:-1]  # the bank left out the last row
    upload = SimpleUploadedFile("回盘.csv", "\n".join(answer).encode("utf-8"), content_type="text/csv")
    response = login("finance").post(f"/benefits/payroll/{run.pk}/reconcile/", {"file": upload})
    body = response.content.decode()
    assert response.status_code == 409 and "对账不平" in body and "相差 1 笔 800.00 元" in body
    assert set(run.payments.values_list("status", flat=True)) == {"exported"}


def test_a_return_with_bad_rows_lists_them(world, login, computed_run, finance_pair):
    run = computed_run(1)
    payroll.approve_run(run, actor=finance_pair[1])
    bankfile.export_bank_file(run, actor=finance_pair[0])
    upload = SimpleUploadedFile("回盘.csv", "参考号,金额,处理结果\nR1P999999,800,成功\n".encode(), content_type="text/csv")
    response = login("finance").post(f"/benefits/payroll/{run.pk}/reconcile/", {"file": upload})
    assert response.status_code == 400
    assert "第 2 行：参考号 R1P999999 不是本批次导出的发放" in response.content.decode()


def test_a_leader_reads_but_has_no_buttons_and_cannot_move(world, login, computed_run):
    run = computed_run(1)
    client = login("leader")
    page = client.get(f"/benefits/payroll/{run.pk}/").content.decode()
    assert "成员0" in page and "审核（须由另一名财务人员）" not in page and "编制并计算" not in page
    assert "6221****0000" in page and "6221000000000000" not in page  # accounts masked
    assert client.post(f"/benefits/payroll/{run.pk}/approve/").status_code == 403
    assert "待遇发放" in client.get("/").content.decode()  # the menu entry


def test_a_town_clerk_gets_404_for_a_run_and_403_for_the_lists(world, login, computed_run):
    run = computed_run(1)
    client = login("clerk.wuxian")
    assert client.get(f"/benefits/payroll/{run.pk}/").status_code == 404
    assert client.post(f"/benefits/payroll/{run.pk}/compute/").status_code == 404
    assert client.get("/benefits/payroll/").status_code == 403
    assert "待遇发放" not in client.get("/").content.decode()


def test_the_run_page_filters_and_pages_in_bounded_queries(world, login, computed_run, django_assert_max_num_queries):
    run = computed_run(3)
    Payment.objects.filter(pk=run.payments.first().pk).update(status="failed", failure_reason="测试")
    client = login("finance")
    client.get(f"/benefits/payroll/{run.pk}/")  # warm the session and grants
    with django_assert_max_num_queries(16) as all_rows:
        page = client.get(f"/benefits/payroll/{run.pk}/").content.decode()
    assert page.count(f"R{run.pk}P") == 3
    with django_assert_max_num_queries(16) as filtered:
        page = client.get(f"/benefits/payroll/{run.pk}/", {"status": "pending", "line": "regular"}).content.decode()
    assert page.count(f"R{run.pk}P") == 2
    assert len(filtered) == len(all_rows)  # no query per payment shown


# --- API ----------------------------------------------------------------------------------------------

def test_the_api_creates_computes_and_reads_a_run(world, login, enrolled):
    enrolled(2)
    client = login("finance")
    response = client.post("/api/v1/payroll-runs", json.dumps({"month": "2026-04"}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["payment_count"], body["total_amount"]) == ("computed", 2, "1600.00")
    assert body["allowed_moves"] == ["compute", "approve"] and body["job_id"] is None
    detail = client.get(f"/api/v1/payroll-runs/{body['id']}").json()
    assert detail["totals"] == [{"line": "regular", "status": "pending", "count": 2, "amount": "1600.00"}]
    listed = client.get("/api/v1/payroll-runs").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    again = client.post("/api/v1/payroll-runs", json.dumps({"month": "2026-04"}), content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "run_exists"


def test_the_api_computes_a_large_run_as_a_job(world, login, enrolled, monkeypatch):
    from onedoor.benefits import api

    enrolled(2)
    monkeypatch.setattr(api, "INLINE_LIMIT", 1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = login("finance").post("/api/v1/payroll-runs", json.dumps({"month": "2026-04"}),
                                         content_type="application/json")
    body = response.json()
    assert response.status_code == 201 and body["job_id"] is not None
    assert Job.objects.get(pk=body["job_id"]).status == "succeeded"
    assert PayrollRun.objects.get(pk=body["id"]).payment_count == 2


def test_the_api_refuses_bad_input_and_other_roles(world, login, computed_run):
    run = computed_run(1)
    client = login("finance")
    bad = client.post("/api/v1/payroll-runs", json.dumps({"month": "2026-13"}), content_type="application/json")
    assert bad.status_code == 422
    unknown = client.post("/api/v1/payroll-runs", json.dumps({"month": "2026-05", "policy_code": "nope"}),
                          content_type="application/json")
    assert unknown.status_code == 422 and "policy_code" in unknown.json()["details"]
    clerk = login("clerk.wuxian")
    assert clerk.get(f"/api/v1/payroll-runs/{run.pk}").status_code == 404
    assert clerk.get("/api/v1/payroll-runs").json()["count"] == 0
    refused = clerk.post("/api/v1/payroll-runs", json.dumps({"month": "2026-05"}), content_type="application/json")
    assert refused.status_code == 403
    assert login("dispatcher").get(f"/api/v1/payroll-runs/{run.pk}").status_code == 200


# --- CLI ----------------------------------------------------------------------------------------------

def _cli(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("payroll", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_the_cli_runs_exports_and_reconciles_with_exit_codes(world, enrolled, finance_pair, tmp_path):
    enrolled(2)
    code, out = _cli("run", "2026-04")
    run = PayrollRun.objects.get()
    assert code == 0 and f"发放批次 {run.pk}" in out and "已计算 2 笔" in out
    assert _cli("run", "2026-04")[0] == 1                      # the month has a run: refused
    assert _cli("run", "2026-4x")[0] == 2                      # bad month
    assert _cli("run", "2026-05", "--policy", "nope")[0] == 2  # unknown policy
    assert _cli("run", "2026-05", "--user", "nobody")[0] == 2  # unknown account
    target = tmp_path / "bank.csv"
    code, out = _cli("export", str(run.pk), str(target))
    assert code == 1 and "不能导出银行文件" in out             # not approved yet
    payroll.approve_run(run, actor=finance_pair[1])
    assert _cli("export", str(run.pk), str(tmp_path / "bank.txt"))[0] == 2
    assert _cli("export", "999999", str(target))[0] == 2
    code, out = _cli("export", str(run.pk), str(target))
    assert code == 0 and "已导出 2 笔，合计 3,200.00 元" not in out and "已导出 2 笔，合计 1,600.00 元" in out
    assert target.read_bytes().decode("gbk").startswith("序号,账号,户名,金额,参考号,摘要")
    # a return file that leaves a row out: refused (1); a missing file (2); then the full answer (0)
    answer = tmp_path / "return.csv"
    answer.write_bytes(b"\n".join(_bank_answer(run, {1}).splitlines()[:-1]))
    code, out = _cli("reconcile", str(run.pk), str(answer))
    assert code == 1 and "对账不平" in out
    assert _cli("reconcile", str(run.pk), str(tmp_path / "none.csv"))[0] == 2
    answer.write_bytes(_bank_answer(run, {1}))
    code, out = _cli("reconcile", str(run.pk), str(answer))
    assert code == 0 and "成功 1 笔 800.00 元，失败 1 笔 800.00 元" in out and "账号有误" in out
    assert sorted(run.payments.values_list("status", flat=True)) == ["failed", "paid"]
    assert Decimal(run.payments.get(status="paid").amount) == Decimal("800.00")
