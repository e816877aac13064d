"""Request and response shapes of the payroll API. Money as strings ("800.00"), months as YYYY-MM."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from .choices import PaymentLine, PaymentStatus, RunState


def _choices(choices) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


class RunIn(Schema):
    month: str = Field(..., pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="发放月份，YYYY-MM", examples=["2026-04"])
    policy_code: str | None = Field(None, max_length=40, description="只发放该政策（政策代码）；省略为全部按月发放的政策")


class RunFilter(Schema):
    state: str | None = Field(None, pattern="^(" + "|".join(RunState.values) + ")$",
                              description=f"状态：{_choices(RunState)}")


class TotalOut(Schema):
    line: str = Field(..., description=f"类型：{_choices(PaymentLine)}")
    status: str = Field(..., description=f"状态：{_choices(PaymentStatus)}")
    count: int
    amount: str


class RunOut(Schema):
    id: int
    month: str
    policy_code: str | None
    state: str = Field(..., description=f"状态：{_choices(RunState)}")
    state_label: str
    payment_count: int
    total_amount: str
    prepared_by: str
    approved_by: str | None
    created_at: datetime
    computed_at: datetime | None
    approved_at: datetime | None
    exported_at: datetime | None
    reconciled_at: datetime | None
    allowed_moves: list[str] = Field(..., description="当前状态下允许的操作：compute、approve、export、reconcile、close")
    job_id: int | None = Field(None, description="在后台计算时的任务编号（GET /api/v1/jobs/{job_id} 查看进度）")


class RunDetailOut(RunOut):
    totals: list[TotalOut] = Field(..., description="按类型和状态的笔数与金额")


def run_out(run, *, job_id: int | None = None, totals: list[dict] | None = None) -> dict:
    from .payroll import moves_from

    data = {
        "id": run.pk, "month": f"{run.month:%Y-%m}", "policy_code": run.policy.code if run.policy_id else None,
        "state": run.state, "state_label": str(run.get_state_display()), "payment_count": run.payment_count,
        "total_amount": f"{run.total_amount:.2f}", "prepared_by": run.prepared_by.username,
        "approved_by": run.approved_by.username if run.approved_by_id else None, "created_at": run.created_at,
        "computed_at": run.computed_at, "approved_at": run.approved_at, "exported_at": run.exported_at,
        "reconciled_at": run.reconciled_at, "allowed_moves": moves_from(run.state), "job_id": job_id,
    }
    if totals is not None:
        data["totals"] = [{**row, "amount": f"{row['amount']:.2f}"} for row in totals]
    return data
