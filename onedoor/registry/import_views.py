"""Pages of the bulk import (upload → validation job → preview → commit job → rollback) and of the
registry export. Thin: they check scope, call `importer` or start a job from `tasks`, and redirect."""

from __future__ import annotations

import io
import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onedoor.core.audit import log_access
from onedoor.core.choices import AccessAction
from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate
from onedoor.core.scoping import get_visible_or_404

from . import actions, importer, tasks
from .forms_import import DecisionForm, ExportForm, UploadForm
from .models_import import IMPORT_ROLES, ImportBatch, ImportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_import(user) -> None:
    if not user.has_role(*IMPORT_ROLES):
        raise PermissionDenied(_("您的角色不能批量导入救助对象。"))


@login_required
def batch_list(request):
    batches = (ImportBatch.objects.visible_to(request.user).select_related("area", "created_by")
               .order_by("-created_at", "-pk"))
    return render(request, "registry/import/batch_list.html", {
        "page": paginate(request, batches), "may_import": request.user.has_role(*IMPORT_ROLES),
    })


@login_required
def batch_new(request):
    _may_import(request.user)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None, user=request.user)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = actions.create_import_batch(actor=request.user, file=upload, filename=upload.name,
                                             area=form.cleaned_data["area"], strict=form.cleaned_data["strict"],
                                             kind=form.cleaned_data["kind"])
        tasks.start_validation(actor=request.user, batch=batch)
        return redirect("registry_import:batch_detail", batch_id=batch.pk)
    return render(request, "registry/import/batch_new.html", {"form": form})


@login_required
def template_download(request):
    buffer = io.BytesIO()
    importer.write_template(buffer, user=request.user)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('救助对象导入模板.xlsx')}"
    return response


def _state_context(request, batch: ImportBatch) -> dict:
    job = batch.commit_job if batch.status in (ImportStatus.COMMITTING, ImportStatus.COMMITTED,
                                               ImportStatus.ROLLED_BACK) else batch.validate_job
    job_busy = job is not None and not job.finished
    context = {
        "batch": batch, "job": job, "polling": batch.busy and job_busy,
        "may_commit": ImportBatch.objects.visible_to(request.user, "commit").filter(pk=batch.pk).exists(),
        "committable": importer.committable_count(batch) if batch.status in (
            ImportStatus.VALIDATED, ImportStatus.COMMITTING) else 0,
        "resumable": batch.status == ImportStatus.COMMITTING and not job_busy,
        "rollbackable": batch.status in (ImportStatus.COMMITTED, ImportStatus.COMMITTING) and not job_busy,
        "strict_blocked": batch.strict and batch.count("error") > 0,
    }
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.FAILED):
        context.update(importer.first_problems(batch))
    return context


def _batch(request, batch_id: int, action: str = "view") -> ImportBatch:
    return get_visible_or_404(request.user, ImportBatch.objects.select_related("area", "validate_job", "commit_job"),
                              action, pk=batch_id)


@login_required
def batch_detail(request, batch_id: int):
    batch = _batch(request, batch_id)
    return render(request, "registry/import/batch_detail.html", _state_context(request, batch))


@login_required
def batch_state(request, batch_id: int):
    """The polled part of the batch page: progress while a job runs, then the preview."""
    batch = _batch(request, batch_id)
    return render(request, "registry/import/_state.html", _state_context(request, batch))


@login_required
@require_POST
def batch_commit(request, batch_id: int):
    batch = _batch(request, batch_id, "commit")
    if batch.status not in (ImportStatus.VALIDATED, ImportStatus.COMMITTING):
        raise DomainError(_("该批次当前状态不能导入。"))
    if batch.strict and batch.count("error"):
        raise DomainError(_("严格模式：文件中有错误行，不能导入。请按错误报告修改后重新上传。"))
    tasks.start_commit(actor=request.user, batch=batch)
    return redirect("registry_import:batch_detail", batch_id=batch.pk)


@login_required
@require_POST
def batch_rollback(request, batch_id: int):
    batch = _batch(request, batch_id, "commit")
    if batch.status not in (ImportStatus.COMMITTED, ImportStatus.COMMITTING):
        raise DomainError(_("只有已导入或导入中断的批次可以回滚。"))
    tasks.start_rollback(actor=request.user, batch=batch)
    return redirect("registry_import:batch_detail", batch_id=batch.pk)


@login_required
@require_POST
def row_decide(request, batch_id: int, row_number: int):
    batch = _batch(request, batch_id, "commit")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("请选择“作为新人员登记”或“不导入”。"))
    row = actions.decide_import_duplicate(actor=request.user, batch=batch, row_number=row_number,
                                          decision=form.cleaned_data["decision"])
    messages.success(request, _("第 %(row)s 行：%(decision)s。") % {"row": row.row_number,
                                                                    "decision": row.get_decision_display()})
    return redirect("registry_import:batch_detail", batch_id=batch.pk)


@login_required
def batch_report(request, batch_id: int):
    """The rows not accepted, as xlsx, with the cells as they were in the file (personal data: logged)."""
    batch = _batch(request, batch_id)
    if batch.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.FAILED):
        raise DomainError(_("该批次尚未校验完成，没有错误报告。"))
    scratch = tempfile.TemporaryFile()
    listed = importer.write_report(batch, scratch)
    scratch.seek(0)
    log_access(actor=request.user, action=AccessAction.EXPORT, target=batch, target_label=batch.filename,
               reason="导入错误报告", details={"rows": listed})
    return FileResponse(scratch, as_attachment=True, filename=f"错误报告-{batch.pk}.xlsx", content_type=XLSX)


@login_required
def export(request):
    form = ExportForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data.get("area")
        job = tasks.start_export(actor=request.user, unmask=bool(form.cleaned_data.get("unmask")),
                                 reason=form.cleaned_data.get("reason", ""), area=area.code if area else None)
        return redirect("core:job_detail", job_id=job.pk)
    return render(request, "registry/import/export.html", {"form": form})

