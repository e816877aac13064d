"""The task page (办理事项) with a form for exactly the actions the user may take now, and the handler's
我的事项 queue. One route takes every action's form: POST tasks/<pk>/do/<action>/ calls one action of
intake/actions.py; a refusal (DomainError) re-shows the page with the message beside that form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation, RoleAssignment, User
from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.redirects import local_url
from onedoor.core.scoping import get_visible_or_404, is_admin
from onedoor.core.workdays import WorkCalendar, add_working_days, working_days_between

from . import actions, selectors
from .choices import OPEN_STATES, TaskAction, TaskState
from .forms import (
    ApproveForm,
    AssignForm,
    HomeVisitForm,
    NoteForm,
    ObjectionForm,
    ProposeForm,
    PublishNoticeForm,
    RefuseForm,
    ResubmitForm,
    ReturnForm,
    TransferForm,
    unique,
)
from .models import Task, TaskEvent
from .views import HANDLER_ROLES, errors_onto, require_role, tasks

DUE_SOON_WORKING_DAYS = 3
EARLY_STATES = (TaskState.RECEIVED, TaskState.ACCEPTED, TaskState.INVESTIGATING)
HOME_VISIT = "home_visit"
ASSIGN = "assign"

EVENT_LABELS: dict[str, str | Promise] = {
    "submit": gettext_lazy("受理申请"),
    "assign": gettext_lazy("分派经办人"),
    "home_visit": gettext_lazy("登记入户调查"),
    **{action.value: action.label for action in TaskAction},
}


# --- deadlines and timelines ------------------------------------------------------------------------


def with_deadlines(rows: list[Task], today: date | None = None) -> list[Task]:
    """Mark each task overdue / due soon and count the working days left (one calendar for all rows)."""
    today = today or timezone.localdate()
    if not rows:
        return rows
    calendar = WorkCalendar.load(today, max(task.due_date for task in rows))
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS, calendar).date
    for task in rows:
        running = task.state in OPEN_STATES and task.state != TaskState.RETURNED
        task.overdue = running and task.due_date < today
        task.due_soon = running and not task.overdue and task.due_date <= soon
        task.days_left = working_days_between(today, task.due_date, calendar) if running else None
        task.days_over = -task.days_left if task.days_left is not None and task.days_left < 0 else 0
    return rows


def event_rows(events) -> list[dict]:
    rows = []
    for event in events:
        data = event.data or {}
        details = []
        if data.get("amount") not in (None, ""):
            details.append(_("金额 %(amount)s 元") % {"amount": data["amount"]})
        if data.get("goods"):
            details.append(str(data["goods"]))
        if data.get("starts_on") and data.get("ends_on"):
            details.append(_("公示 %(start)s 至 %(end)s") % {"start": data["starts_on"], "end": data["ends_on"]})
        if data.get("waited_working_days"):
            details.append(_("补正用时 %(n)s 个工作日，期限顺延") % {"n": data["waited_working_days"]})
        if data.get("act_first"):
            details.append(_("先行救助"))
        rows.append({
            "event": event,
            "label": EVENT_LABELS.get(event.code, event.code),
            "from_label": TaskState(event.from_state).label if event.from_state else "",
            "to_label": TaskState(event.to_state).label if event.to_state else "",
            "moved": event.from_state != event.to_state,
            "details": details,
        })
    return rows


# --- who may do what --------------------------------------------------------------------------------


def may_handle(user, task: Task) -> bool:
    return is_admin(user) or Task.objects.visible_to(user, "handle").filter(pk=task.pk).exists()


def may_dispatch(user, task: Task) -> bool:
    return is_admin(user) or Task.objects.visible_to(user, "dispatch").filter(pk=task.pk).exists()


def available_actions(user, task: Task) -> list[str]:
    """The forms the task page offers: what `selectors.allowed_actions` says the user may do now (the
    map's moves from the current state, limited by role, scope and the task's conditions), plus
    recording a home visit while investigating and, for the dispatcher, assigning a handler."""
    shown = list(selectors.allowed_actions(user, task))
    if task.state in (TaskState.ACCEPTED, TaskState.INVESTIGATING, TaskState.APPROVED) and may_handle(user, task):
        at = shown.index(TaskAction.INVESTIGATE) + 1 if TaskAction.INVESTIGATE in shown else 0
        shown.insert(at, HOME_VISIT)
    if task.is_open and may_dispatch(user, task):
        shown.append(ASSIGN)
    return shown


# --- the forms of each action -----------------------------------------------------------------------


def handlers_of(department_id: int):
    holders = RoleAssignment.objects.active().filter(role="handler").values("user_id")
    return User.objects.filter(organisation_id=department_id, is_active=True, pk__in=holders).order_by("username")


def transfer_targets(user, task: Task):
    """Departments and the bureau (a public directory), and the town offices the user may see."""
    towns = Organisation.objects.visible_to(user).filter(kind=OrganisationKind.TOWN_OFFICE).values("pk")
    return (Organisation.objects.filter(Q(kind__in=(OrganisationKind.DEPARTMENT, OrganisationKind.BUREAU))
                                        | Q(pk__in=towns))
            .exclude(pk=task.department_id).order_by("kind", "name"))


def awaited_documents(task: Task) -> list[str]:
    """What the open 补正 notices ask of this task's applicant for this policy."""
    names = []
    for notice in task.supplement_notices.filter(resolved_on__isnull=True):
        for entry in notice.missing or []:
            if entry.get("policy") == task.policy.code:
                names.extend(entry.get("documents") or [])
    return unique(names)


