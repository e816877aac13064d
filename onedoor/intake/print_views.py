"""The printed documents of intake as PDF responses. Each object is looked up through what the user may
see: an application by its scope, a 补正 notice through its application, a 公示 through its task — so
another town's document answers 404 like one that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from onedoor.core.scoping import get_visible_or_404
from onedoor.geo.models import Area

from . import documents
from .choices import NoticeState
from .models import Application, PublicNotice, SupplementNotice, Task

NOT_FOUND = "没有找到，或者您无权查看。"


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _status_url(request) -> str:
    return request.build_absolute_uri(reverse("portal:status"))


def _one_or_404(queryset, **lookup):
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


@never_cache
@login_required
def receipt(request, receipt_no: str):
    application = get_visible_or_404(
        request.user, Application.objects.select_related("applicant", "window", "clerk"), receipt_no=receipt_no)
    return _pdf(documents.receipt_pdf(application, status_url=_status_url(request)),
                f"receipt-{application.receipt_no}.pdf")


@never_cache
@login_required
def supplement(request, pk: int):
    visible = Application.objects.visible_to(request.user).values("pk")
    notice = _one_or_404(
        SupplementNotice.objects.filter(application__in=visible).select_related(
            "application", "application__applicant", "application__window"), pk=pk)
    return _pdf(documents.supplement_pdf(notice, status_url=_status_url(request)),
                f"supplement-{notice.application.receipt_no}-{notice.pk}.pdf")


def _notices_visible_to(user):
    return PublicNotice.objects.filter(task__in=Task.objects.visible_to(user).values("pk")).select_related(
        "task", "task__policy", "task__application", "task__application__window", "place", "place__parent")


@never_cache
@login_required
def notice(request, pk: int):
    found = _one_or_404(_notices_visible_to(request.user), pk=pk)
    return _pdf(documents.notice_pdf(found), f"notice-{found.pk}.pdf")


@never_cache
@login_required
def village_notices(request, code: str):
    place = get_visible_or_404(request.user, Area.objects.select_related("parent"), code=code)
    running = _notices_visible_to(request.user).filter(place=place, state=NoticeState.RUNNING).order_by(
        "task__policy__order", "starts_on", "pk")
    return _pdf(documents.village_notices_pdf(place, running), f"notices-{place.code}.pdf")
