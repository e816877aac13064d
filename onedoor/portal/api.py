"""The public API (/api/v1/public/…): no sign-in. The status of one application for whoever holds its
receipt number and the last four characters of the applicant's ID number — the same answer and the
same rate limit as the status page — and the policy catalogue."""

from datetime import date

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from onedoor.core.api_paging import Pages

from . import ratelimit, selectors

router = Router(tags=["public"])


class TaskProgressOut(Schema):
    policy: str = Field(description="政策名称")
    department: str = Field(description="承办部门")
    state: str = Field(description="状态代码")
    state_label: str = Field(description="状态")
    due_date: date | None = Field(description="办理期限")
    decided: bool = Field(description="是否已作出决定")
    finished: bool = Field(description="是否已办结或撤回")


class ApplicationProgressOut(Schema):
    receipt_no: str
    submitted_on: date
    tasks: list[TaskProgressOut]


class ErrorOut(Schema):
    code: str
    message: str
    details: dict | list | None = None


@router.get("/applications/{receipt_no}", auth=None, response={200: ApplicationProgressOut, 404: ErrorOut,
                                                               422: ErrorOut, 429: ErrorOut},
            summary="按受理编号和身份证号码后四位查询办理进度（无需登录）")
def public_application_status(request, receipt_no: str, id_last4: str = Query(..., max_length=8)):
    """No name, ID number, amount or note is ever returned. An unknown receipt number and a wrong
    suffix both answer 404, so the endpoint cannot be used to find out which receipts exist."""
    limit = ratelimit.lookup_limit()
    if not ratelimit.allow(request, limit):
        raise HttpError(429, ratelimit.refused_message(limit))
    progress = selectors.application_progress(receipt_no, id_last4)
    if progress is None:
        raise Http404("未找到")
    return progress


class PolicyOut(Schema):
    code: str
    name: str
    department: str = Field(alias="department.name")
    kind: str
    life_situations: list[str]
    time_limit_days: int
    notice_required: bool
    required_documents: list[str]
    guide: str
    keywords: str


class PolicyFilter(Schema):
    q: str = Field("", max_length=50, description="关键词，如 低保、公租房、医疗救助")
    situation: str = Field("", max_length=20, description="生活情形代码")


@router.get("/policies", auth=None, response=list[PolicyOut], summary="政策目录（无需登录）")
@paginate(Pages)
def public_policies(request, filters: Query[PolicyFilter]):
    return selectors.search_policies(filters.q, situation=filters.situation)
