"""Pages of the registry: search, the person page (一人一档), the household page, and the forms that
call one registry action each. Every object id a request names is looked up through
`get_visible_or_404`, so another town's person or household answers 404 whatever the route."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import Conflict, DomainError, NotPermitted
from onedoor.core.idnumber import mask_id_number, normalize_id_number
from onedoor.core.paging import querystring_without_page
from onedoor.core.redirects import local_url
from onedoor.core.scoping import get_visible_or_404
from onedoor.geo.models import Area

from . import actions, selectors
from .choices import SELF_CARE_ITEMS, CategorySubject, Relation
from .forms import (
    AddMemberForm,
    CategoryAssignForm,
    CategoryEndForm,
    ChangeHeadForm,
    DeathForm,
    HouseholdCreateForm,
    MergeForm,
    PersonEditForm,
    PersonForm,
    RemoveMemberForm,
    RevealForm,
    SelfCareForm,
    towns_and_villages_for,
)
from .models import (
    Category,
    CategoryAssignment,
    Household,
    HouseholdMember,
    Person,
    RegistryEvent,
    mask_bank_account,
)
from .models_import import IMPORT_ROLES
from .paging import bounded_page
from .sections import sections_for

EVENT_LABELS = {
    "registered": gettext_lazy("登记"),
    "updated": gettext_lazy("修改信息"),
    "self_care_assessed": gettext_lazy("自理能力评估"),
    "deceased": gettext_lazy("登记死亡"),
    "household_formed": gettext_lazy("建立家庭"),
    "member_joined": gettext_lazy("加入家庭"),
    "member_left": gettext_lazy("迁出家庭"),
    "head_changed": gettext_lazy("变更户主"),
    "category_assigned": gettext_lazy("认定类别"),
    "category_ended": gettext_lazy("终止类别"),
    "merged": gettext_lazy("合并重复记录"),
}
# Values an event may hold in full that a page shows masked.
MASKED_FIELDS = {"id_number": mask_id_number, "bank_account": mask_bank_account}
AREA_CODE = re.compile(r"^[0-9A-Z]{12}$")
CATEGORY_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
PICKER_FIELDS = ("person", "duplicate")
PICKER_LIMIT = 10
TIMELINE_LIMIT = 100


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# Action messages that may name a household the user cannot see are replaced by these.
SCOPE_SAFE_MESSAGES = {"in_another_household": gettext_lazy("此人目前属于另一个家庭，请先办理迁出。")}


def _errors_onto(form, exc: DomainError, fields_by_code: dict[str, str] | None = None) -> None:
    """Put a refused action's message(s) beside the fields they concern."""
    details = exc.details if isinstance(exc.details, dict) else {}
    for field, message in details.items():
        form.add_error(field if field in form.fields else None, message)
    if not details:
        field = (fields_by_code or {}).get(exc.code)
        form.add_error(field if field in form.fields else None, SCOPE_SAFE_MESSAGES.get(exc.code, exc.message))


def _persons():
    return Person.objects.select_related("residence_area", "residence_area__parent", "hukou_area", "merged_into")


def _households():
    return Household.objects.select_related("head", "residence_area", "residence_area__parent")


# --- search ---------------------------------------------------------------------------------------


def _with_categories_in_force(people, user, on: date):
    """Prefetch each person's categories in force, and those of their current household: a fixed
    number of queries whatever the page size."""
    in_force = CategoryAssignment.objects.visible_to(user).on(on).select_related("category").order_by(
        "category__order", "pk")
    current = HouseholdMember.objects.filter(left_on__isnull=True).select_related("household").prefetch_related(
        Prefetch("household__category_assignments", queryset=in_force, to_attr="categories_in_force"))
    return people.prefetch_related(
        Prefetch("category_assignments", queryset=in_force, to_attr="categories_in_force"),
        Prefetch("memberships", queryset=current, to_attr="current_memberships"),
    )


@login_required
def person_list(request):
    query = request.GET.get("q", "").strip()[:60]
    area = request.GET.get("area", "")
    category = request.GET.get("category", "")
    include_deceased = request.GET.get("deceased") == "1"
    today = timezone.localdate()
    people = selectors.search_persons(
        request.user, query, area=area if AREA_CODE.match(area) else None,
        category=category if CATEGORY_CODE.match(category) else None, include_deceased=include_deceased)
    context = {
        "page": bounded_page(request, _with_categories_in_force(people, request.user, today)),
        "querystring": querystring_without_page(request),
        "today": today,
        "can_edit": selectors.may_change_registry(request.user),
        "can_import": request.user.has_role(*IMPORT_ROLES),
    }
    if request.htmx:
        return render(request, "registry/_person_rows.html", context)
    context["areas"] = towns_and_villages_for(request.user)
    context["categories"] = Category.objects.filter(is_active=True)
    return render(request, "registry/person_list.html", context)


