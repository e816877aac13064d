"""The annual report (the article's statistics table) computed from records, for a period and an area subtree.

Public, stable names (the dashboards import them):

- `annual_report(user, *, start, end, area_code) -> AnnualReport`
- `year_period(year) -> (start, end)`
- section functions, each `(user, *, start, end, area_code)`: `subsidies`, `loans`, `employment`,
  `campaign_issues`, `one_window`; `reserves(user, *, area_code)`; `subsidies_by_month(...)`
- `monthly_statistics(user, *, month, area_code) -> MonthlyStatistics` (town × category)

Every figure is read through `visible_to(user)` of its source model; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

NO_DATA = "暂无数据（慈善/社工模块尚未上线）"


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@dataclass
class Row:
    """One line of a breakdown: key (code or id), label, figures and the drill-down parameters."""

    key: str
    label: str
    amount: Decimal = Decimal("0.00")
    count: int = 0
    people: int = 0
    drill: dict[str, str] = field(default_factory=dict)


@dataclass
class SubsidySection:
    amount: Decimal
    times: int
    by_policy: list[Row]
    by_category: list[Row]
    by_kind: list[Row]


@dataclass
class LoanSection:
    people: int
    loans: int
    principal: Decimal
    subsidy_amount: Decimal
    subsidy_times: int


@dataclass
class EmploymentSection:
    decided: int
    by_policy: list[Row]


@dataclass
class NoDataSection:
    available: bool = False
    message: str = NO_DATA


@dataclass
class CampaignCoverageRow:
    campaign_id: int
    name: str
    targets: int
    delivered: int
    remaining: int
    closed_otherwise: int
    all_covered: bool
    statement: str
    by_category: list[Row]


@dataclass
class CampaignSection:
    issued: list[Row]          # items issued by kind (quantity in `count`)
    issued_total: int
    campaigns: list[CampaignCoverageRow]


@dataclass
class ReserveSection:
    warehouse: list[Row]       # quantity on hand in `count`
    suppliers: list[Row]       # agreement reserved quantity in `count`
    total: list[Row]


@dataclass
class OneWindowSection:
    received: int
    by_channel: list[Row]
    by_department: list[Row]
    decided: int
    decided_on_time: int
    on_time_rate: Decimal | None
    average_working_days: Decimal | None
    departments: int
    policies: int


@dataclass
class AnnualReport:
    start: date
    end: date
    area_code: str
    area_name: str
    subsidies: SubsidySection
    loans: LoanSection
    employment: EmploymentSection
    charity: NoDataSection
    social_work: NoDataSection
    campaigns: CampaignSection
    reserves: ReserveSection
    one_window: OneWindowSection

    def as_dict(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass
class MonthlyCell:
    people: int = 0
    amount: Decimal = Decimal("0.00")


@dataclass
class MonthlyStatistics:
    month: date
    area_code: str
    towns: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    cells: dict[tuple[str, str], MonthlyCell]
    town_totals: dict[str, MonthlyCell]
    category_totals: dict[str, MonthlyCell]
    total: MonthlyCell


def annual_report(user: Any, *, start: date, end: date, area_code: str) -> AnnualReport:
    raise NotImplementedError


def subsidies(user: Any, *, start: date, end: date, area_code: str) -> SubsidySection:
    raise NotImplementedError


def subsidies_by_month(user: Any, *, start: date, end: date, area_code: str) -> list[Row]:
    raise NotImplementedError


def loans(user: Any, *, start: date, end: date, area_code: str) -> LoanSection:
    raise NotImplementedError


def employment(user: Any, *, start: date, end: date, area_code: str) -> EmploymentSection:
    raise NotImplementedError


def campaign_issues(user: Any, *, start: date, end: date, area_code: str) -> CampaignSection:
    raise NotImplementedError


def reserves(user: Any, *, area_code: str) -> ReserveSection:
    raise NotImplementedError


def one_window(user: Any, *, start: date, end: date, area_code: str) -> OneWindowSection:
    raise NotImplementedError


def monthly_statistics(user: Any, *, month: date, area_code: str) -> MonthlyStatistics:
    raise NotImplementedError
