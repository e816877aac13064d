from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onedoor.accounts.models import Organisation
from onedoor.core.jobs import start_job
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.pdf import render_pdf
from onedoor.core.scoping import get_visible_or_404

from .choices import TOWN_LEVELS, VILLAGE_LEVELS, AreaLevel
from .models import Area
from .tasks import export_areas


def _filtered_areas(request):
    areas = Area.objects.visible_to(request.user).select_related("parent").search(request.GET.get("q", ""))
    level = request.GET.get("level")
    if level in AreaLevel.values:
        areas = areas.filter(level=level)
    if request.GET.get("ended") != "1":
        areas = areas.current()
    return areas.order_by("code")


def _units_per_town(user) -> dict:
    """Chart data: current communities and villages under each visible town-level area."""
    towns = {a.code[:9]: a.name for a in Area.objects.visible_to(user).current().filter(level__in=TOWN_LEVELS)}
    counts = dict.fromkeys(towns, 0)
    units = Area.objects.visible_to(user).current().filter(level__in=VILLAGE_LEVELS).values_list("code", flat=True)
    for code in units:
        if code[:9] in counts:
            counts[code[:9]] += 1
    return {"title": _("各镇（街、场）村居数量"), "categories": list(towns.values()),
            "series": [{"name": _("村（社区）"), "data": list(counts.values())}]}


@login_required
def area_list(request):
    context = {
        "page": paginate(request, _filtered_areas(request)),
        "querystring": querystring_without_page(request),
        "levels": AreaLevel.choices,
    }
    if not request.htmx:
        context["chart"] = _units_per_town(request.user)
    template = "geo/_area_rows.html" if request.htmx else "geo/area_list.html"
    return render(request, template, context)


@login_required
def area_detail(request, code: str):
    area = get_visible_or_404(request.user, Area, code=code)
    children = Area.objects.visible_to(request.user).filter(parent=area).order_by("code")
    organisations = Organisation.objects.visible_to(request.user).filter(area=area)
    visible_codes = {a.code for a in area.ancestors()}
    visible_codes = set(Area.objects.visible_to(request.user).filter(code__in=visible_codes | {area.successor_id})
                        .values_list("code", flat=True))
    return render(request, "geo/area_detail.html", {
        "area": area, "children": children, "organisations": organisations,
        "ancestors": [a for a in area.ancestors() if a.code in visible_codes],
        "successor": area.successor if area.successor_id in visible_codes else None,
    })


@login_required
@require_POST
def area_export(request):
    job = start_job(kind="geo.export_areas", title="导出行政区划（xlsx）", actor=request.user, task=export_areas)
    return redirect("core:job_detail", job_id=job.pk)


@login_required
def area_print(request):
    """The area code table as a printable PDF (A4), for the window's wall or a binder."""
    areas = _filtered_areas(request)[:2000]
    pdf = render_pdf("geo/area_print.html", {"areas": areas, "title": _("行政区划代码表")})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = "inline; filename=areas.pdf"
    return response
