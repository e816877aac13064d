"""Payroll pages (finance; leaders and the dispatcher read): runs, a run with its payments, one form per
allowed move, bank files, failed payments and their re-issue. Thin: scope through visible_to /
get_visible_or_404, then one action from benefits.payroll or benefits.bankfile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onedoor.core.audit import log_access
from onedoor.core.choices import AccessAction
from onedoor.core.exceptions import DomainError
from onedoor.core.money import format_yuan
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.scoping import get_visible_or_404
from onedoor.registry.models import mask_bank_account

from . import bankfile, payroll, tasks
from .choices import PaymentLine, PaymentStatus
from .forms_payroll import ExportForm, PaymentFilterForm, ReissueForm, ReturnFileForm, RunForm
from .models import PAYROLL_ROLES, BankFile, Payment, PayrollRun

PAGE_ROLES = tuple(PAYROLL_ROLES)


def _reader(user) -> None:
    if not user.has_role(*PAGE_ROLES) and not user.is_onedoor_admin:
        raise PermissionDenied(_("待遇发放页面只对财务、调度和领导开放。"))


def _finance(user) -> bool:
    return user.has_role("finance") or user.is_onedoor_admin


def _masked(page):
    for payment in page:
        payment.masked_account = mask_bank_account(payment.bank_account)
    return page


def _labelled(totals: list[dict]) -> list[dict]:
    return [{**row, "line_label": PaymentLine(row["line"]).label, "status_label": PaymentStatus(row["status"]).label}
            for row in totals]


def _run(request, run_id: int) -> PayrollRun:
    """The run if the user may see it, else 404 (a town clerk sees no payroll run)."""
    run = get_visible_or_404(request.user, PayrollRun.objects.select_related("policy", "prepared_by", "approved_by"),
                             pk=run_id)
    _reader(request.user)
    return run


@login_required
def run_list(request):
    _reader(request.user)
    runs = (PayrollRun.objects.visible_to(request.user).select_related("policy", "prepared_by", "approved_by")
            .order_by("-month", "-pk"))
    return render(request, "benefits/payroll/run_list.html", {
        "page": paginate(request, runs), "may_prepare": _finance(request.user), "form": RunForm(),
    })


@login_required
@require_POST
def run_new(request):
    _reader(request.user)
    form = RunForm(request.POST)
    if not form.is_valid():
        runs = PayrollRun.objects.visible_to(request.user).select_related("policy", "prepared_by", "approved_by")
        return render(request, "benefits/payroll/run_list.html", {
            "page": paginate(request, runs.order_by("-month", "-pk")), "may_prepare": _finance(request.user),
            "form": form}, status=400)
    run = payroll.create_run(actor=request.user, month=form.cleaned_data["month"], policy=form.cleaned_data["policy"])
    tasks.start_compute(actor=request.user, run=run)
    return redirect("benefits:run_detail", run_id=run.pk)


def _moves(request, run: PayrollRun) -> list[str]:
    if not _finance(request.user):
        return []
    return payroll.moves_from(run.state)


@login_required
def run_detail(request, run_id: int):
    run = _run(request, run_id)
    filters = PaymentFilterForm(request.GET or None)
    payments = run.payments.order_by("pk")
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            payments = payments.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["line"]:
            payments = payments.filter(line=filters.cleaned_data["line"])
    payments = payments.annotate(reissued=Exists(Payment.objects.filter(reissue_of=OuterRef("pk"))))
    job = tasks.latest_run_job(request.user, run)
    return render(request, "benefits/payroll/run_detail.html", {
        "run": run, "page": _masked(paginate(request, payments)), "filters": filters,
        "querystring": querystring_without_page(request), "totals": _labelled(payroll.totals_of(run)),
        "moves": _moves(request, run), "job": job, "computing": job is not None and not job.finished,
        "bank_files": run.bank_files.select_related("created_by").order_by("-created_at", "-pk"),
        "export_form": ExportForm(), "return_form": ReturnFileForm(),
        "failed_count": run.payments.filter(status=PaymentStatus.FAILED).count(),
    })


def _finance_run(request, run_id: int) -> PayrollRun:
    run = _run(request, run_id)
    if not _finance(request.user):
        raise PermissionDenied(_("只有财务人员可以操作发放批次。"))
    return run


@login_required
@require_POST
def run_compute(request, run_id: int):
    run = _finance_run(request, run_id)
    payroll.check_move(payroll.RunMove.COMPUTE, run.state)
    tasks.start_compute(actor=request.user, run=run)
    return redirect("benefits:run_detail", run_id=run.pk)


@login_required
@require_POST
def run_approve(request, run_id: int):
    run = payroll.approve_run(_finance_run(request, run_id), actor=request.user)
    messages.success(request, _("已审核：%(count)s 笔，合计 %(total)s 元。") % {
        "count": run.payment_count, "total": format_yuan(run.total_amount)})
    return redirect("benefits:run_detail", run_id=run.pk)


@login_required
@require_POST
def run_export(request, run_id: int):
    run = _finance_run(request, run_id)
    form = ExportForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("请选择导出格式（xlsx 或 csv）和编码（GBK 或 UTF-8）。"))
    payroll.check_move(payroll.RunMove.EXPORT, run.state)
    tasks.start_export(actor=request.user, run=run, fmt=form.cleaned_data["fmt"],
                       encoding=form.cleaned_data["encoding"])
    messages.info(request, _("正在后台生成银行发放文件，完成后可在下方“银行文件”中下载。"))
    return redirect("benefits:run_detail", run_id=run.pk)


@login_required
def bank_file_download(request, run_id: int, file_id: int):
    run = _finance_run(request, run_id)
    bank = _bank_file(run, file_id)
    log_access(actor=request.user, action=AccessAction.DOWNLOAD, target=run, target_label=bank.original_name,
               reason="银行文件", details={"bank_file": bank.pk, "kind": bank.kind})
    return FileResponse(bank.file.open("rb"), as_attachment=True, filename=bank.original_name or "bank-file")


def _bank_file(run: PayrollRun, file_id: int) -> BankFile:
    """A bank file of a run the user may see (bank files have no scope of their own: the run's)."""
    bank = run.bank_files.filter(pk=file_id).first()
    if bank is None:
        raise Http404(_("没有找到，或者您无权查看。"))
    return bank


@login_required
@require_POST
def run_reconcile(request, run_id: int):
    run = _finance_run(request, run_id)
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        raise DomainError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    upload = form.cleaned_data["file"]
    try:
        bank = bankfile.reconcile_return_file(run, actor=request.user, file=upload, filename=upload.name)
    except DomainError as exc:
        errors = exc.details.get("errors", []) if isinstance(exc.details, dict) else []
        return render(request, "benefits/payroll/reconcile_refused.html", {
            "run": run, "message": exc.message, "errors": errors[:200], "details": exc.details}, status=exc.status)
    summary = bank.summary
    messages.success(request, _("对账完成：成功 %(paid)s 笔 %(paid_total)s 元，失败 %(failed)s 笔 %(failed_total)s 元。")
                     % {"paid": summary["paid"], "paid_total": format_yuan(summary["paid_total"]),
                        "failed": summary["failed"], "failed_total": format_yuan(summary["failed_total"])})
    return redirect("benefits:run_detail", run_id=run.pk)


@login_required
@require_POST
def run_close(request, run_id: int):
    run = payroll.close_run(_finance_run(request, run_id), actor=request.user)
    messages.success(request, _("发放批次已关闭。"))
    return redirect("benefits:run_detail", run_id=run.pk)


@login_required
def failed_list(request):
    """Failed payments not yet re-issued, that the user may see."""
    _reader(request.user)
    failed = (Payment.objects.visible_to(request.user).filter(status=PaymentStatus.FAILED)
              .annotate(reissued=Exists(Payment.objects.filter(reissue_of=OuterRef("pk")))).filter(reissued=False)
              .select_related("run", "enrollment__policy").order_by("-run__month", "pk"))
    return render(request, "benefits/payroll/failed_list.html", {
        "page": _masked(paginate(request, failed)), "may_reissue": _finance(request.user), "form": ReissueForm(),
    })


@login_required
@require_POST
def payment_reissue(request, payment_id: int):
    payment = get_visible_or_404(request.user, Payment.objects.select_related("run"), pk=payment_id)
    _reader(request.user)
    if not _finance(request.user):
        raise PermissionDenied(_("只有财务人员可以重新发放。"))
    form = ReissueForm(request.POST)
    account = form.cleaned_data["bank_account"].strip() if form.is_valid() else ""
    reissue = payroll.reissue_failed(payment, actor=request.user, bank_account=account or None)
    messages.success(request, _("已加入发放批次 %(run)s 重新发放。") % {"run": reissue.run})
    return redirect("benefits:failed_list")

