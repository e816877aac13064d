"""Payroll pages (finance): runs, run detail, moves, bank files, failed payments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import PayrollRun


@login_required
def run_list(request):
    runs = PayrollRun.objects.visible_to(request.user).select_related("policy").order_by("-month", "-pk")
    return render(request, "benefits/payroll/run_list.html", {"runs": runs[:50]})