@login_required
def person_picker(request):
    """The htmx partial behind "pick a person" boxes (add a member, merge): a few radio buttons."""
    query = request.GET.get("q", "").strip()[:60]
    field = request.GET.get("field")
    exclude = request.GET.get("exclude", "")
    people: list[Person] = []
    if query:
        found = selectors.search_persons(request.user, query)
        if exclude.isdigit():
            found = found.exclude(pk=int(exclude))
        people = list(found[:PICKER_LIMIT])
    return render(request, "registry/_person_picker.html", {
        "people": people, "query": query, "field": field if field in PICKER_FIELDS else "person",
        "limit": PICKER_LIMIT,
    })


# --- the person page ----------------------------------------------------------------------------------


def _status(assignment: CategoryAssignment, today: date) -> str:
    if assignment.valid_from > today:
        return "future"
    if assignment.valid_to is not None and assignment.valid_to <= today:
        return "ended"
    return "in_force"


def _with_status(assignments, today: date) -> list[CategoryAssignment]:
    rows = list(assignments)
    for assignment in rows:
        assignment.status = _status(assignment, today)
    return rows


AREA_FIELDS = ("residence_area", "hukou_area")


def _shown_value(key: str, value: Any, areas: dict[str, str]) -> str:
    if value in (None, "", []):
        return "—"
    if key in MASKED_FIELDS:
        return MASKED_FIELDS[key](str(value))
    if key in AREA_FIELDS:
        return areas.get(str(value), str(value))
    try:
        field = Person._meta.get_field(key)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _field_label(key: str) -> str:
    try:
        return str(Person._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _changes(data: dict) -> tuple[dict, dict]:
    before, after = data.get("before"), data.get("after")
    return (before if isinstance(before, dict) else {}), (after if isinstance(after, dict) else {})


def _timeline(events, user) -> list[dict]:
    """What a page shows of each event: its label, who, when, the note and a readable summary (ID
    numbers and bank accounts in events are masked here)."""
    events = list(events)
    categories = dict(Category.objects.values_list("code", "name"))
    relations = dict(Relation.choices)
    codes = {str(v) for e in events if e.code == "updated" for side in _changes(e.data or {})
             for k, v in side.items() if k in AREA_FIELDS and v}
    areas = dict(Area.objects.visible_to(user).filter(code__in=codes).values_list("code", "name")) if codes else {}
    rows = []
    for event in events:
        data = event.data or {}
        details: list[str] = []
        if event.code == "updated":
            before, after = _changes(data)
            details = [f"{_field_label(k)}：{_shown_value(k, before.get(k), areas)} → {_shown_value(k, v, areas)}"
                       for k, v in after.items()]
        elif event.code in ("category_assigned", "category_ended"):
            details = [categories.get(data.get("category"), data.get("category", ""))]
        elif event.code == "member_joined":
            details = [str(relations.get(data.get("relation"), data.get("relation", "")))]
        elif event.code == "self_care_assessed":
            details = [_shown_value("self_care", data.get("after"), areas)]
        elif event.code == "deceased":
            details = [data.get("death_date", "")]
        rows.append({"event": event, "label": EVENT_LABELS.get(event.code, event.code),
                     "details": [str(d) for d in details if d]})
    return rows


def _render_person(request, person: Person, *, status: int = 200, **extra: Any):
    user = request.user
    today = timezone.localdate()
    membership = (HouseholdMember.objects.visible_to(user).filter(person=person, left_on__isnull=True)
                  .select_related("household", "household__head", "household__residence_area").first())
    # A household outside the user's scope is not shown, only that there is one.
    elsewhere = membership is None and HouseholdMember.objects.filter(person=person, left_on__isnull=True).exists()
    members: list[HouseholdMember] = []
    household_categories: list[CategoryAssignment] = []
    if membership:
        members = list(membership.household.members_on(today).select_related("person"))
        household_categories = list(CategoryAssignment.objects.visible_to(user).on(today)
                                    .filter(household=membership.household).select_related("category"))
    past = list(HouseholdMember.objects.visible_to(user).filter(person=person, left_on__isnull=False)
                .select_related("household", "household__head").order_by("-left_on"))
    linked_ids = {m.person_id for m in members}
    visible_ids = set(Person.objects.visible_to(user).filter(pk__in=linked_ids).values_list("pk", flat=True))
    assignments = (CategoryAssignment.objects.visible_to(user).filter(person=person)
                   .select_related("category", "created_by").order_by("-valid_from", "-pk"))
    events = (RegistryEvent.objects.visible_to(user).filter(person=person).select_related("actor")
              .order_by("-occurred_at", "-pk")[:TIMELINE_LIMIT])
    can_edit = selectors.may_change_registry(user)
    alive = person.death_date is None and person.merged_into_id is None
    context = {
        "person": person,
        "today": today,
        "age": person.age_on(min(today, person.death_date) if person.death_date else today),
        "self_care_unable": [label for key, label in SELF_CARE_ITEMS if key in (person.self_care_unable or [])],
        "membership": membership,
        "members": members,
        "visible_member_ids": visible_ids,
        "household_categories": household_categories,
        "past_memberships": past,
        "assignments": _with_status(assignments, today),
        "timeline": _timeline(events, user),
        "sections": sections_for(request, person),
        "can_edit": can_edit and person.merged_into_id is None,
        "can_merge": selectors.may_merge(user) and person.merged_into_id is None,
        "alive": alive,
        "may_unmask": selectors.may_unmask(user) and bool(person.id_number),
        "reveal_form": RevealForm(),
        "household_elsewhere": elsewhere,
        "household_form": HouseholdCreateForm() if can_edit and alive and not membership and not elsewhere else None,
        **extra,
    }
    return render(request, "registry/person_detail.html", context, status=status)


@login_required
def person_detail(request, pk: int):
    person = get_visible_or_404(request.user, _persons(), pk=pk)
    return _render_person(request, person)


@never_cache
@login_required
@require_POST
def person_reveal_id(request, pk: int):
    """Show the full ID number once, in this response only; the selector checks the role and logs it."""
    person = get_visible_or_404(request.user, _persons(), pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person, reveal_form=form, reveal_open=True)
    try:
        number = selectors.reveal_id_number(actor=request.user, person=person, reason=form.cleaned_data["reason"])
    except NotPermitted as exc:
        messages.error(request, exc.message)
        return redirect("registry:person_detail", pk=person.pk)
    return _render_person(request, person, revealed=number)


# --- registering and editing ---------------------------------------------------------------------------


def _visible_with_id(user, raw: str) -> Person | None:
    number = normalize_id_number(raw or "")
    return Person.objects.visible_to(user).filter(id_number=number).first() if number else None


@login_required
def person_create(request):
    """Register a person. With `next` (a path on this site, e.g. the intake window), go back there with
    `person=<id>` added, so the page that sent the clerk here carries on with the new person."""
    _require(selectors.may_change_registry(request.user))
    form = PersonForm(request.POST or None, user=request.user)
    back = local_url(request, request.POST.get("next") or request.GET.get("next"))
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.register_person(actor=request.user, data=form.person_data())
        except actions.InvalidPerson as exc:
            _errors_onto(form, exc)
        except Conflict as exc:
            existing = _visible_with_id(request.user, form.cleaned_data.get("id_number", ""))
            form.add_error("id_number", exc.message)
        else:
            messages.success(request, _("已登记 %(name)s。") % {"name": person.name})
            if back:
                return redirect(_onward(back, person))
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {
        "form": form, "existing": existing, "title": _("登记救助对象"), "next": back,
        "continue_with_existing": _onward(back, existing) if back and existing else None,
    })


