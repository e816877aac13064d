"""The enrollment pages (待遇享受): the list with filters, one enrollment's page (its amount over time
with the basis in plain Chinese, events, payments, reviews, and a form for each change the user may
make), and the due list of reviews (复核). Every read goes through `visible_to`; forms are offered,
and accepted, only for enrollments in `reviews.changeable_by(user)`. One route takes every form:
POST <pk>/do/<action>/ calls one action; a refusal re-shows the page with the message beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.scoping import get_visible_or_404, in_subtree, is_admin
from onedoor.policies.choices import PolicyKind
from onedoor.policies.models import Policy
from onedoor.registry.forms import towns_and_villages_for

from . import actions, reviews
from .choices import LIVE_STATUSES, EnrollmentStatus, ReviewKind
from .explain import explain_basis
from .forms_enrollments import (
    EndForm,
    EnrollmentFilterForm,
    FadingForm,
    ReasonForm,
    RecomputeForm,
    ReviewForm,
)
from .models import BENEFIT_ROLES, Enrollment, EnrollmentEvent, Payment
from .months import add_months, month_of

LIST_ROLES = tuple(BENEFIT_ROLES)
PAYMENT_ROWS = 36
EVENT_LABELS: dict[str, str | Promise] = {
    "enrolled": _("建档发放"),
    "amount_changed": _("重新核定金额"),
    "suspended": _("暂停发放"),
    "resumed": _("恢复发放"),
    "fading": _("进入渐退期"),
    "ended": _("终止发放"),
    "deceased": _("死亡终止"),
    "payee_changed": _("变更领取人"),
    "review_scheduled": _("安排复核"),
    "reviewed": _("复核"),
}


def _require(user, *roles: str) -> None:
    if not (is_admin(user) or user.has_role(*roles)):
        raise PermissionDenied


def enrollments():
    return Enrollment.objects.select_related("policy", "person", "household", "household__head", "area",
                                             "area__parent")


def errors_onto(form, exc: DomainError) -> None:
    """Put a refused action's message beside the field it names (details={"field": …}), else on top."""
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


# --- the list -----------------------------------------------------------------------------------------


def _filtered(request, user) -> tuple[Any, EnrollmentFilterForm]:
    policies = Policy.objects.filter(kind=PolicyKind.MONTHLY_CASH).order_by("order", "code")
    areas = towns_and_villages_for(user)
    form = EnrollmentFilterForm(request.GET or None, policies=policies, areas=areas)
    rows = Enrollment.objects.visible_to(user)
    if policy := form.value("policy"):
        rows = rows.filter(policy_id=policy)
    if status := form.value("status"):
        rows = rows.filter(status=status)
    if area := form.value("area"):
        rows = rows.filter(in_subtree("area", area))
    if name := (form.value("q") or "").strip():
        rows = rows.filter(person__name__contains=name)
    review = form.value("review")
    if review == "due":
        rows = reviews.reviews_due(rows)
    elif review == "overdue":
        rows = reviews.reviews_due(rows, within_days=0).filter(next_review_on__lt=timezone.localdate())
    else:
        rows = rows.order_by("-start_month", "-pk")
    return rows, form


@login_required
def enrollment_list(request):
    _require(request.user, *LIST_ROLES)
    rows, form = _filtered(request, request.user)
    page = paginate(request, rows.select_related("policy", "person", "household", "area"))
    return render(request, "benefits/enrollments/list.html", {
        "page": page, "form": form, "querystring": querystring_without_page(request),
        "today": timezone.localdate(),
        "may_review": is_admin(request.user) or request.user.has_role(*reviews.CHANGE_ROLES),
    })


# --- reviews due --------------------------------------------------------------------------------------


@login_required
def review_list(request):
    """Reviews due within 30 days and overdue, of the enrollments the user may change."""
    _require(request.user, *reviews.CHANGE_ROLES)
    today = timezone.localdate()
    due = reviews.reviews_due(reviews.changeable_by(request.user), on=today)
    counts = due.aggregate(due=Count("pk"), overdue=Count("pk", filter=Q(next_review_on__lt=today)))
    when = request.GET.get("when", "")
    shown = due.filter(next_review_on__lt=today) if when == "overdue" else due
    page = paginate(request, shown.select_related("policy", "person", "household", "area"))
    kinds = dict(ReviewKind.choices)
    for enrollment in page.object_list:
        enrollment.review_label = kinds.get(enrollment.open_kind) if (
            enrollment.open_due is not None and enrollment.open_due == enrollment.next_review_on
        ) else kinds[ReviewKind.SCHEDULED]
        enrollment.overdue = enrollment.next_review_on < today
    return render(request, "benefits/enrollments/reviews.html", {
        "page": page, "counts": counts, "when": when, "today": today,
        "querystring": querystring_without_page(request),
    })


# --- one enrollment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionForm:
    label: str | Promise
    make: Callable[..., Any]                      # (data, prefix=) -> form
    run: Callable[[Enrollment, Any, Any], Any]    # (enrollment, user, cleaned form)
    done: str | Promise
    offered: Callable[[Enrollment], bool]
    danger: bool = False


