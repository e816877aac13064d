"""The intake API: take an application, follow it, list tasks, move a task.

Thin handlers over `intake.actions` and `intake.selectors`; every read goes through `visible_to` /
`get_visible_or_404`, so another town's application or another department's task answers 404. A move
the transition map does not allow answers 409 `illegal_transition` with `details.allowed`; input that
is wrong answers 422 naming the field; a move the user's role may not make answers 403.
"""

from decimal import Decimal

from django.db.models import Prefetch
from ninja import Query, Router
from ninja.pagination import paginate

try:
    from ninja import Status
except ImportError:  # django-ninja before 1.6 took a (status, body) tuple

    def Status(status_code, value):  # noqa: N802
        return status_code, value

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation, User
from onedoor.core.api_paging import COUNT_LIMIT, BoundedPages
from onedoor.core.exceptions import Conflict, DomainError, IllegalTransition, NotPermitted
from onedoor.core.scoping import get_visible_or_404
from onedoor.policies.models import Policy
from onedoor.registry.models import Household, HouseholdMember, Person

from . import actions, selectors
from .actions import ReceivedDocument
from .choices import Channel, TaskAction
from .models import Application, Task, TaskEvent
from .schemas import ApplicationIn, ApplicationOut, TaskDetailOut, TaskFilter, TaskListOut, TransitionIn
from .transitions import check_move

router = Router(tags=["一门受理"])


class InvalidInput(DomainError):
    """Input naming something that does not exist or does not fit; `details` maps field → message."""

    code = "invalid_input"
    status = 422


def _as_field_error(exc: DomainError) -> DomainError:
    """An action's refusal that names a field (`details={"field": …}`) is bad input: 422 by field."""
    if type(exc) is DomainError and isinstance(exc.details, dict) and "field" in exc.details:
        return InvalidInput(exc.message, code=exc.code, details={exc.details["field"]: exc.message})
    return exc


# --- applications -----------------------------------------------------------------------------

def _window_for(user: User, window_id: int | None) -> Organisation:
    if window_id is None:
        if user.organisation is None:
            raise InvalidInput("请指定受理窗口。", details={"window_id": "您的账号不属于任何机构，请指定受理窗口。"})
        return user.organisation
    window = Organisation.objects.filter(pk=window_id, is_active=True).first()
    if window is None or window.kind not in (OrganisationKind.TOWN_OFFICE, OrganisationKind.BUREAU):
        raise InvalidInput("受理窗口有误。", details={"window_id": f"编号为 {window_id} 的机构不是受理窗口。"})
    return window


def _policies_for(codes: list[str], act_first: list[str]) -> list[Policy]:
    found = Policy.objects.select_related("department").in_bulk(codes, field_name="code")
    errors = {}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors["policies"] = f"没有这些政策代码：{'、'.join(unknown)}"
    stray = [code for code in act_first if code not in codes]
    if stray:
        errors["act_first"] = f"先行救助的政策须在申请的政策之中：{'、'.join(stray)}"
    if errors:
        raise InvalidInput("申请信息有误，请按提示修改。", details=errors)
    return [found[code] for code in codes]


def _household_for(user: User, applicant: Person, household_id: int | None) -> Household | None:
    if household_id is not None:
        household = Household.objects.visible_to(user).filter(pk=household_id).first()
        if household is None or not household.memberships.filter(person=applicant, left_on__isnull=True).exists():
            raise InvalidInput("申请家庭有误。", details={"household_id": "申请人不是该家庭的现有成员。"})
        return household
    membership = (HouseholdMember.objects.visible_to(user).filter(person=applicant, left_on__isnull=True)
                  .select_related("household").first())
    return membership.household if membership else None


def _applications():
    return Application.objects.select_related("applicant", "window", "area", "clerk").prefetch_related(
        "documents", "supplement_notices")


def _application(user: User, **lookup) -> Application:
    application = get_visible_or_404(user, _applications(), **lookup)
    application.visible_tasks = list(selectors.application_tasks(user, application).select_related("application"))
    return application


def _just_taken(application: Application) -> Application:
    """The answer to the submission, read without the scope filter: the caller has just taken it at a
    window they may act for, for a person they may see, so the window rule opens it and all its tasks
    to them (and the scoped read costs as much as the rest of the request)."""
    application = _applications().get(pk=application.pk)
    application.visible_tasks = list(application.tasks.select_related("application", "policy", "department",
                                                                      "handler").order_by("pk"))
    return application


@router.post("/applications", response={201: ApplicationOut},
             summary="受理申请：一次申请多项政策，按责任清单分派到部门，返回受理编号和各事项的办理期限")
def create_application(request, payload: ApplicationIn):
    user = request.auth
    if payload.channel not in Channel.values:
        raise InvalidInput("申请渠道有误。", details={"channel": f"申请渠道应为：{'、'.join(Channel.values)}"})
    applicant = get_visible_or_404(user, Person, pk=payload.applicant_id)
    window = _window_for(user, payload.window_id)
    policies = _policies_for(payload.policies, payload.act_first)
    household = _household_for(user, applicant, payload.household_id)
    try:
        application = actions.submit_application(
            actor=user, applicant=applicant, policies=policies, window=window, channel=payload.channel,
            statement=payload.statement, household=household,
            documents=[ReceivedDocument(name) for name in payload.documents],
            consent_to_checks=payload.consent_to_checks, related_to_staff=payload.related_to_staff,
            related_staff_note=payload.related_staff_note, contact_phone=payload.contact_phone,
            act_first=payload.act_first,
        )
    except DomainError as exc:
        raise _as_field_error(exc) from exc
    return Status(201, _just_taken(application))


