from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import F
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .audit import log_access
from .choices import AccessAction
from .idnumber import InvalidIdNumber, mask_id_number, parse_id_number
from .models import Job, Notification
from .navigation import panels_for
from .notify import mark_all_read, mark_read, unread_count
from .paging import paginate
from .pdf import font_available
from .redirects import local_url
from .scoping import get_visible_or_404
from .workdays import add_working_days


@login_required
def home(request):
    return render(request, "core/home.html", {"panels": panels_for(request)})


@never_cache
@require_GET
def health(request):
    """For load balancers and the set-up script: the database answers and the task queue is visible."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(status="READY").count()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor, "tasks_waiting": waiting,
                         "pdf_font": font_available(), "time": timezone.now().isoformat()})


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("created_by")
    return render(request, "core/job_list.html", {"page": paginate(request, jobs)})


@login_required
def job_detail(request, job_id: int):
    job = get_visible_or_404(request.user, Job, pk=job_id)
    return render(request, "core/job_detail.html", {"job": job})


@login_required
def job_progress(request, job_id: int):
    """The polled partial: htmx swaps it every second until the job finishes."""
    job = get_visible_or_404(request.user, Job, pk=job_id)
    return render(request, "includes/job_progress.html", {"job": job})


@login_required
def job_download(request, job_id: int):
    job = get_visible_or_404(request.user, Job, pk=job_id)
    if not job.result_file:
        raise Http404("该任务没有结果文件。")
    log_access(actor=request.user, action=AccessAction.DOWNLOAD, target=job, reason=job.kind)
    filename = job.result_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=filename)


@login_required
def notification_list(request):
    """我的消息: the user's own messages, unread first, newest first."""
    messages = (Notification.objects.visible_to(request.user).filter(user=request.user)
                .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk"))
    return render(request, "core/notification_list.html",
                  {"page": paginate(request, messages), "unread": unread_count(request.user)})


@never_cache
@login_required
def notification_badge(request):
    """The unread count in the top bar, fetched by htmx after the page loads (so no page pays a query
    for it)."""
    return render(request, "includes/notification_badge.html", {"unread": unread_count(request.user)})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    """Mark one message read and go where it points (an internal link only)."""
    notification = get_visible_or_404(request.user, Notification.objects.filter(user=request.user),
                                      pk=notification_id)
    mark_read(notification, actor=request.user)
    link = local_url(request, notification.link)
    return redirect(link) if link else redirect("core:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    mark_all_read(actor=request.user)
    return redirect("core:notification_list")


class WorkdaysForm(forms.Form):
    start = forms.DateField(label=_("起算日期（受理日）"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("工作日数"), min_value=0, max_value=365, initial=30)


@login_required
def workdays_tool(request):
    form = WorkdaysForm(request.GET or None)
    result = None
    if form.is_valid():
        result = add_working_days(form.cleaned_data["start"], form.cleaned_data["days"])
    return render(request, "core/tool_workdays.html", {"form": form, "result": result})


class IdNumberForm(forms.Form):
    number = forms.CharField(label=_("身份证号码"), max_length=40)


@login_required
def id_number_tool(request):
    """Check a number at the window before registering someone; nothing is stored or logged in full."""
    form = IdNumberForm(request.POST or None)
    parsed = None
    if request.method == "POST" and form.is_valid():
        try:
            parsed = parse_id_number(form.cleaned_data["number"])
        except InvalidIdNumber as exc:
            form.add_error("number", exc.message)
    masked = mask_id_number(parsed.number) if parsed else None
    return render(request, "core/tool_id_number.html", {"form": form, "parsed": parsed, "masked": masked})


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_500(request):
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
