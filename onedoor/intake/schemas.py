"""Request and response shapes of the intake API.

Money goes in and out as strings ("350.00"; a float is refused), dates as ISO. The applicant's ID number
is always masked here — the audited unmask is the registry's, not intake's.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from .choices import Channel, TaskAction, TaskState
from .models import Application, Task, TaskEvent


def _choices(choices) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


def money_text(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def parse_money(value: object) -> Decimal | None:
    """A non-negative amount with at most two decimals from a string or an integer (never a float)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("金额请用字符串表示（如 \"350.00\"），不接受浮点数。")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"“{value}”不是有效的金额。") from None
    if not amount.is_finite():
        raise ValueError(f"“{value}”不是有效的金额。")
    if amount < 0:
        raise ValueError("金额不能为负数。")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("金额最多保留两位小数。")
    if amount >= Decimal("10000000000"):
        raise ValueError("金额过大。")
    return amount.quantize(Decimal("0.01"))


# Row numbers in filters and payloads: beyond a 32-bit key nothing can exist (and SQLite would overflow).
MAX_ID = 2**31 - 1


def _text(max_length: int, description: str, default: str = "") -> object:
    return Field(default, max_length=max_length, description=description)


# --- input -------------------------------------------------------------------------------------------

class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    applicant_id: int = Field(..., ge=1, le=MAX_ID, description="申请人的人员编号（救助对象）")
    policies: list[str] = Field(..., min_length=1, max_length=30,
                                description="申请的政策代码（一项或多项），如 [\"dibao\", \"medical-aid\"]")
    statement: str = _text(4000, "申请事由")
    channel: str = Field(Channel.WINDOW, max_length=12, description=f"申请渠道：{_choices(Channel)}")
    window_id: int | None = Field(None, ge=1, le=MAX_ID, description="受理窗口（机构编号）；不填为本人所属的窗口")
    household_id: int | None = Field(None, ge=1, le=MAX_ID, description="申请家庭编号；不填为申请人现在所在的家庭")
    documents: list[str] = Field([], max_length=60, description="已收取的材料名称（与政策所列材料名称一致）")
    consent_to_checks: bool = Field(False, description="申请人同意核对家庭经济状况")
    related_to_staff: bool = Field(False, description="申请人或家庭成员与经办人员有近亲属关系（单独登记备案）")
    related_staff_note: str = _text(200, "备案说明")
    contact_phone: str = _text(20, "联系电话")
    act_first: list[str] = Field([], max_length=30, description="按先行救助办理的政策代码（须是可先行救助的政策）")

    @field_validator("policies", "documents", "act_first")
    @classmethod
    def _short_names(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip():
                raise ValueError("不能有空的名称或代码。")
            if len(value) > 60:
                raise ValueError(f"“{value[:20]}…”过长（最多 60 字）。")
        return [value.strip() for value in values]


class TransitionIn(Schema):
    """One move of a task. Which fields count depends on the action; the others are ignored."""

    model_config = ConfigDict(extra="forbid")

    action: TaskAction = Field(..., description=f"操作：{_choices(TaskAction)}")
    note: str = _text(4000, "说明（初审意见、撤回方式、重新调查或转办理由等）")
    reason: str = _text(4000, "决定理由（批准、不予批准；不予批准必填）")
    amount: str | int | None = Field(None, description="金额（元），字符串，如 \"350.00\"（提出初审意见、批准）",
                                     examples=["350.00"])
    goods: str | None = Field(None, max_length=200, description="给予的物资或服务（实物、服务类政策）")
    missing: list[str] = Field([], max_length=60, description="需补正的全部材料（退回补正）")
    documents: list[str] = Field([], max_length=60, description="补交的材料名称（补正后重新提交）")
    department: int | None = Field(None, ge=1, le=MAX_ID, description="转办到的部门（机构编号）")
    handler: int | None = Field(None, ge=1, le=MAX_ID, description="转办后的经办人（可选）")
    content: str = _text(4000, "异议内容（登记异议）")
    raised_by: str = _text(60, "异议人（可匿名）")
    starts_on: date | None = Field(None, description="公示开始日期（默认今天）")
    act_first: bool = Field(False, description="先行救助：调查前先行批准（仅限可先行救助的政策）")

    @field_validator("amount", mode="before")
    @classmethod
    def _money(cls, value: object) -> str | None:
        amount = parse_money(value)
        return None if amount is None else str(amount)

    @field_validator("missing", "documents")
    @classmethod
    def _names(cls, values: list[str]) -> list[str]:
        for value in values:
            if len(value) > 60:
                raise ValueError(f"“{value[:20]}…”过长（最多 60 字）。")
        return [value.strip() for value in values if value.strip()]


class TaskFilter(Schema):
    state: str | None = Field(None, pattern="^(open|" + "|".join(TaskState.values) + ")$",
                              description=f"状态：open（全部未办结）或 {_choices(TaskState)}")
    department: int | None = Field(None, ge=1, le=MAX_ID, description="承办部门（机构编号）")
    handler: int | None = Field(None, ge=1, le=MAX_ID, description="经办人（工作人员编号）")
    unassigned: bool = Field(False, description="只看未分派经办人的事项")
    overdue: bool | None = Field(None, description="true 只看逾期，false 只看未逾期")


# --- output ------------------------------------------------------------------------------------------

class Ref(Schema):
    id: int
    name: str


class AreaRef(Schema):
    code: str
    name: str


class PolicyRef(Schema):
    code: str
    name: str
    kind: str


class PersonRef(Schema):
    id: int
    name: str
    id_number: str = Field(description="证件号码（脱敏）")


def _org(org) -> dict | None:
    return None if org is None else {"id": org.pk, "name": str(org)}


def _user(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.full_name or user.username}


class TaskOut(Schema):
    """A task in a list or in its application: where it is and by when."""

    id: int
    receipt_no: str
    policy: PolicyRef
    department: Ref
    handler: Ref | None
    state: str
    state_label: str
    received_on: date
    due_date: date
    due_estimated: bool = Field(description="期限落在尚未公布节假日安排的年份，为估算")
    overdue: bool
    paused: bool = Field(description="待补正材料，计时暂停")
    act_first: bool
    completion_pending: bool
    decided_amount: str | None = Field(description="决定金额（元），字符串")
    decided_goods: str

    @staticmethod
    def resolve_receipt_no(obj: Task) -> str:
        return obj.application.receipt_no

    @staticmethod
    def resolve_policy(obj: Task) -> dict:
        return {"code": obj.policy.code, "name": obj.policy.name, "kind": obj.policy.kind}

    @staticmethod
    def resolve_department(obj: Task) -> dict | None:
        return _org(obj.department)

    @staticmethod
    def resolve_handler(obj: Task) -> dict | None:
        return _user(obj.handler)

    @staticmethod
    def resolve_state_label(obj: Task) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_paused(obj: Task) -> bool:
        return obj.state == TaskState.RETURNED

    @staticmethod
    def resolve_decided_amount(obj: Task) -> str | None:
        return money_text(obj.decided_amount)


class TaskListOut(TaskOut):
    applicant: PersonRef
    area: AreaRef

    @staticmethod
    def resolve_applicant(obj: Task) -> dict:
        person = obj.application.applicant
        return {"id": person.pk, "name": person.name, "id_number": person.masked_id}

    @staticmethod
    def resolve_area(obj: Task) -> dict:
        return {"code": obj.area_id, "name": obj.area.name}


class EventOut(Schema):
    id: int
    code: str
    occurred_at: datetime
    actor: Ref | None
    from_state: str
    to_state: str
    note: str
    data: dict

    @staticmethod
    def resolve_actor(obj: TaskEvent) -> dict | None:
        return _user(obj.actor)


class NoticeOut(Schema):
    id: int
    starts_on: date
    ends_on: date
    state: str
    place: AreaRef
    objections: int


class TaskDetailOut(TaskListOut):
    decision_reason: str
    decided_at: datetime | None
    closed_at: datetime | None
    escalated_on: date | None
    events: list[EventOut]
    notices: list[NoticeOut]
    allowed_actions: list[str] = Field(description="当前用户此刻可以进行的操作")

    @staticmethod
    def resolve_events(obj: Task) -> list:
        return obj.event_list

    @staticmethod
    def resolve_notices(obj: Task) -> list[dict]:
        return [{"id": n.pk, "starts_on": n.starts_on, "ends_on": n.ends_on, "state": n.state,
                 "place": {"code": n.place_id, "name": n.place.name}, "objections": n.objections.count()}
                for n in obj.notices.select_related("place")]

    @staticmethod
    def resolve_allowed_actions(obj: Task) -> list[str]:
        return obj.allowed_actions


class SupplementOut(Schema):
    id: int
    issued_on: date
    resolved_on: date | None
    missing: list[dict] = Field(description="每项政策需补正的材料：[{policy, policy_name, documents}]")
    note: str


class ApplicationOut(Schema):
    receipt_no: str
    applicant: PersonRef
    household_id: int | None
    area: AreaRef
    window: Ref
    clerk: Ref | None
    channel: str
    channel_label: str
    statement: str
    consent_to_checks: bool
    related_to_staff: bool
    submitted_at: datetime
    documents: list[str] = Field(description="已收取的材料")
    supplement_notices: list[SupplementOut]
    tasks: list[TaskOut] = Field(description="本人可见的办理事项（每项申请的政策一项）")

    @staticmethod
    def resolve_applicant(obj: Application) -> dict:
        return {"id": obj.applicant.pk, "name": obj.applicant.name, "id_number": obj.applicant.masked_id}

    @staticmethod
    def resolve_area(obj: Application) -> dict:
        return {"code": obj.area_id, "name": obj.area.name}

    @staticmethod
    def resolve_window(obj: Application) -> dict | None:
        return _org(obj.window)

    @staticmethod
    def resolve_clerk(obj: Application) -> dict | None:
        return _user(obj.clerk)

    @staticmethod
    def resolve_channel_label(obj: Application) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_documents(obj: Application) -> list[str]:
        return [doc.name for doc in obj.documents.all()]

    @staticmethod
    def resolve_supplement_notices(obj: Application) -> list:
        return list(obj.supplement_notices.all())

    @staticmethod
    def resolve_tasks(obj: Application) -> list:
        return obj.visible_tasks