def _onward(back: str, person: Person) -> str:
    """The page that sent the clerk to register, told which person to carry on with."""
    return f"{back}{'&' if '?' in back else '?'}{urlencode({'person': person.pk})}"


@login_required
def person_edit(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    person = get_visible_or_404(request.user, _persons(), pk=pk)
    form = PersonEditForm(request.POST or None, user=request.user, person=person)
    existing = None
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("没有需要保存的改动。"))
            return redirect("registry:person_detail", pk=person.pk)
        try:
            actions.update_person(actor=request.user, person=person, changes=changes,
                                  reason=form.cleaned_data["reason"])
        except actions.InvalidPerson as exc:
            _errors_onto(form, exc)
        except Conflict as exc:
            existing = _visible_with_id(request.user, changes.get("id_number", ""))
            form.add_error("id_number", exc.message)
        except DomainError as exc:
            _errors_onto(form, exc, {"reason_required": "reason"})
        else:
            messages.success(request, _("已保存修改。"))
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {
        "form": form, "person": person, "existing": existing, "title": _("修改登记信息"),
    })


def _form_page(request, form, *, title: str, person: Person | None = None, household: Household | None = None,
               submit: str, intro: str = "", danger: bool = False, status: int = 200):
    return render(request, "registry/simple_form.html", {
        "form": form, "title": title, "person": person, "household": household, "submit": submit,
        "intro": intro, "danger": danger,
    }, status=status)


