"""Every state change of intake: submitting an application, moving a task, recording what the
investigation found. Each runs in one transaction, locks the task it moves, checks the transition map
(intake/transitions.py) and writes a TaskEvent. Keyword-only `actor`; callers validate input first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation, User
from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import DomainError, NotPermitted
from onedoor.core.middleware import current_request_id
from onedoor.core.scoping import is_admin
from onedoor.core.workdays import WorkCalendar, add_working_days, working_days_between
from onedoor.policies.choices import PolicyKind
from onedoor.policies.models import Policy
from onedoor.registry.models import Household, Person

from . import notifications
from .choices import Channel, NoticeState, ObjectionOutcome, TaskAction, TaskState
from .models import (
    Application,
    ApplicationDocument,
    HomeVisit,
    Objection,
    PublicNotice,
    ReceiptSequence,
    SupplementNotice,
    Task,
    TaskEvent,
)
from .routing import route_all
from .signals import task_approved
from .transitions import check_move

# Decisions that must name their amount. A monthly benefit's amount is computed by its benefit rule
# from the standards and the household (benefits.amounts); only a policy without a rule pays the
# decided amount, and benefits refuses the approval if none was written.
CASH_KINDS = {PolicyKind.ONE_OFF_CASH, PolicyKind.LOAN}
# Who records documents handed in after the application was taken.
DOCUMENT_ROLES = ("window_clerk", "dispatcher", "handler")


@dataclass(frozen=True)
class ReceivedDocument:
    """A document handed in: its name (as the policy lists it) and, optionally, a scan."""

    name: str
    file: UploadedFile | None = None


# --- applications -----------------------------------------------------------------------------

def receipt_prefix(area_code: str) -> str:
    """The town part of a receipt number: digits 7–9 of the area code (五显镇 350212110… → 110)."""
    return area_code[6:9]


def next_receipt_no(area_code: str, day: date) -> str:
    """A new receipt number such as 110-20261208-0003: town, date, sequence of that town and day.
    The counter row is created or incremented by one upsert, so concurrent submissions never share a
    number (the second waits for the first's row lock until it commits)."""
    prefix = receipt_prefix(area_code)
    table = connection.ops.quote_name(ReceiptSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1)"
                       f" ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                       [prefix, connection.ops.adapt_datefield_value(day)])
        number = cursor.fetchone()[0]
    return f"{prefix}-{day:%Y%m%d}-{number:04d}"


def _check_may_take(actor: User | None, window: Organisation, channel: str) -> None:
    if window.kind not in (OrganisationKind.TOWN_OFFICE, OrganisationKind.BUREAU):
        raise DomainError(f"“{window}”不是受理窗口，申请只能由镇（街、场）窗口或区民政局受理。", code="not_a_window")
    if actor is None:
        if channel != Channel.ONLINE:
            raise NotPermitted("只有网上申请可以不经工作人员提交。")
        return
    if is_admin(actor):
        return
    allowed = Organisation.objects.visible_to(actor).filter(pk=window.pk).exists() and actor.has_role(
        "window_clerk", "dispatcher"
    )
    if not allowed:
        raise NotPermitted(f"您不能以“{window}”的名义受理申请。")


def _check_applicant(applicant: Person, policies: Sequence[Policy]) -> None:
    if applicant.merged_into_id:
        raise DomainError("该人员档案已合并到另一档案，请以合并后的档案申请。", code="merged_person")
    if applicant.death_date:
        raise DomainError("该人员已登记死亡，不能作为申请人。", code="deceased_applicant")
    if not policies:
        raise DomainError("请至少选择一项申请的政策。", code="no_policy")
    inactive = [policy.name for policy in policies if not policy.is_active]
    if inactive:
        raise DomainError(f"以下政策已停用：{'、'.join(inactive)}", code="inactive_policy")
    codes = [policy.code for policy in policies]
    if len(set(codes)) != len(codes):
        raise DomainError("同一申请中同一政策只能选择一次。", code="duplicate_policy")


def missing_documents(policies: Iterable[Policy], received: Iterable[str]) -> dict[str, list[str]]:
    """For each policy code, the required documents not among those received."""
    have = {name.strip() for name in received}
    return {
        policy.code: [name for name in policy.required_documents if name not in have]
        for policy in policies
        if any(name not in have for name in policy.required_documents)
    }


@transaction.atomic
def submit_application(
    *,
    actor: User | None,
    applicant: Person,
    policies: Sequence[Policy],
    window: Organisation,
    channel: str = Channel.WINDOW,
    statement: str = "",
    household: Household | None = None,
    documents: Sequence[ReceivedDocument] = (),
    consent_to_checks: bool = False,
    related_to_staff: bool = False,
    related_staff_note: str = "",
    contact_phone: str = "",
    act_first: Iterable[str] = (),
) -> Application:
    """Take an application: one task per requested policy, routed by the responsibility list, each
    with its own legal deadline. Missing documents produce one 补正 notice listing all of them, and
    the tasks concerned wait (clock stopped) until they are handed in."""
    _check_may_take(actor, window, channel)
    _check_applicant(applicant, policies)
    act_first = set(act_first)
    not_allowed = [policy.name for policy in policies if policy.code in act_first and not policy.act_first_allowed]
    if not_allowed:
        raise DomainError(f"以下政策不适用先行救助：{'、'.join(not_allowed)}", code="act_first_not_allowed")

    now = timezone.now()
    today = timezone.localdate(now)
    area_id = applicant.residence_area_id or window.area_id
    application = Application.objects.create(
        receipt_no=f"~{uuid4().hex[:20]}", applicant=applicant, household=household, area_id=area_id,
        window=window, clerk=actor, channel=channel, statement=statement.strip(),
        consent_to_checks=consent_to_checks, related_to_staff=related_to_staff,
        related_staff_note=related_staff_note.strip(), contact_phone=contact_phone.strip(), submitted_at=now,
    )
    _store_documents(application, documents, actor=actor)
    missing = missing_documents(policies, [doc.name for doc in documents])
    calendar = WorkCalendar.load(today, today + timedelta(days=max(p.time_limit_days for p in policies) * 2 + 30))
    tasks = _open_tasks(application, policies, today, actor=actor, act_first=act_first, missing=missing,
                        calendar=calendar)
    waiting = [task for task in tasks if task.state == TaskState.RETURNED]
    if waiting:
        _supplement_notice(application, waiting, missing, actor=actor,
                           note="受理时材料不全，一次性告知需补正的全部材料。")
    _number(application, today)
    for task in tasks:
        notifications.task_routed(task, task.handler)
    return application


def _number(application: Application, today: date) -> None:
    """Give the application its receipt number, as the last write of the submission: the town's counter
    row stays locked from its increment to the commit, so concurrent submissions at the windows of one
    town queue only for this last step, not for the whole submission (measured: bench intake_api)."""
    receipt_no = next_receipt_no(application.area_id, today)
    Application.objects.filter(pk=application.pk).update(receipt_no=receipt_no)
    # the creation's history row carries the placeholder; it is the same record, now numbered
    Application.history.filter(id=application.pk).update(receipt_no=receipt_no)
    application.receipt_no = receipt_no


def _store_documents(application: Application, documents: Sequence[ReceivedDocument], *, actor: User | None,
                     event: TaskEvent | None = None) -> list[ApplicationDocument]:
    stored = []
    for doc in documents:
        name = doc.name.strip()
        if not name:
            raise DomainError("材料名称不能为空。", code="document_name")
        row = ApplicationDocument(application=application, event=event, name=name, received_by=actor,
                                  original_name=getattr(doc.file, "name", "") or "")
        if doc.file is not None:
            row.file.save(doc.file.name, doc.file, save=False)
        row.save()
        stored.append(row)
    return stored


def _open_tasks(application: Application, policies: Sequence[Policy], today: date, *, actor: User | None,
                act_first: set[str], missing: dict[str, list[str]], calendar: WorkCalendar) -> list[Task]:
    """One task per requested policy, routed by the responsibility list and due by its time limit. A
    task whose documents are missing (and that may not act first) starts returned for 补正 with its
    clock stopped; its timeline still shows both steps. Written in three statements (tasks, their
    history rows, their events), as a window submits several policies at once."""
    routes = route_all(policies, application.area_id, today)
    tasks, events = [], []
    for policy in policies:
        routed = routes[policy.pk]
        due = add_working_days(today, policy.time_limit_days, calendar)
        waits = bool(missing.get(policy.code)) and policy.code not in act_first
        task = attribute_to(Task(
            application=application, policy=policy, department=routed.department, handler=routed.handler,
            responsibility=routed.responsibility, area_id=application.area_id, received_on=today,
            due_date=due.date, due_estimated=due.estimated, act_first=policy.code in act_first,
            state=TaskState.RETURNED if waits else TaskState.RECEIVED,
            returned_from=TaskState.RECEIVED if waits else "", paused_on=today if waits else None,
        ), actor)
        tasks.append(task)
        note = f"分派至{routed.department}" + (f"（{routed.handler.get_full_name() or routed.handler}）"
                                                if routed.handler else "，待分派经办人")
        events.append(_new_event(task, actor, "submit", "", TaskState.RECEIVED, note))
        if waits:
            events.append(_new_event(task, actor, TaskAction.RETURN, TaskState.RECEIVED, TaskState.RETURNED,
                                     f"需补正：{'、'.join(missing[policy.code])}"))
    Task.objects.bulk_create(tasks)
    Task.history.bulk_history_create(tasks, custom_historical_attrs={"request_id": current_request_id()})
    TaskEvent.objects.bulk_create(events)
    return tasks


def _supplement_notice(application: Application, tasks: Sequence[Task], missing: dict[str, list[str]], *,
                       actor: User | None, note: str) -> SupplementNotice:
    """The one 补正 notice listing everything the tasks lack (the tasks themselves are moved by the caller)."""
    listed = [{"policy": task.policy.code, "policy_name": task.policy.name, "documents": missing[task.policy.code]}
              for task in tasks if missing.get(task.policy.code)]
    notice = SupplementNotice.objects.create(application=application, missing=listed, note=note, issued_by=actor,
                                             issued_on=timezone.localdate())
    SupplementNotice.tasks.through.objects.bulk_create(
        [SupplementNotice.tasks.through(supplementnotice=notice, task=task) for task in tasks])
    return notice


def _issue_supplement_notice(application: Application, tasks: Sequence[Task], missing: dict[str, list[str]], *,
                             actor: User | None, note: str) -> SupplementNotice:
    """Return tasks for documents: the notice, then each task moved to returned with its clock stopped."""
    today = timezone.localdate()
    notice = _supplement_notice(application, tasks, missing, actor=actor, note=note)
    for task in tasks:
        documents = "、".join(missing.get(task.policy.code, []))
        _move(task, TaskState.RETURNED, actor, TaskAction.RETURN, f"需补正：{documents}",
              returned_from=task.state, paused_on=today)
    return notice


@transaction.atomic
def add_documents(application: Application, *, actor: User, documents: Sequence[ReceivedDocument]
                  ) -> list[ApplicationDocument]:
    """Record documents handed in later: by the window that took the application or the departments
    handling it (anyone who can see it and works with applications' papers)."""
    if not is_admin(actor):
        sees = Application.objects.visible_to(actor).filter(pk=application.pk).exists()
        if not (sees and actor.has_role(*DOCUMENT_ROLES)):
            raise NotPermitted("您不能为该申请登记材料。")
    return _store_documents(application, documents, actor=actor)


# --- moving a task ----------------------------------------------------------------------------

def _locked(task: Task) -> Task:
    """The task re-read under a row lock: of two concurrent moves, the second sees the first's result."""
    return Task.objects.select_for_update().select_related("policy", "application").get(pk=task.pk)


def _check_may(actor: User | None, task: Task, action: str) -> None:
    if actor is None:
        raise NotPermitted("请先登录。")
    if is_admin(actor):
        return
    if action == TaskAction.WITHDRAW or action == TaskAction.RESUBMIT:
        # The window that took the application acts for the applicant as well as the department.
        if Task.objects.visible_to(actor).filter(pk=task.pk).exists() and actor.has_role(
                "window_clerk", "handler", "dispatcher"):
            return
    elif Task.objects.visible_to(actor, "handle").filter(pk=task.pk).exists():
        return
    raise NotPermitted(f"您不能对该事项执行“{TaskAction(action).label}”。")


def _new_event(task: Task, actor: User | None, code: str, from_state: str, to_state: str, note: str = "",
               **data: Any) -> TaskEvent:
    return TaskEvent(task=task, actor=actor, code=code, from_state=from_state, to_state=to_state, note=note,
                     data=data, request_id=current_request_id())


def _event(task: Task, actor: User | None, code: str, from_state: str, to_state: str, note: str = "",
           **data: Any) -> TaskEvent:
    event = _new_event(task, actor, code, from_state, to_state, note, **data)
    event.save()
    return event


def _move(task: Task, target: str, actor: User | None, action: str, note: str = "", *, data: dict | None = None,
          **fields: Any) -> TaskEvent:
    source = task.state
    task.state = target
    for name, value in fields.items():
        setattr(task, name, value)
    attribute_to(task, actor)
    task.save()
    return _event(task, actor, action, source, target, note, **(data or {}))


def _require_home_visit(task: Task) -> None:
    if task.application.related_to_staff and not task.home_visits.exists():
        raise DomainError("申请人与经办人员有近亲属关系（已单独登记备案），作出决定前须先登记入户调查。",
                          code="home_visit_required")


def _check_decision_content(task: Task, amount: Decimal | None, goods: str) -> None:
    if amount is not None and amount < 0:
        raise DomainError("金额不能为负数。", code="negative_amount", details={"field": "amount"})
    if task.policy.kind in CASH_KINDS and amount is None:
        raise DomainError(f"“{task.policy}”须写明批准的金额。", code="amount_required", details={"field": "amount"})
    if task.policy.kind in (PolicyKind.IN_KIND, PolicyKind.SERVICE) and not goods.strip():
        raise DomainError(f"“{task.policy}”须写明给予的物资或服务。", code="goods_required",
                          details={"field": "goods"})


@transaction.atomic
def accept_task(task: Task, *, actor: User, note: str = "") -> Task:
    task = _locked(task)
    _check_may(actor, task, TaskAction.ACCEPT)
    check_move(TaskAction.ACCEPT, task.state)
    _move(task, TaskState.ACCEPTED, actor, TaskAction.ACCEPT, note, handler=task.handler or actor)
    return task


@transaction.atomic
def start_investigation(task: Task, *, actor: User, note: str = "") -> Task:
    task = _locked(task)
    _check_may(actor, task, TaskAction.INVESTIGATE)
    check_move(TaskAction.INVESTIGATE, task.state)
    _move(task, TaskState.INVESTIGATING, actor, TaskAction.INVESTIGATE, note)
    return task


@transaction.atomic
def return_for_documents(task: Task, *, actor: User, missing: Sequence[str], note: str = "") -> Task:
    """Send the task back for documents: one 补正 notice with everything missing; the clock stops."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.RETURN)
    check_move(TaskAction.RETURN, task.state)
    names = [name.strip() for name in missing if name.strip()]
    if not names:
        raise DomainError("请列出需要补正的全部材料。", code="missing_required", details={"field": "missing"})
    _issue_supplement_notice(task.application, [task], {task.policy.code: names}, actor=actor, note=note)
    notifications.task_returned(task, names)
    return task


@transaction.atomic
def resubmit(task: Task, *, actor: User, documents: Sequence[ReceivedDocument] = (), note: str = "") -> Task:
    """Documents handed in: the task goes back where it was and its deadline moves by the working
    days it waited (the clock was stopped while the applicant gathered them)."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.RESUBMIT)
    check_move(TaskAction.RESUBMIT, task.state)
    today = timezone.localdate()
    waited = max(0, working_days_between(task.paused_on or today, today))
    due = add_working_days(task.due_date, waited) if waited else None
    target = task.returned_from or TaskState.RECEIVED
    event = _move(task, target, actor, TaskAction.RESUBMIT, note, data={"waited_working_days": waited},
                  returned_from="", paused_on=None,
                  due_date=due.date if due else task.due_date,
                  due_estimated=(due.estimated if due else task.due_estimated))
    _store_documents(task.application, documents, actor=actor, event=event)
    for notice in task.supplement_notices.filter(resolved_on__isnull=True):
        if not notice.tasks.exclude(pk=task.pk).filter(state=TaskState.RETURNED).exists():
            notice.resolved_on = today
            notice.save(update_fields=["resolved_on"])
    return task


@transaction.atomic
def propose_decision(task: Task, *, actor: User, note: str, amount: Decimal | None = None, goods: str = "") -> Task:
    """The investigation's conclusion (初审意见): what should be decided and why."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.PROPOSE)
    check_move(TaskAction.PROPOSE, task.state)
    if not note.strip():
        raise DomainError("请填写初审意见。", code="note_required", details={"field": "note"})
    if amount is not None and amount < 0:
        raise DomainError("金额不能为负数。", code="negative_amount", details={"field": "amount"})
    # The visit belongs to the investigation: without it a proposed task could reach no decision.
    _require_home_visit(task)
    _move(task, TaskState.PROPOSED, actor, TaskAction.PROPOSE, note,
          data={"amount": str(amount) if amount is not None else None, "goods": goods},
          decided_amount=amount, decided_goods=goods.strip())
    return task


@transaction.atomic
def publish_notice(task: Task, *, actor: User, starts_on: date | None = None, note: str = "") -> PublicNotice:
    """Post the proposed decision for public notice in the applicant's village or community."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.PUBLISH_NOTICE)
    check_move(TaskAction.PUBLISH_NOTICE, task.state)
    if not task.policy.notice_required:
        raise DomainError(f"“{task.policy}”无须公示，可直接作出决定。", code="notice_not_required")
    starts_on = starts_on or timezone.localdate()
    application = task.application
    household_size = application.household.members_on().count() if application.household \
        else 1
    notice = PublicNotice.objects.create(
        task=task, place_id=application.area_id, starts_on=starts_on,
        ends_on=starts_on + timedelta(days=task.policy.notice_days - 1), published_by=actor,
        content={"name": application.applicant.name, "household_size": household_size,
                 "amount": str(task.decided_amount) if task.decided_amount is not None else "",
                 "goods": task.decided_goods, "policy": task.policy.name},
    )
    _move(task, TaskState.NOTICE, actor, TaskAction.PUBLISH_NOTICE, note,
          data={"notice": notice.pk, "starts_on": str(notice.starts_on), "ends_on": str(notice.ends_on)})
    return notice


@transaction.atomic
def record_objection(task: Task, *, actor: User, content: str, raised_by: str = "",
                     received_on: date | None = None) -> Objection:
    task = _locked(task)
    _check_may(actor, task, TaskAction.OBJECT)
    check_move(TaskAction.OBJECT, task.state)
    if not content.strip():
        raise DomainError("请填写异议内容。", code="content_required", details={"field": "content"})
    notice = task.notices.filter(state=NoticeState.RUNNING).latest("starts_on", "pk")
    objection = Objection.objects.create(notice=notice, content=content.strip(), raised_by=raised_by.strip(),
                                         received_on=received_on or timezone.localdate(), recorded_by=actor)
    _move(task, TaskState.OBJECTED, actor, TaskAction.OBJECT, content.strip(), data={"objection": objection.pk})
    return objection


def _settle_objections(task: Task, outcome: str, note: str) -> None:
    Objection.objects.filter(notice__task=task, outcome=ObjectionOutcome.PENDING).update(
        outcome=outcome, outcome_note=note)


@transaction.atomic
def reinvestigate(task: Task, *, actor: User, note: str) -> Task:
    """The objection stands (or needs checking): the notice is taken down and the investigation reopens."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.REINVESTIGATE)
    check_move(TaskAction.REINVESTIGATE, task.state)
    if not note.strip():
        raise DomainError("请说明重新调查的理由。", code="note_required", details={"field": "note"})
    _settle_objections(task, ObjectionOutcome.REINVESTIGATE, note)
    task.notices.filter(state=NoticeState.RUNNING).update(state=NoticeState.WITHDRAWN)
    _move(task, TaskState.INVESTIGATING, actor, TaskAction.REINVESTIGATE, note)
    return task


@transaction.atomic
def dismiss_objection(task: Task, *, actor: User, note: str) -> Task:
    """The objection was checked and does not hold: the notice runs on to its end."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.DISMISS_OBJECTION)
    check_move(TaskAction.DISMISS_OBJECTION, task.state)
    if not note.strip():
        raise DomainError("请说明异议不成立的理由。", code="note_required", details={"field": "note"})
    _settle_objections(task, ObjectionOutcome.DISMISSED, note)
    _move(task, TaskState.NOTICE, actor, TaskAction.DISMISS_OBJECTION, note)
    return task


def _check_may_approve_now(task: Task, act_first: bool) -> None:
    if task.state in (TaskState.RECEIVED, TaskState.ACCEPTED, TaskState.INVESTIGATING):
        if not (act_first and task.policy.act_first_allowed):
            raise DomainError("调查核实并提出初审意见后才能批准；只有可先行救助的政策能在调查前先行批准。",
                              code="investigation_first")
        return
    _require_home_visit(task)
    if task.state == TaskState.PROPOSED and task.policy.notice_required:
        raise DomainError(f"“{task.policy}”须经{task.policy.notice_days}天公示后才能批准。", code="notice_first")
    if task.state == TaskState.NOTICE:
        notice = task.notices.filter(state=NoticeState.RUNNING).latest("starts_on", "pk")
        if timezone.localdate() <= notice.ends_on:
            raise DomainError(f"公示期至{notice.ends_on:%Y年%-m月%-d日}，期满后才能批准。", code="notice_running")


@transaction.atomic
def approve(task: Task, *, actor: User, reason: str = "", amount: Decimal | None = None, goods: str | None = None,
            act_first: bool = False) -> Task:
    """Decide for the applicant. The decision (amount or goods/service) is handed to delivery through
    `signals.task_approved` in the same transaction. Under 先行救助 the decision comes first and the
    investigation is completed afterwards (`complete_act_first`)."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.APPROVE)
    check_move(TaskAction.APPROVE, task.state)
    _check_may_approve_now(task, act_first)
    amount = task.decided_amount if amount is None else amount
    goods = task.decided_goods if goods is None else goods
    _check_decision_content(task, amount, goods)
    early = task.state in (TaskState.RECEIVED, TaskState.ACCEPTED, TaskState.INVESTIGATING)
    task.notices.filter(state=NoticeState.RUNNING).update(state=NoticeState.ENDED)
    _move(task, TaskState.APPROVED, actor, TaskAction.APPROVE, reason,
          data={"amount": str(amount) if amount is not None else None, "goods": goods, "act_first": early},
          decided_amount=amount, decided_goods=goods.strip(), decision_reason=reason.strip(),
          decided_at=timezone.now(), act_first=task.act_first or early, completion_pending=early,
          handler=task.handler or actor)
    task_approved.send(sender=Task, task=task, actor=actor)
    return task


@transaction.atomic
def refuse(task: Task, *, actor: User, reason: str) -> Task:
    """Decide against the applicant, with the written reasons they are owed."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.REFUSE)
    check_move(TaskAction.REFUSE, task.state)
    if not reason.strip():
        raise DomainError("不予批准须书面说明理由。", code="reason_required", details={"field": "reason"})
    _require_home_visit(task)
    task.notices.filter(state=NoticeState.RUNNING).update(state=NoticeState.WITHDRAWN)
    _settle_objections(task, ObjectionOutcome.REINVESTIGATE, reason)
    _move(task, TaskState.REFUSED, actor, TaskAction.REFUSE, reason, decision_reason=reason.strip(),
          decided_at=timezone.now(), handler=task.handler or actor)
    return task


@transaction.atomic
def complete_act_first(task: Task, *, actor: User, note: str) -> Task:
    """The investigation and signatures after a 先行救助 decision are complete."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.COMPLETE)
    check_move(TaskAction.COMPLETE, task.state)
    if not task.completion_pending:
        raise DomainError("该事项没有待补齐的先行救助手续。", code="nothing_to_complete")
    if not note.strip():
        raise DomainError("请说明补齐的调查和手续。", code="note_required", details={"field": "note"})
    _require_home_visit(task)
    _move(task, TaskState.APPROVED, actor, TaskAction.COMPLETE, note, completion_pending=False)
    return task


@transaction.atomic
def close_task(task: Task, *, actor: User, note: str = "") -> Task:
    task = _locked(task)
    _check_may(actor, task, TaskAction.CLOSE)
    check_move(TaskAction.CLOSE, task.state)
    if task.completion_pending:
        raise DomainError("先行救助的调查和手续尚未补齐，不能办结。", code="completion_pending")
    _move(task, TaskState.CLOSED, actor, TaskAction.CLOSE, note, closed_at=timezone.now())
    return task


@transaction.atomic
def transfer_task(task: Task, *, actor: User, department: Organisation, note: str,
                  handler: User | None = None) -> Task:
    """Hand the task to another department (wrong routing, or it belongs elsewhere). The legal
    clock keeps running from the original receipt."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.TRANSFER)
    check_move(TaskAction.TRANSFER, task.state)
    if department.pk == task.department_id:
        raise DomainError("转办的部门与当前承办部门相同。", code="same_department", details={"field": "department"})
    if department.kind not in (OrganisationKind.DEPARTMENT, OrganisationKind.BUREAU, OrganisationKind.TOWN_OFFICE):
        raise DomainError(f"“{department}”不是承办部门。", code="not_a_department", details={"field": "department"})
    if not note.strip():
        raise DomainError("请说明转办理由。", code="note_required", details={"field": "note"})
    old = task.department
    _move(task, TaskState.RECEIVED, actor, TaskAction.TRANSFER, note,
          data={"from_department": old.pk, "to_department": department.pk},
          department=department, handler=handler, responsibility=None)
    notifications.task_transferred(task, old)
    return task


@transaction.atomic
def withdraw(task: Task, *, actor: User, note: str) -> Task:
    """The applicant withdraws this request (the others of the application go on)."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.WITHDRAW)
    check_move(TaskAction.WITHDRAW, task.state)
    if not note.strip():
        raise DomainError("请记录撤回的方式和理由（如申请人书面撤回）。", code="note_required", details={"field": "note"})
    task.notices.filter(state=NoticeState.RUNNING).update(state=NoticeState.WITHDRAWN)
    _move(task, TaskState.WITHDRAWN, actor, TaskAction.WITHDRAW, note, closed_at=timezone.now())
    return task


@transaction.atomic
def assign_handler(task: Task, *, actor: User, handler: User, note: str = "") -> Task:
    """The dispatcher (re)assigns the task to a handler of its department."""
    task = _locked(task)
    if not is_admin(actor) and not Task.objects.visible_to(actor, "dispatch").filter(pk=task.pk).exists():
        raise NotPermitted("只有调度人员可以分派事项。")
    if not task.is_open:
        raise DomainError("事项已办结或撤回，不能再分派。", code="task_finished")
    if handler.organisation_id != task.department_id or not handler.has_role("handler"):
        raise DomainError(f"{handler.get_full_name() or handler}不是{task.department}的经办人。",
                          code="not_a_handler", details={"field": "handler"})
    previous = task.handler
    task.handler = handler
    attribute_to(task, actor)
    task.save(update_fields=["handler"])
    _event(task, actor, "assign", task.state, task.state, note,
           previous=previous.pk if previous else None, handler=handler.pk)
    if handler != actor:
        notifications.task_routed(task, handler)
    return task


@transaction.atomic
def record_home_visit(task: Task, *, actor: User, visited_on: date, second_staff: str, findings: str,
                      family_present: str = "", signed_by_family: bool = False) -> HomeVisit:
    """A home visit by two staff; an accepted task moves on to investigating with it."""
    task = _locked(task)
    _check_may(actor, task, TaskAction.INVESTIGATE)
    if task.state not in (TaskState.ACCEPTED, TaskState.INVESTIGATING, TaskState.APPROVED):
        raise DomainError(f"事项当前状态为“{TaskState(task.state).label}”，不能登记入户调查。", code="visit_not_now")
    if not second_staff.strip():
        raise DomainError("入户调查须有两名工作人员，请填写第二调查人。", code="second_staff_required",
                          details={"field": "second_staff"})
    if not findings.strip():
        raise DomainError("请填写调查情况。", code="findings_required", details={"field": "findings"})
    if visited_on > timezone.localdate():
        raise DomainError("调查日期不能晚于今天。", code="future_visit", details={"field": "visited_on"})
    visit = HomeVisit.objects.create(task=task, visited_on=visited_on, staff=actor, second_staff=second_staff.strip(),
                                     findings=findings.strip(), family_present=family_present.strip(),
                                     signed_by_family=signed_by_family)
    if task.state == TaskState.ACCEPTED:
        _move(task, TaskState.INVESTIGATING, actor, TaskAction.INVESTIGATE, "入户调查", data={"home_visit": visit.pk})
    else:
        _event(task, actor, "home_visit", task.state, task.state, "入户调查", home_visit=visit.pk)
    return visit


# One entry point for the API and the pages: action name -> function and the keywords it takes.
TRANSITIONS = {
    TaskAction.ACCEPT: accept_task,
    TaskAction.INVESTIGATE: start_investigation,
    TaskAction.RETURN: return_for_documents,
    TaskAction.RESUBMIT: resubmit,
    TaskAction.PROPOSE: propose_decision,
    TaskAction.PUBLISH_NOTICE: publish_notice,
    TaskAction.OBJECT: record_objection,
    TaskAction.REINVESTIGATE: reinvestigate,
    TaskAction.DISMISS_OBJECTION: dismiss_objection,
    TaskAction.APPROVE: approve,
    TaskAction.REFUSE: refuse,
    TaskAction.COMPLETE: complete_act_first,
    TaskAction.CLOSE: close_task,
    TaskAction.TRANSFER: transfer_task,
    TaskAction.WITHDRAW: withdraw,
}
