"""Ledger pages: the list with filters and totals, the duplicate-aid check, and their xlsx exports (jobs)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onedoor.core.paging import paginate, querystring_without_page

from . import selectors, tasks
from .forms import DuplicateFilterForm, LedgerFilterForm


@login_required
def record_list(request):
    form = LedgerFilterForm(request.GET or None, user=request.user)
    flt = form.to_filter() if request.GET else selectors.LedgerFilter()
    records = selectors.records_for(request.user, flt)
    page = paginate(request, records.select_related("person", "area", "policy", "department"))
    return render(request, "ledger/record_list.html", {
        "form": form, "page": page, "totals": selectors.totals(records), "filter_params": flt.as_params(),
        "querystring": querystring_without_page(request),
    })


@login_required
@require_POST
def record_export(request):
    form = LedgerFilterForm(request.POST, user=request.user)
    job = tasks.start_ledger_export(actor=request.user, flt=form.to_filter())
    return redirect("core:job_detail", job_id=job.pk)


def _duplicate_filter(data):
    form = DuplicateFilterForm(data or None)
    if data and form.is_valid():
        return form, form.cleaned_data.get("start"), form.cleaned_data.get("end"), form.cleaned_data.get("kind") or None
    return form, None, None, None


@login_required
def duplicate_list(request):
    form, start, end, kind = _duplicate_filter(request.GET)
    groups = selectors.duplicate_aid(request.user, start=start, end=end, kind=kind)
    page = Paginator(groups, settings.ONEDOOR["PAGE_SIZE"]).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    details = selectors.duplicate_details(request.user, rows, start=start, end=end)
    for row in rows:
        row["records"] = details.get((row["person"], row["kind"]), [])
        row["person_obj"] = row["records"][0].person if row["records"] else None
    return render(request, "ledger/duplicate_list.html", {
        "form": form, "page": page, "rows": rows, "querystring": querystring_without_page(request),
        "params": {"start": start.isoformat() if start else "", "end": end.isoformat() if end else "",
                   "kind": kind or ""},
    })


@login_required
@require_POST
def duplicate_export(request):
    _, start, end, kind = _duplicate_filter(request.POST)
    job = tasks.start_duplicate_export(actor=request.user, start=start, end=end, kind=kind)
    return redirect("core:job_detail", job_id=job.pk)