@login_required
def person_self_care(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    person = get_visible_or_404(request.user, _persons(), pk=pk)
    form = SelfCareForm(request.POST or None, initial={"unable": person.self_care_unable})
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.assess_self_care(actor=request.user, person=person, unable=form.cleaned_data["unable"],
                                              on=form.cleaned_data["on"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("自理能力评估已保存：%(level)s。") % {"level": person.get_self_care_display()})
            return redirect("registry:person_detail", pk=person.pk)
    return _form_page(request, form, title=_("自理能力评估"), person=person, submit=_("保存评估"),
                      intro=_("勾选本人不能独立完成的日常活动。"))


@login_required
def person_death(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    person = get_visible_or_404(request.user, _persons(), pk=pk)
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_death(actor=request.user, person=person, death_date=form.cleaned_data["death_date"],
                                 reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _errors_onto(form, exc, {"future_death_date": "death_date", "death_before_birth": "death_date"})
        else:
            messages.success(request, _("已登记 %(name)s 死亡。") % {"name": person.name})
            return redirect("registry:person_detail", pk=person.pk)
    return _form_page(request, form, title=_("登记死亡"), person=person, submit=_("登记死亡"), danger=True,
                      intro=_("自死亡日期起，此人的类别认定终止、家庭成员关系结束。"))


def _assign_category(request, *, person: Person | None = None, household: Household | None = None):
    subject = CategorySubject.PERSON if person else CategorySubject.HOUSEHOLD
    form = CategoryAssignForm(request.POST or None, subject=subject)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.assign_category(actor=request.user, category=data["category"], valid_from=data["valid_from"],
                                    source=data["source"], reason=data["reason"], person=person,
                                    household=household)
        except DomainError as exc:
            _errors_onto(form, exc, {"reason_required": "reason", "deceased": "valid_from"})
        else:
            messages.success(request, _("已认定为“%(category)s”。") % {"category": data["category"].name})
            return _back_to(person, household)
    return _form_page(request, form, title=_("认定类别"), person=person, household=household, submit=_("保存"))


def _back_to(person: Person | None, household: Household | None):
    if person is not None:
        return redirect("registry:person_detail", pk=person.pk)
    return redirect("registry:household_detail", pk=household.pk)


@login_required
def person_category_assign(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    return _assign_category(request, person=get_visible_or_404(request.user, _persons(), pk=pk))


@login_required
def household_category_assign(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    return _assign_category(request, household=get_visible_or_404(request.user, _households(), pk=pk))


@login_required
def category_end(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    assignment = get_visible_or_404(
        request.user, CategoryAssignment.objects.select_related("category", "person", "household",
                                                               "household__head"), pk=pk)
    form = CategoryEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_category(actor=request.user, assignment=assignment, valid_to=form.cleaned_data["valid_to"],
                                 reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _errors_onto(form, exc, {"bad_period": "valid_to", "reason_required": "reason"})
        else:
            messages.success(request, _("“%(category)s”已终止。") % {"category": assignment.category.name})
            return _back_to(assignment.person, assignment.household)
    title = _("终止类别：%(category)s（%(since)s 起）") % {"category": assignment.category.name,
                                                     "since": f"{assignment.valid_from:%Y-%m-%d}"}
    return _form_page(request, form, title=title, person=assignment.person, household=assignment.household,
                      submit=_("终止"), danger=True)


@login_required
def person_merge(request, pk: int):
    """Fold a duplicate registration into this person (the record kept)."""
    _require(selectors.may_merge(request.user))
    person = get_visible_or_404(request.user, _persons(), pk=pk)
    if person.merged_into_id:
        messages.error(request, _("此记录已并入其他记录，不能作为保留的记录。"))
        return redirect("registry:person_detail", pk=person.pk)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        duplicate = get_visible_or_404(request.user, Person, pk=form.cleaned_data["duplicate"])
        try:
            actions.merge_persons(actor=request.user, keep=person, duplicate=duplicate,
                                  reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _errors_onto(form, exc, {"reason_required": "reason"})
        else:
            messages.success(request, _("已将重复记录并入 %(name)s。") % {"name": person.name})
            return redirect("registry:person_detail", pk=person.pk)
    candidates = (Person.objects.visible_to(request.user)
                  .filter(name_simplified=person.name_simplified, birth_date=person.birth_date,
                          merged_into__isnull=True)
                  .exclude(pk=person.pk).select_related("residence_area")[:20])
    return render(request, "registry/person_merge.html", {
        "person": person, "form": form, "candidates": candidates,
        "chosen": str(form["duplicate"].value() or ""),
    })


# --- households ----------------------------------------------------------------------------------------


@login_required
@require_POST
def household_create(request, pk: int):
    """A new household with this person as its head."""
    _require(selectors.may_change_registry(request.user))
    person = get_visible_or_404(request.user, _persons(), pk=pk)
    form = HouseholdCreateForm(request.POST)
    if form.is_valid():
        try:
            household = actions.create_household(actor=request.user, head=person,
                                                 address=form.cleaned_data["address"],
                                                 formed_on=form.cleaned_data["formed_on"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("已建立 %(household)s。") % {"household": household})
            return redirect("registry:household_detail", pk=household.pk)
    return _render_person(request, person, household_form=form)


def _render_household(request, household: Household, **forms: Any):
    user = request.user
    today = timezone.localdate()
    memberships = list(household.memberships.select_related("person", "person__residence_area")
                       .order_by("joined_on", "pk"))
    current = [m for m in memberships if m.left_on is None]
    others = [m for m in current if m.person_id != household.head_id]
    visible_ids = set(Person.objects.visible_to(user).filter(pk__in={m.person_id for m in memberships})
                      .values_list("pk", flat=True))
    assignments = (CategoryAssignment.objects.visible_to(user).filter(household=household)
                   .select_related("category", "created_by").order_by("-valid_from", "-pk"))
    events = (RegistryEvent.objects.visible_to(user).filter(household=household).select_related("actor", "person")
              .order_by("-occurred_at", "-pk")[:TIMELINE_LIMIT])
    can_edit = selectors.may_change_registry(user) and household.dissolved_on is None
    return render(request, "registry/household_detail.html", {
        "household": household,
        "today": today,
        "current": current,
        "past": [m for m in memberships if m.left_on is not None],
        "figures": household.figures_on(today),
        "visible_member_ids": visible_ids,
        "assignments": _with_status(assignments, today),
        "timeline": _timeline(events, user),
        "can_edit": can_edit,
        "add_form": forms.get("add_form") or AddMemberForm(),
        "remove_form": forms.get("remove_form") or RemoveMemberForm(members=others),
        "head_form": forms.get("head_form") or ChangeHeadForm(members=others),
        "others": others,
    })


@login_required
def household_detail(request, pk: int):
    return _render_household(request, get_visible_or_404(request.user, _households(), pk=pk))


def _current_member(user, household: Household, person_id: int) -> HouseholdMember:
    return get_visible_or_404(user, HouseholdMember.objects.filter(household=household, left_on__isnull=True)
                              .select_related("person"), person_id=person_id)


@login_required
@require_POST
def household_add_member(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    household = get_visible_or_404(request.user, _households(), pk=pk)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        person = get_visible_or_404(request.user, Person, pk=form.cleaned_data["person"])
        try:
            actions.add_member(actor=request.user, household=household, person=person,
                               relation=form.cleaned_data["relation"], on=form.cleaned_data["joined_on"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("%(name)s 已加入本户。") % {"name": person.name})
            return redirect("registry:household_detail", pk=household.pk)
    return _render_household(request, household, add_form=form)


def _other_members(household: Household) -> list[HouseholdMember]:
    return list(household.memberships.filter(left_on__isnull=True).exclude(person_id=household.head_id)
                .select_related("person"))


@login_required
@require_POST
def household_remove_member(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    household = get_visible_or_404(request.user, _households(), pk=pk)
    form = RemoveMemberForm(request.POST, members=_other_members(household))
    if form.is_valid():
        membership = _current_member(request.user, household, form.cleaned_data["person"])
        try:
            actions.remove_member(actor=request.user, household=household, person=membership.person,
                                  on=form.cleaned_data["left_on"], reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("%(name)s 已迁出本户。") % {"name": membership.person.name})
            return redirect("registry:household_detail", pk=household.pk)
    return _render_household(request, household, remove_form=form)


@login_required
@require_POST
def household_change_head(request, pk: int):
    _require(selectors.may_change_registry(request.user))
    household = get_visible_or_404(request.user, _households(), pk=pk)
    form = ChangeHeadForm(request.POST, members=_other_members(household))
    if form.is_valid():
        membership = _current_member(request.user, household, form.cleaned_data["person"])
        try:
            actions.change_head(actor=request.user, household=household, new_head=membership.person,
                                reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("户主已变更为 %(name)s。") % {"name": membership.person.name})
            return redirect("registry:household_detail", pk=household.pk)
    return _render_household(request, household, head_form=form)
