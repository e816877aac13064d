
from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from .idnumber import InvalidIdNumber, mask_id_number, parse_id_number
from .models import Job
from .scoping import get_visible_or_404
from .workdays import add_working_days

router = Router(tags=["公共"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    status_label: str
    done: int
    total: int | None
    percent: int | None
    counts: dict
    errors: list
    message: str
    has_result: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: Job) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_has_result(obj: Job) -> bool:
        return bool(obj.result_file)


@router.get("/jobs/{job_id}", response=JobOut, summary="后台任务进度")
def get_job(request, job_id: int):
    return get_visible_or_404(request.auth, Job, pk=job_id)


class WorkdaysOut(Schema):
    start: date
    days: int
    due: date
    estimated: bool


@router.get("/tools/workdays", response=WorkdaysOut, summary="按法定工作日推算期限（含调休）")
def workdays(request, start: date, days: int):
    if not -1000 <= days <= 1000:
        raise HttpError(400, "天数应在 -1000 到 1000 之间。")
    result = add_working_days(start, days)
    return {"start": start, "days": days, "due": result.date, "estimated": result.estimated}


class IdNumberIn(Schema):
    number: str


class IdNumberOut(Schema):
    valid: bool
    masked: str
    birth_date: date | None = None
    sex: str | None = None
    address_code: str | None = None
    message: str = ""


@router.post("/tools/id-number", response=IdNumberOut, summary="校验居民身份证号码（不保存）")
def check_id_number(request, payload: IdNumberIn):
    try:
        parsed = parse_id_number(payload.number)
    except InvalidIdNumber as exc:
        return {"valid": False, "masked": mask_id_number(payload.number.strip()), "message": exc.message}
    return {
        "valid": True,
        "masked": mask_id_number(parsed.number),
        "birth_date": parsed.birth_date,
        "sex": parsed.sex,
        "address_code": parsed.address_code,
    }
