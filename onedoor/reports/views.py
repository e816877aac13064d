"""Report pages: the index, the annual report (page, xlsx, PDF), its drill-down lists and the monthly statistics.

Open to every signed-in member of staff: each figure is computed from what the reader may see, so a town's
clerk sees the town's figures and the leader the district's. An area outside the reader's grants is 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from onedoor.core.paging import paginate, querystring_without_page

from . import annual, exports
from .drill import drill as build_drill
from .params import parse_month, parse_period, report_areas, resolve_area

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\""
    return response


@login_required
def index(request):
    area = resolve_area(request.user, request.GET.get("area"))
    return render(request, "reports/index.html", {"area": area, "areas": report_areas(request.user)})


def _report_from(request) -> tuple[annual.AnnualReport, Any]:
    period = parse_period(request.GET)
    area = resolve_area(request.user, request.GET.get("area"))
    report = annual.annual_report(request.user, start=period.start, end=period.end, area_code=area)
    return report, period


def _chart(title: str, rows: list[annual.Row], *, by: str = "amount", name: str = "") -> dict[str, Any]:
    return {"title": title, "categories": [r.label for r in rows],
            "series": [{"name": name or title, "data": [str(r.amount) if by == "amount" else r.count for r in rows]}]}


def _figure_links(report: annual.AnnualReport, period) -> dict[str, str]:
    base = {**period.as_params(), "area": report.area_code}

    def link(figure: str, **extra: str) -> str:
        return urlencode({**base, "figure": figure, **extra})

    return {"subsidies": link("subsidies"), "loans": link("loans"), "loan_subsidies": link("loan_subsidies"),
            "employment": link("employment"), "campaign_issues": link("campaign_issues"),
            "on_hand": link("reserves", side="on_hand"), "suppliers": link("reserves", side="suppliers"),
            "applications": link("applications"), "tasks": link("tasks"), "decided": link("decided"),
            "on_time": link("decided", on_time="1"), "late": link("decided", on_time="0")}


@login_required
def annual_page(request):
    report, period = _report_from(request)
    months = annual.subsidies_by_month(request.user, start=period.start, end=period.end,
                                       area_code=report.area_code)
    charts = {
        "policy": _chart("按政策（元）", report.subsidies.by_policy[:12]),
        "category": _chart("按对象类别（元）", report.subsidies.by_category),
        "month": _chart("按月发放（元）", months),
        "issued": _chart("送温暖发放物资", report.campaigns.issued, by="count"),
        "channel": _chart("受理渠道", report.one_window.by_channel, by="count"),
        "department": _chart("办理事项（按部门）", report.one_window.by_department[:12], by="count"),
    }
    return render(request, "reports/annual.html", {
        "report": report, "period": period, "charts": charts, "links": _figure_links(report, period),
        "areas": report_areas(request.user), "params": urlencode({**period.as_params(), "area": report.area_code}),
        "coverage_links": {c.campaign_id: urlencode({**period.as_params(), "area": report.area_code,
                                                     "figure": "coverage", "campaign": c.campaign_id})
                           for c in report.campaigns.campaigns},
    })


@login_required
def annual_xlsx(request):
    report, period = _report_from(request)
    name = f"annual-report-{report.area_code}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
    return _download(exports.annual_xlsx(report), name, XLSX)


@login_required
def annual_pdf(request):
    report, period = _report_from(request)
    months = annual.subsidies_by_month(request.user, start=period.start, end=period.end,
                                       area_code=report.area_code)
    name = f"annual-report-{report.area_code}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.pdf"
    return _download(exports.annual_pdf(report, monthly=months), name, "application/pdf")


@login_required
def drill(request):
    found = build_drill(request.user, request.GET)
    page = paginate(request, found.records)
    return render(request, "reports/drill.html", {
        "drill": found, "page": page, "rows": found.rows(page.object_list),
        "querystring": querystring_without_page(request), "area_name": annual.area_name(found.params["area"]),
        "back": urlencode({k: v for k, v in found.params.items() if k in ("year", "start", "end", "area")}),
    })


def _monthly_from(request) -> annual.MonthlyStatistics:
    month = parse_month(request.GET.get("month"))
    area = resolve_area(request.user, request.GET.get("area"))
    return annual.monthly_statistics(request.user, month=month, area_code=area)


@login_required
def monthly(request):
    stats = _monthly_from(request)
    rows = [{"code": code, "name": name, "cells": [stats.cell(code, c) for c, _ in stats.categories],
             "total": stats.town_totals[code]} for code, name in stats.towns]
    start, end = annual.month_bounds(stats.month)
    drill_base = {"start": start.isoformat(), "end": end.isoformat(), "figure": "subsidies"}
    return render(request, "reports/monthly.html", {
        "stats": stats, "rows": rows, "areas": report_areas(request.user),
        "category_totals": [stats.category_totals[c] for c, _ in stats.categories],
        "category_links": [urlencode({**drill_base, "area": stats.area_code, "category": c})
                           for c, _ in stats.categories],
        "town_links": {code: urlencode({**drill_base, "area": code}) for code, _ in stats.towns},
        "params": urlencode({"month": f"{stats.month:%Y-%m}", "area": stats.area_code}),
    })


@login_required
def monthly_xlsx(request):
    stats = _monthly_from(request)
    return _download(exports.monthly_xlsx(stats), f"monthly-{stats.area_code}-{stats.month:%Y%m}.xlsx", XLSX)
