"""The payroll API: create (and compute) a month's run, read a run with its totals, list runs.

Thin handlers over benefits.payroll; reads go through `visible_to` / `get_visible_or_404` (payroll runs are
for finance, the dispatcher and leaders: anyone else gets 404). Creating is finance's (403 otherwise);
a month that already has a run answers 409. A run with many payable enrollments is computed as a
background job: the answer then has `job_id` and state `draft` until the job is done.
"""

from ninja import Query, Router
from ninja.pagination import paginate

try:
    from ninja import Status
except ImportError:  # django-ninja before 1.6 took a (status, body) tuple

    def Status(status_code, value):  # noqa: N802
        return status_code, value

from onedoor.core.api_paging import Pages
from onedoor.core.exceptions import DomainError
from onedoor.core.scoping import get_visible_or_404
from onedoor.policies.models import Policy

from . import payroll, tasks
from .models import PayrollRun
from .months import parse_month
from .schemas import RunDetailOut, RunFilter, RunIn, RunOut, run_out

router = Router(tags=["待遇发放"])

# Up to this many payable enrollments the run is computed within the request.
INLINE_LIMIT = 5000


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


def _runs():
    return PayrollRun.objects.select_related("policy", "prepared_by", "approved_by")


@router.post("/payroll-runs", response={201: RunOut}, summary="编制某月的发放批次并计算（发放对象多时在后台计算）")
def create_payroll_run(request, payload: RunIn):
    policy = None
    if payload.policy_code:
        policy = Policy.objects.filter(code=payload.policy_code).first()
        if policy is None:
            raise InvalidInput("没有该政策代码。", details={"policy_code": f"没有政策代码：{payload.policy_code}"})
    try:
        month = parse_month(payload.month)
    except ValueError as exc:
        raise InvalidInput("发放月份不正确。", details={"month": str(exc)}) from None
    run = payroll.create_run(actor=request.auth, month=month, policy=policy)
    job_id = None
    if payroll.payable_count(run) > INLINE_LIMIT:
        job_id = tasks.start_compute(actor=request.auth, run=run).pk
    else:
        payroll.compute_run(run, actor=request.auth)
    return Status(201, run_out(_runs().get(pk=run.pk), job_id=job_id))


@router.get("/payroll-runs", response=list[RunOut], summary="发放批次列表（按月份倒序）")
@paginate(Pages)
def list_payroll_runs(request, filters: Query[RunFilter]):
    runs = _runs().visible_to(request.auth).order_by("-month", "-pk")
    if filters.state:
        runs = runs.filter(state=filters.state)
    return [run_out(run) for run in runs]


@router.get("/payroll-runs/{run_id}", response=RunDetailOut, summary="一个发放批次：状态、笔数、按类型和状态的合计")
def get_payroll_run(request, run_id: int):
    run = get_visible_or_404(request.auth, _runs(), pk=run_id)
    job = tasks.latest_compute_job(request.auth, run)
    return run_out(run, job_id=job.pk if job and not job.finished else None, totals=payroll.totals_of(run))
