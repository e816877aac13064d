"""The reports API: the annual report as JSON (schema version 1, see onedoor/reports/schema.py), the monthly
statistics. Figures are scoped to the caller; an area outside the caller's grants is 404."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from . import annual
from .params import parse_month, parse_period, resolve_area
from .schema import report_dict

router = Router(tags=["统计报表"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict | list | None = None


class RowOut(Schema):
    key: str = Field(description="政策、类别、物资、部门的编号或渠道代码；未列入类别为 none")
    label: str
    amount: str = Field(description="金额（元，两位小数的字符串）")
    count: int = Field(description="人次、件数或数量")
    people: int = Field(description="已送达人数（仅活动覆盖的按类别行；其他行为 0）")


class PeriodOut(Schema):
    start: str
    end: str


class AreaOut(Schema):
    code: str
    name: str


class SubsidiesOut(Schema):
    amount: str = Field(description="现金救助发放金额（元），已扣除冲销")
    person_times: int = Field(description="人次：原始记录数减冲销记录数")
    by_policy: list[RowOut]
    by_category: list[RowOut] = Field(description="按发放当日所属对象类别")


class LoansOut(Schema):
    people: int
    loans: int
    principal: str
    subsidy_amount: str
    subsidy_payments: int


class EmploymentOut(Schema):
    approved: int
    by_policy: list[RowOut]


class NoDataOut(Schema):
    available: bool = Field(description="模块上线前为 false：表示没有数据，而不是零")
    message: str


class CoverageOut(Schema):
    campaign_id: int
    name: str
    starts_on: str
    ends_on: str
    targets: int
    delivered: int
    remaining: int
    closed_otherwise: int
    percent: str | None
    all_covered: bool
    statement: str
    by_category: list[RowOut] = Field(description="count 为名单人数，people 为已送达人数")


class CampaignsOut(Schema):
    issued_total: int
    issued: list[RowOut] = Field(description="按物资的发放数量（count）")
    coverage: list[CoverageOut]


class ReservesOut(Schema):
    as_of: str
    on_hand: list[RowOut]
    suppliers: list[RowOut]
    total: list[RowOut]


class OneWindowOut(Schema):
    applications: int
    by_channel: list[RowOut]
    tasks: int
    by_department: list[RowOut]
    decided: int
    decided_on_time: int
    on_time_rate: str | None = Field(description="百分比，一位小数")
    average_working_days: str | None
    departments: int
    policies: int


class AnnualReportOut(Schema):
    schema_version: int
    period: PeriodOut
    area: AreaOut
    subsidies: SubsidiesOut
    loans: LoansOut
    employment: EmploymentOut
    charity: NoDataOut
    social_work: NoDataOut
    campaigns: CampaignsOut
    reserves: ReservesOut
    one_window: OneWindowOut


class AnnualQuery(Schema):
    year: str | None = Field(None, description="年份（默认今年）")
    start: str | None = Field(None, description="起始日期 YYYY-MM-DD（与 end 同时给出时代替 year）")
    end: str | None = Field(None, description="截止日期 YYYY-MM-DD")
    area: str | None = Field(None, description="区划代码（12位，默认本人权限范围最大的区划）")


ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/reports/annual", response={200: AnnualReportOut, **ERRORS}, summary="年度报告")
def annual_report(request, filters: Query[AnnualQuery]):
    params = filters.dict()
    period = parse_period(params)
    area = resolve_area(request.auth, params.get("area"))
    return report_dict(annual.annual_report(request.auth, start=period.start, end=period.end, area_code=area))


class MonthlyCellOut(Schema):
    town: str
    category: str
    people: int
    times: int
    amount: str


class MonthlyOut(Schema):
    month: str
    area: AreaOut
    towns: list[AreaOut]
    categories: list[AreaOut] = Field(description="对象类别：code 为类别编号（未列入类别为 none）")
    cells: list[MonthlyCellOut]
    total: MonthlyCellOut


class MonthlyQuery(Schema):
    month: str | None = Field(None, description="月份 YYYY-MM（默认本月）")
    area: str | None = Field(None, description="区划代码")


@router.get("/reports/monthly", response={200: MonthlyOut, **ERRORS}, summary="月度统计（镇 × 对象类别）")
def monthly_statistics(request, filters: Query[MonthlyQuery]):
    month = parse_month(filters.month)
    area = resolve_area(request.auth, filters.area)
    stats = annual.monthly_statistics(request.auth, month=month, area_code=area)
    return monthly_dict(stats)


def monthly_dict(stats: annual.MonthlyStatistics) -> dict:
    return {
        "month": f"{stats.month:%Y-%m}", "area": {"code": stats.area_code, "name": stats.area_name},
        "towns": [{"code": c, "name": n} for c, n in stats.towns],
        "categories": [{"code": c, "name": n} for c, n in stats.categories],
        "cells": [{"town": town, "category": category, "people": cell.people, "times": cell.times,
                   "amount": str(cell.amount)} for (town, category), cell in sorted(stats.cells.items())],
        "total": {"town": "", "category": "", "people": stats.total.people, "times": stats.total.times,
                  "amount": str(stats.total.amount)},
    }
