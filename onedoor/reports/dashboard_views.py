"""Dashboard pages: the entry sends each user to their role's dashboard; each dashboard is a page whose
charts and tables are filled from one JSON endpoint (reports/dashboards.py builds it, scoped to the reader)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .dashboards import DASHBOARDS, Dashboard, build, dashboards_for

FIRST_YEAR = 2000


def _dashboard(request, name: str) -> Dashboard:
    dashboard = DASHBOARDS.get(name)
    if dashboard is None:
        raise Http404(_("没有这个看板。"))
    if dashboard not in dashboards_for(request.user):
        raise PermissionDenied(_("“%(title)s”只对%(roles)s开放。") % {
            "title": dashboard.title, "roles": _("、").join(_role_label(r) for r in sorted(dashboard.roles))})
    return dashboard


def _role_label(role: str) -> str:
    from onedoor.accounts.choices import Role

    return str(Role(role).label)


def _year(request) -> tuple[int | None, str]:
    """The ?year= of the leader's dashboard: None (this year) or a year from 2000 to this year."""
    text = request.GET.get("year", "").strip()
    if not text:
        return None, ""
    this_year = timezone.localdate().year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= this_year:
        return None, _("年份应为 %(first)s 至 %(last)s 之间的四位数字。") % {"first": FIRST_YEAR, "last": this_year}
    return int(text), ""


@login_required
@require_GET
def entry(request):
    """/reports/dashboards/: to the first dashboard the user's roles open."""
    found = dashboards_for(request.user)
    if not found:
        raise PermissionDenied(_("您的角色没有对应的数据看板。"))
    return redirect("reports:dashboard_page", name=found[0].name)


@login_required
@require_GET
def page(request, name: str):
    dashboard = _dashboard(request, name)
    year, error = _year(request) if name == "leader" else (None, "")
    source = reverse("reports:dashboard_data", kwargs={"name": name})
    if year:
        source += f"?year={year}"
    this_year = timezone.localdate().year
    return render(request, "reports/dashboards/page.html", {
        "dashboard": dashboard, "others": dashboards_for(request.user), "source": source, "error": error,
        "year": year or this_year, "years": list(range(this_year, this_year - 5, -1)) if name == "leader" else [],
    })


@never_cache
@login_required
@require_GET
def data(request, name: str):
    """The dashboard's figures, charts and tables as JSON (one request fills the whole page)."""
    _dashboard(request, name)
    options = {}
    if name == "leader":
        year, error = _year(request)
        if error:
            return JsonResponse({"code": "invalid_year", "message": error, "details": {"field": "year"}}, status=400)
        options["year"] = year
    return JsonResponse(build(name, request.user, **options), encoder=DjangoJSONEncoder,
                        json_dumps_params={"ensure_ascii": False})