def _note(label: str | Promise | None = None) -> Callable[..., NoteForm]:
    return lambda task, user, *args, **kw: NoteForm(*args, note_label=label, **kw)


def _blank_none(value: str) -> str | None:
    return value if value.strip() else None


@dataclass(frozen=True)
class ActionForm:
    label: str | Promise
    make: Callable[..., Any]                # (task, user, data, files, prefix=) -> form
    run: Callable[[Task, User, Any], Any]   # (task, user, cleaned form) -> result
    done: str | Promise
    danger: bool = False


ACTION_FORMS: dict[str, ActionForm] = {
    TaskAction.ACCEPT: ActionForm(
        TaskAction.ACCEPT.label, _note(),
        lambda t, u, f: actions.accept_task(t, actor=u, note=f.cleaned_data["note"]), gettext_lazy("已受理。")),
    TaskAction.INVESTIGATE: ActionForm(
        TaskAction.INVESTIGATE.label, _note(),
        lambda t, u, f: actions.start_investigation(t, actor=u, note=f.cleaned_data["note"]),
        gettext_lazy("已开始调查核实。")),
    HOME_VISIT: ActionForm(
        gettext_lazy("登记入户调查"), lambda task, user, *a, **kw: HomeVisitForm(*a, **kw),
        lambda t, u, f: actions.record_home_visit(t, actor=u, **f.cleaned_data),
        gettext_lazy("入户调查已登记。")),
    TaskAction.RETURN: ActionForm(
        TaskAction.RETURN.label,
        lambda task, user, *a, **kw: ReturnForm(*a, document_names=task.policy.required_documents, **kw),
        lambda t, u, f: actions.return_for_documents(t, actor=u, missing=f.missing_names(),
                                                     note=f.cleaned_data["note"]),
        gettext_lazy("已退回补正，并生成补正告知。")),
    TaskAction.RESUBMIT: ActionForm(
        TaskAction.RESUBMIT.label,
        lambda task, user, *a, **kw: ResubmitForm(*a, document_names=awaited_documents(task), **kw),
        lambda t, u, f: actions.resubmit(t, actor=u, documents=f.received(), note=f.cleaned_data["note"]),
        gettext_lazy("材料已补齐，事项恢复办理，期限已顺延。")),
    TaskAction.PROPOSE: ActionForm(
        TaskAction.PROPOSE.label, lambda task, user, *a, **kw: ProposeForm(*a, **kw),
        lambda t, u, f: actions.propose_decision(t, actor=u, note=f.cleaned_data["note"],
                                                 amount=f.cleaned_data["amount"], goods=f.cleaned_data["goods"]),
        gettext_lazy("初审意见已提出。")),
    TaskAction.PUBLISH_NOTICE: ActionForm(
        TaskAction.PUBLISH_NOTICE.label, lambda task, user, *a, **kw: PublishNoticeForm(*a, **kw),
        lambda t, u, f: actions.publish_notice(t, actor=u, starts_on=f.cleaned_data["starts_on"],
                                               note=f.cleaned_data["note"]),
        gettext_lazy("公示已发布。")),
    TaskAction.OBJECT: ActionForm(
        TaskAction.OBJECT.label, lambda task, user, *a, **kw: ObjectionForm(*a, **kw),
        lambda t, u, f: actions.record_objection(t, actor=u, **f.cleaned_data), gettext_lazy("异议已登记。")),
    TaskAction.REINVESTIGATE: ActionForm(
        TaskAction.REINVESTIGATE.label, _note(gettext_lazy("重新调查的理由")),
        lambda t, u, f: actions.reinvestigate(t, actor=u, note=f.cleaned_data["note"]),
        gettext_lazy("公示已撤下，重新调查。")),
    TaskAction.DISMISS_OBJECTION: ActionForm(
        TaskAction.DISMISS_OBJECTION.label, _note(gettext_lazy("异议不成立的理由")),
        lambda t, u, f: actions.dismiss_objection(t, actor=u, note=f.cleaned_data["note"]),
        gettext_lazy("异议不成立，公示继续。")),
    TaskAction.APPROVE: ActionForm(
        TaskAction.APPROVE.label,
        lambda task, user, *a, **kw: ApproveForm(
            *a, act_first_possible=task.state in EARLY_STATES and task.policy.act_first_allowed,
            initial={"amount": task.decided_amount, "goods": task.decided_goods}, **kw),
        lambda t, u, f: actions.approve(
            t, actor=u, reason=f.cleaned_data["reason"], amount=f.cleaned_data["amount"],
            goods=_blank_none(f.cleaned_data["goods"]), act_first=f.cleaned_data.get("act_first", False)),
        gettext_lazy("已批准。")),
    TaskAction.REFUSE: ActionForm(
        TaskAction.REFUSE.label, lambda task, user, *a, **kw: RefuseForm(*a, **kw),
        lambda t, u, f: actions.refuse(t, actor=u, reason=f.cleaned_data["reason"]),
        gettext_lazy("已作出不予批准决定。"), danger=True),
    TaskAction.COMPLETE: ActionForm(
        TaskAction.COMPLETE.label, _note(gettext_lazy("补齐的调查和手续")),
        lambda t, u, f: actions.complete_act_first(t, actor=u, note=f.cleaned_data["note"]),
        gettext_lazy("先行救助手续已补齐。")),
    TaskAction.CLOSE: ActionForm(
        TaskAction.CLOSE.label, _note(),
        lambda t, u, f: actions.close_task(t, actor=u, note=f.cleaned_data["note"]), gettext_lazy("已办结。")),
    TaskAction.TRANSFER: ActionForm(
        TaskAction.TRANSFER.label,
        lambda task, user, *a, **kw: TransferForm(*a, departments=transfer_targets(user, task), **kw),
        lambda t, u, f: actions.transfer_task(t, actor=u, department=f.cleaned_data["department"],
                                              note=f.cleaned_data["note"]),
        gettext_lazy("已转办。")),
    TaskAction.WITHDRAW: ActionForm(
        TaskAction.WITHDRAW.label, _note(gettext_lazy("撤回方式和理由")),
        lambda t, u, f: actions.withdraw(t, actor=u, note=f.cleaned_data["note"]),
        gettext_lazy("申请人已撤回该事项。"), danger=True),
    ASSIGN: ActionForm(
        gettext_lazy("分派经办人"),
        lambda task, user, *a, **kw: AssignForm(*a, handlers=handlers_of(task.department_id), **kw),
        lambda t, u, f: actions.assign_handler(t, actor=u, handler=f.cleaned_data["handler"],
                                               note=f.cleaned_data["note"]),
        gettext_lazy("已分派经办人。")),
}


