"""The window (窗口受理): find the applicant, tick the policies and the documents, take the application,
print the receipt; and the clerk's list of today's applications."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.scoping import get_visible_or_404
from onedoor.registry import selectors as registry_selectors
from onedoor.registry.models import HouseholdMember, Person

from . import actions
from .forms import ApplicationForm, active_policies, required_documents, ticked_policies
from .models import Application, Task
from .views import WINDOW_ROLES, errors_onto, require_role

PEOPLE_LIMIT = 10


def _people(user, query: str) -> list[Person]:
    if not query:
        return []
    return list(registry_selectors.search_persons(user, query)[:PEOPLE_LIMIT])


@login_required
def window(request):
    """Step 1: find the applicant (or register them), then take the application. Registering from here
    comes back with `?person=<id>`: straight on to that person's application."""
    require_role(request.user, *WINDOW_ROLES)
    registered = request.GET.get("person", "")
    if registered.isdigit():
        person = get_visible_or_404(request.user, Person, pk=int(registered))
        return redirect("intake:application_new", person_pk=person.pk)
    query = request.GET.get("q", "").strip()[:60]
    context = {"people": _people(request.user, query), "query": query, "limit": PEOPLE_LIMIT,
               "can_register": registry_selectors.may_change_registry(request.user)}
    if request.htmx:
        return render(request, "intake/_window_people.html", context)
    return render(request, "intake/window.html", context)


SUGGESTION_LIMIT = 12


def suggestions_for(user, person: Person) -> list[dict]:
    """Policies this person may qualify for, and why (政策找人): those the registry's facts meet, then
    those where something is still to check. Policies with no conditions at all are not suggestions."""
    try:
        from onedoor.policies.eligibility import suggest_for_person
    except ImportError:  # the catalogue alone still works
        return []
    rows = []
    for suggestion in suggest_for_person(person, timezone.localdate()):
        if not suggestion.checks:
            continue
        rows.append({"policy": suggestion.policy, "verdict": suggestion.verdict,
                     "verdict_label": suggestion.verdict_label,
                     "reasons": [c.explanation for c in suggestion.checks if c.met is True],
                     "unknown": [c.explanation for c in suggestion.unknown_checks]})
    return rows[:SUGGESTION_LIMIT]


def _policy_groups(policies) -> list[dict]:
    return [{"department": department, "policies": list(items)}
            for department, items in groupby(policies, key=lambda p: p.department)]


def _current_household(user, person: Person):
    membership = (HouseholdMember.objects.visible_to(user).filter(person=person, left_on__isnull=True)
                  .select_related("household", "household__head").first())
    return membership.household if membership else None


def _render_form(request, person: Person, form: ApplicationForm, *, status: int = 200):
    policies = list(active_policies())
    ticked = {str(p.pk) for p in form.ticked}
    return render(request, "intake/application_form.html", {
        "person": person,
        "form": form,
        "household": _current_household(request.user, person),
        "groups": _policy_groups(policies),
        "suggestions": suggestions_for(request.user, person),
        "ticked": ticked,
        "window": request.user.organisation,
    }, status=status)


@login_required
def application_new(request, person_pk: int):
    """Step 2: the application form for one applicant."""
    require_role(request.user, *WINDOW_ROLES)
    person = get_visible_or_404(request.user, Person.objects.select_related("residence_area"), pk=person_pk)
    if request.method != "POST":
        return _render_form(request, person, ApplicationForm(initial={"contact_phone": person.phone}))
    form = ApplicationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        window_office = request.user.organisation
        try:
            if window_office is None:
                raise DomainError(_("您的账号没有所属机构，不能受理申请。"))
            application = actions.submit_application(
                actor=request.user, applicant=person, policies=list(data["policies"]), window=window_office,
                channel=data["channel"], statement=data["statement"],
                household=_current_household(request.user, person), documents=form.received(),
                consent_to_checks=data["consent_to_checks"], related_to_staff=data["related_to_staff"],
                related_staff_note=data["related_staff_note"], contact_phone=data["contact_phone"],
                act_first=data["act_first"])
        except DomainError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("已受理，受理编号 %(no)s。") % {"no": application.receipt_no})
            return redirect("intake:application_detail", pk=application.pk)
    return _render_form(request, person, form)


@login_required
def window_documents(request):
    """The htmx partial under the policy list: the documents the ticked policies ask for (ticks kept)
    and the 先行救助 boxes of those that allow it. Reads the public catalogue only."""
    require_role(request.user, *WINDOW_ROLES)
    data = request.GET.copy()
    ticked = ticked_policies(data)
    # Ticks of documents (or 先行救助) of a policy just unticked are dropped, not reported as errors.
    names = set(required_documents(ticked))
    data.setlist("documents", [name for name in data.getlist("documents") if name in names])
    codes = {policy.code for policy in ticked if policy.act_first_allowed}
    data.setlist("act_first", [code for code in data.getlist("act_first") if code in codes])
    return render(request, "intake/_window_documents.html", {"form": ApplicationForm(data)})


def day_bounds(day) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def todays_applications(user, day=None):
    """Applications the user's own window took today (what a clerk hands over at the end of the day)."""
    start, end = day_bounds(day or timezone.localdate())
    return (Application.objects.visible_to(user)
            .filter(window_id=user.organisation_id, submitted_at__gte=start, submitted_at__lt=end)
            .select_related("applicant", "clerk")
            .prefetch_related(Prefetch("tasks", queryset=Task.objects.visible_to(user).select_related("policy"),
                                       to_attr="shown_tasks"))
            .order_by("-submitted_at", "-pk"))


@login_required
def today(request):
    """今日受理: today's applications of the clerk's window, with the state of each task."""
    require_role(request.user, *WINDOW_ROLES)
    context: dict[str, Any] = {
        "page": paginate(request, todays_applications(request.user)),
        "querystring": querystring_without_page(request),
        "today": timezone.localdate(),
    }
    return render(request, "intake/today.html", context)