@router.get("/applications/{receipt_no}", response=ApplicationOut, summary="一件申请：材料、补正告知和各部门的办理事项")
def get_application(request, receipt_no: str):
    return _application(request.auth, receipt_no=receipt_no)


# --- tasks --------------------------------------------------------------------------------------

@router.get("/tasks", response=list[TaskListOut], summary="办理事项列表（按状态、部门、经办人、逾期筛选；按期限排序）",
            description=f"计数最多到 {COUNT_LIMIT} 条（more 为 true 表示更多）；各队列的准确数目见调度台统计。")
@paginate(BoundedPages)
def list_tasks(request, filters: Query[TaskFilter]):
    return selectors.tasks_for_queue(request.auth, state=filters.state, department=filters.department,
                                     overdue=filters.overdue, handler=filters.handler,
                                     unassigned=filters.unassigned)


def _task_detail(user: User, task_id: int) -> Task:
    task = get_visible_or_404(
        user,
        Task.objects.select_related(*selectors.TASK_RELATIONS).prefetch_related(
            Prefetch("events", queryset=TaskEvent.objects.select_related("actor").order_by("occurred_at", "pk"),
                     to_attr="event_list")),
        pk=task_id,
    )
    task.allowed_actions = selectors.allowed_actions(user, task)
    return task


@router.get("/tasks/{task_id}", response=TaskDetailOut, summary="一项办理事项：全部办理记录、公示，以及当前可进行的操作")
def get_task(request, task_id: int):
    return _task_detail(request.auth, task_id)


def _department(payload: TransitionIn) -> tuple[Organisation, User | None]:
    errors = {}
    department = handler = None
    if payload.department is None:
        errors["department"] = "请选择转办到的部门。"
    else:
        department = Organisation.objects.filter(pk=payload.department, is_active=True).first()
        if department is None:
            errors["department"] = f"没有编号为 {payload.department} 的部门。"
    if payload.handler is not None:
        handler = User.objects.filter(pk=payload.handler, is_active=True).first()
        if handler is None or department is None or handler.organisation_id != department.pk:
            errors["handler"] = "经办人须是转办部门的在职工作人员。"
    if errors:
        raise InvalidInput("转办信息有误，请按提示修改。", details=errors)
    return department, handler


def _move(task: Task, user: User, payload: TransitionIn) -> None:
    action = payload.action
    amount = Decimal(payload.amount) if payload.amount is not None else None
    documents = [ReceivedDocument(name) for name in payload.documents]
    if action == TaskAction.ACCEPT:
        actions.accept_task(task, actor=user, note=payload.note)
    elif action == TaskAction.INVESTIGATE:
        actions.start_investigation(task, actor=user, note=payload.note)
    elif action == TaskAction.RETURN:
        actions.return_for_documents(task, actor=user, missing=payload.missing, note=payload.note)
    elif action == TaskAction.RESUBMIT:
        actions.resubmit(task, actor=user, documents=documents, note=payload.note)
    elif action == TaskAction.PROPOSE:
        actions.propose_decision(task, actor=user, note=payload.note, amount=amount, goods=payload.goods or "")
    elif action == TaskAction.PUBLISH_NOTICE:
        actions.publish_notice(task, actor=user, starts_on=payload.starts_on, note=payload.note)
    elif action == TaskAction.OBJECT:
        actions.record_objection(task, actor=user, content=payload.content or payload.note,
                                 raised_by=payload.raised_by)
    elif action == TaskAction.REINVESTIGATE:
        actions.reinvestigate(task, actor=user, note=payload.note)
    elif action == TaskAction.DISMISS_OBJECTION:
        actions.dismiss_objection(task, actor=user, note=payload.note)
    elif action == TaskAction.APPROVE:
        actions.approve(task, actor=user, reason=payload.reason or payload.note, amount=amount,
                        goods=payload.goods, act_first=payload.act_first)
    elif action == TaskAction.REFUSE:
        actions.refuse(task, actor=user, reason=payload.reason or payload.note)
    elif action == TaskAction.COMPLETE:
        actions.complete_act_first(task, actor=user, note=payload.note)
    elif action == TaskAction.CLOSE:
        actions.close_task(task, actor=user, note=payload.note)
    elif action == TaskAction.TRANSFER:
        department, handler = _department(payload)
        actions.transfer_task(task, actor=user, department=department, handler=handler, note=payload.note)
    elif action == TaskAction.WITHDRAW:
        actions.withdraw(task, actor=user, note=payload.note)
    else:  # pragma: no cover - TransitionIn only admits TaskAction values
        raise InvalidInput("未知的操作。", details={"action": f"未知的操作：{action}"})


@router.post("/tasks/{task_id}/transitions", response=TaskDetailOut,
             summary="办理事项的一步：受理、调查、退回补正、初审、公示、异议、批准、不予批准、办结、转办、撤回……")
def move_task(request, task_id: int, payload: TransitionIn):
    user = request.auth
    task = get_visible_or_404(user, Task.objects.select_related("policy", "application"), pk=task_id)
    # The map first: a move that cannot happen from this state is 409 whatever else the body says.
    check_move(payload.action, task.state)
    try:
        _move(task, user, payload)
    except (IllegalTransition, NotPermitted, Conflict, InvalidInput):
        raise
    except DomainError as exc:
        raise _as_field_error(exc) from exc
    return _task_detail(user, task.pk)