def _next_month():
    return add_months(month_of(timezone.localdate()), 1)


ACTION_FORMS: dict[str, ActionForm] = {
    "review": ActionForm(
        _("登记复核"), lambda *a, **kw: ReviewForm(*a, **kw),
        lambda e, u, f: reviews.record_review(e, actor=u, reviewed_on=f.cleaned_data["reviewed_on"],
                                              outcome=f.cleaned_data["outcome"], note=f.cleaned_data["note"],
                                              months=f.cleaned_data["months"]),
        _("复核已登记。"), lambda e: e.status in LIVE_STATUSES),
    "recompute": ActionForm(
        _("重新核定金额"), lambda *a, **kw: RecomputeForm(*a, **kw),
        lambda e, u, f: actions.recompute_amount(e, actor=u, from_month=f.cleaned_data["from_month"],
                                                 reason=f.cleaned_data["reason"]),
        _("金额已重新核定。"), lambda e: e.status in LIVE_STATUSES),
    "suspend": ActionForm(
        _("暂停发放"), lambda *a, **kw: ReasonForm(*a, **kw),
        lambda e, u, f: actions.suspend(e, actor=u, reason=f.cleaned_data["reason"]),
        _("已暂停发放。"), lambda e: e.status == EnrollmentStatus.ACTIVE),
    "resume": ActionForm(
        _("恢复发放"), lambda *a, **kw: ReasonForm(*a, **kw),
        lambda e, u, f: actions.resume(e, actor=u, reason=f.cleaned_data["reason"]),
        _("已恢复发放。"), lambda e: e.status == EnrollmentStatus.SUSPENDED),
    "fading": ActionForm(
        _("进入渐退期"), lambda *a, **kw: FadingForm(*a, **kw),
        lambda e, u, f: actions.start_fading(e, actor=u, months=f.cleaned_data["months"],
                                             reason=f.cleaned_data["reason"],
                                             from_month=f.cleaned_data["from_month"] or _next_month()),
        _("已进入渐退期。"), lambda e: e.status == EnrollmentStatus.ACTIVE),
    "end": ActionForm(
        _("终止发放"), lambda *a, **kw: EndForm(*a, **kw),
        lambda e, u, f: actions.end_enrollment(e, actor=u, last_month=f.cleaned_data["last_month"],
                                               reason=f.cleaned_data["reason"]),
        _("待遇已终止。"), lambda e: e.status in LIVE_STATUSES, danger=True),
}


def _amount_rows(enrollment: Enrollment, today) -> list[dict]:
    rows = list(enrollment.amounts.order_by("-from_month", "-pk"))
    current_month = month_of(today)
    in_force = next((row.pk for row in rows if row.from_month <= current_month), None)
    return [{"row": row, "explained": explain_basis(row.basis), "in_force": row.pk == in_force} for row in rows]


def _event_rows(enrollment: Enrollment) -> list[dict]:
    events = EnrollmentEvent.objects.filter(enrollment=enrollment).select_related("actor").order_by(
        "-occurred_at", "-pk")
    return [{"event": event, "label": EVENT_LABELS.get(event.code, event.code)} for event in events]


def _render(request, enrollment: Enrollment, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    forms = []
    if reviews.may_change(user, enrollment):
        offered = [key for key, spec in ACTION_FORMS.items() if spec.offered(enrollment)]
        keys = offered + [key for key in bound if key not in offered]
        forms = [{"action": key, "label": ACTION_FORMS[key].label, "danger": ACTION_FORMS[key].danger,
                  "form": bound.get(key) or ACTION_FORMS[key].make(prefix=key), "open": key in bound}
                 for key in keys]
    payments = (Payment.objects.visible_to(user).filter(enrollment=enrollment).select_related("run", "run__policy")
                .order_by("-month", "-pk"))
    return render(request, "benefits/enrollments/detail.html", {
        "enrollment": enrollment,
        "amounts": _amount_rows(enrollment, today),
        "events": _event_rows(enrollment),
        "payments": [{"payment": p, "explained": explain_basis(p.basis)} for p in payments[:PAYMENT_ROWS]],
        "payment_limit": PAYMENT_ROWS,
        "reviews": list(enrollment.reviews.select_related("reviewer").order_by("-due_on", "-pk")),
        "review_due": reviews.is_due(enrollment, today),
        "forms": forms,
        "today": today,
    }, status=status)


@login_required
def enrollment_detail(request, pk: int):
    return _render(request, get_visible_or_404(request.user, enrollments(), pk=pk))


@login_required
@require_POST
def enrollment_action(request, pk: int, action: str):
    enrollment = get_visible_or_404(request.user, enrollments(), pk=pk)
    if action not in ACTION_FORMS:
        raise Http404("没有这项操作。")
    if not reviews.may_change(request.user, enrollment):
        raise PermissionDenied
    spec = ACTION_FORMS[action]
    form = spec.make(request.POST, prefix=action)
    if form.is_valid():
        try:
            spec.run(enrollment, request.user, form)
        except DomainError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, str(spec.done))
            return redirect("benefits:enrollment_detail", pk=enrollment.pk)
    enrollment.refresh_from_db()
    return _render(request, enrollment, bound={action: form})