def build_form(action: str, task: Task, user, data=None, files=None):
    return ACTION_FORMS[action].make(task, user, data, files, prefix=action)


# --- the task page ----------------------------------------------------------------------------------


def _render_task(request, task: Task, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    offered = available_actions(user, task)
    # A refused form stays on the page even if the state no longer offers it, so its message shows.
    keys = offered + [key for key in bound if key not in offered]
    forms = [{"action": key, "label": ACTION_FORMS[key].label, "danger": ACTION_FORMS[key].danger,
              "form": bound.get(key) or build_form(key, task, user), "open": key in bound} for key in keys]
    events = TaskEvent.objects.filter(task=task).select_related("actor").order_by("occurred_at", "pk")
    notices = list(task.notices.prefetch_related("objections").order_by("-starts_on", "-pk"))
    return render(request, "intake/task_detail.html", {
        "task": with_deadlines([task])[0],
        "application": task.application,
        "forms": forms,
        "timeline": event_rows(events),
        "home_visits": list(task.home_visits.select_related("staff")),
        "public_notices": notices,
        "supplement_notices": list(task.supplement_notices.order_by("-issued_on", "-pk")),
        "today": timezone.localdate(),
    }, status=status)


@login_required
def task_detail(request, pk: int):
    return _render_task(request, get_visible_or_404(request.user, tasks(), pk=pk))


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    task = get_visible_or_404(request.user, tasks(), pk=pk)
    if action not in ACTION_FORMS:
        raise Http404("没有这项操作。")
    spec = ACTION_FORMS[action]
    form = build_form(action, task, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            spec.run(task, request.user, form)
        except DomainError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, str(spec.done))
            back = local_url(request, request.POST.get("next"))
            if back:
                return redirect(back)
            return redirect("intake:task_detail", pk=task.pk)
    task.refresh_from_db()
    return _render_task(request, task, bound={action: form})


# --- 我的事项 ---------------------------------------------------------------------------------------


def overdue_first(queryset, today: date):
    late = Q(due_date__lt=today) & ~Q(state=TaskState.RETURNED)
    return queryset.annotate(late=Case(When(late, then=Value(0)), default=Value(1), output_field=IntegerField())
                             ).order_by("late", "due_date", "pk")


def my_queue(user):
    """Open tasks assigned to the user, and their department's unassigned ones."""
    mine = Q(handler=user) | Q(handler__isnull=True, department_id=user.organisation_id)
    return selectors.tasks_for_queue(user, state="open").filter(mine)


def queue_counts(queryset, today: date, soon: date) -> dict:
    running = ~Q(state=TaskState.RETURNED)
    return queryset.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=running & Q(due_date__lt=today)),
        due_soon=Count("pk", filter=running & Q(due_date__gte=today, due_date__lte=soon)),
    )


STATE_FILTERS = [(state.value, state.label) for state in TaskState if state in OPEN_STATES]


@login_required
def my_tasks(request):
    require_role(request.user, *HANDLER_ROLES)
    today = timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS).date
    queue = my_queue(request.user)
    counts = queue_counts(queue, today, soon)
    shown = queue
    state = request.GET.get("state", "")
    if state in dict(STATE_FILTERS):
        shown = shown.filter(state=state)
    when = request.GET.get("when", "")
    if when == "overdue":
        shown = shown.filter(due_date__lt=today).exclude(state=TaskState.RETURNED)
    elif when == "soon":
        shown = shown.filter(due_date__gte=today, due_date__lte=soon).exclude(state=TaskState.RETURNED)
    page = paginate(request, overdue_first(shown, today))
    page.object_list = with_deadlines(list(page.object_list), today)
    return render(request, "intake/my_tasks.html", {
        "page": page, "counts": counts, "states": STATE_FILTERS, "state": state, "when": when,
        "querystring": querystring_without_page(request), "today": today,
    })
