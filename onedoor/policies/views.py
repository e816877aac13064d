"""Staff pages of the catalogue: the policy list and page, a policy's responsibility list (edited by
the dispatcher and the admin), and the standards (set by the admin).

The catalogue, the responsibility list and the standards are public knowledge, not scoped data: every
signed-in user reads them. Editing is checked by the actions (NotPermitted → 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate, querystring_without_page

from . import actions, selectors
from .choices import LifeSituation, PolicyKind, StandardKind
from .forms import EndResponsibilityForm, ResponsibilityForm, StandardForm
from .models import Policy, Responsibility, Standard

SITUATION_LABELS = dict(LifeSituation.choices)


def _errors_onto(form, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for field, message in details.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _department_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@login_required
def policy_list(request):
    department = _department_id(request.GET.get("department", ""))
    policies = selectors.search_policies(
        request.GET.get("q", ""), department=department, kind=request.GET.get("kind", ""),
        situation=request.GET.get("situation", ""), active_only=request.GET.get("inactive") != "1",
    ).prefetch_related("eligible_categories")
    page = paginate(request, policies)
    page.object_list = list(page.object_list)
    for policy in page.object_list:
        policy.situation_names = [SITUATION_LABELS.get(s, s) for s in policy.life_situations]
    context = {"page": page, "querystring": querystring_without_page(request)}
    if request.htmx:
        return render(request, "policies/_policy_rows.html", context)
    context.update(departments=selectors.handling_departments(), kinds=PolicyKind.choices,
                   situations=LifeSituation.choices,
                   can_edit=actions.may_edit_responsibilities(request.user),
                   can_set_standards=actions.may_set_standards(request.user))
    return render(request, "policies/policy_list.html", context)


def _policy(code: str, today) -> Policy:
    queryset = (Policy.objects.select_related("department").prefetch_related("eligible_categories",
                                                                              selectors.lines_in_force(today)))
    return get_object_or_404(queryset, code=code)


@login_required
def policy_detail(request, code: str):
    today = timezone.localdate()
    policy = _policy(code, today)
    return render(request, "policies/policy_detail.html", {
        "policy": policy,
        "today": today,
        "situations": [SITUATION_LABELS.get(s, s) for s in policy.life_situations],
        "can_edit": actions.may_edit_responsibilities(request.user),
    })


def _render_responsibilities(request, policy: Policy, *, form=None, end_form=None, end_for: int | None = None,
                             status: int = 200):
    lines = (Responsibility.objects.filter(policy=policy)
             .select_related("area", "department", "handler").prefetch_related("pool")
             .order_by("area_id", "-valid_from", "-pk"))
    today = timezone.localdate()
    rows = []
    for line in lines:
        if line.valid_from > today:
            state = "future"
        elif line.valid_to is not None and line.valid_to <= today:
            state = "ended"
        else:
            state = "in_force"
        row_form = end_form if end_for == line.pk else EndResponsibilityForm(auto_id=f"end{line.pk}_%s")
        rows.append({"line": line, "state": state, "end_form": row_form})
    can_edit = actions.may_edit_responsibilities(request.user)
    return render(request, "policies/responsibility_list.html", {
        "policy": policy,
        "rows": rows,
        "today": today,
        "can_edit": can_edit,
        "form": (form or ResponsibilityForm()) if can_edit else None,
        "end_for": end_for,
    }, status=status)


@login_required
def responsibility_list(request, code: str):
    policy = get_object_or_404(Policy.objects.select_related("department"), code=code)
    if request.method != "POST":
        return _render_responsibilities(request, policy)
    if not actions.may_edit_responsibilities(request.user):
        raise PermissionDenied
    form = ResponsibilityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_responsibility(actor=request.user, policy=policy, area=data["area"],
                                       department=data["department"], handler=data["handler"],
                                       pool=data["pool"], valid_from=data["valid_from"], note=data["note"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("已添加责任清单条目；只影响此后新受理的事项。"))
            return redirect("policies:responsibility_list", code=policy.code)
    return _render_responsibilities(request, policy, form=form, status=422)


@login_required
@require_POST
def responsibility_end(request, pk: int):
    if not actions.may_edit_responsibilities(request.user):
        raise PermissionDenied
    line = get_object_or_404(Responsibility.objects.select_related("policy"), pk=pk)
    form = EndResponsibilityForm(request.POST, auto_id=f"end{line.pk}_%s")
    if form.is_valid():
        try:
            actions.end_responsibility(actor=request.user, responsibility=line, valid_to=form.cleaned_data["valid_to"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("条目已设定失效日期。"))
            return redirect("policies:responsibility_list", code=line.policy.code)
    return _render_responsibilities(request, line.policy, end_form=form, end_for=line.pk, status=422)


@login_required
def standard_list(request):
    can_set = actions.may_set_standards(request.user)
    form = None
    status = 200
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        form = StandardForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.set_standard(actor=request.user, kind=data["kind"], hukou_type=data["hukou_type"],
                                     amount=data["amount"], effective_from=data["effective_from"],
                                     basis=data["basis"])
            except DomainError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, _("已登记新的保障标准。"))
                return redirect("policies:standard_list")
        status = 422
    today = timezone.localdate()
    standards = list(Standard.objects.select_related("created_by").order_by("kind", "hukou_type", "-effective_from"))
    in_force: set[int] = set()
    seen: set[tuple[str, str]] = set()
    for standard in standards:  # newest first within (kind, hukou): the first started one is in force
        key = (standard.kind, standard.hukou_type)
        if key not in seen and standard.effective_from <= today:
            seen.add(key)
            in_force.add(standard.pk)
    order = {kind: index for index, kind in enumerate(StandardKind.values)}
    standards.sort(key=lambda s: (order.get(s.kind, 99), s.hukou_type, -s.effective_from.toordinal()))
    return render(request, "policies/standard_list.html", {
        "standards": standards,
        "in_force": in_force,
        "today": today,
        "form": (form or StandardForm(initial={"effective_from": today.replace(day=1)})) if can_set else None,
    }, status=status)

