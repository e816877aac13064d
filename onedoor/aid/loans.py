"""Loan arithmetic, pure functions: the repayment schedule and the quarterly interest subsidy.

Schedule: 等额本金 (equal principal), monthly. Instalment k (1…n) is due k months after the start date
(the same day of the month, or the month's last day); its principal is principal / n rounded to the fen,
the last one taking the remainder so the principal adds up exactly; its interest is the principal still
outstanding before it × annual rate / 12, rounded half up to the fen.

Subsidy: for each calendar quarter, the interest of the instalments due in it × the subsidy share
(percent), rounded half up to the fen.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from onedoor.core.money import round_money

HUNDRED = Decimal(100)
TWELVE = Decimal(12)


@dataclass(frozen=True)
class Scheduled:
    number: int
    due_date: date
    outstanding_before: Decimal
    principal_due: Decimal
    interest_due: Decimal


def add_months_to_day(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def quarter_of(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(quarter: date) -> date:
    last = add_months_to_day(quarter, 2)
    return last.replace(day=calendar.monthrange(last.year, last.month)[1])


def schedule(*, principal: Decimal, annual_rate_percent: Decimal, term_months: int, start: date) -> list[Scheduled]:
    if term_months <= 0:
        raise ValueError("term_months must be positive")
    monthly_rate = Decimal(annual_rate_percent) / HUNDRED / TWELVE
    each = round_money(principal / term_months)
    rows, outstanding = [], principal
    for number in range(1, term_months + 1):
        part = outstanding if number == term_months else min(each, outstanding)
        rows.append(Scheduled(number, add_months_to_day(start, number), outstanding, part,
                              round_money(outstanding * monthly_rate)))
        outstanding -= part
    return rows


def subsidy_for(interest: Decimal, share_percent: Decimal) -> Decimal:
    return round_money(interest * Decimal(share_percent) / HUNDRED)


def quarterly_interest(rows: list[Scheduled]) -> dict[date, Decimal]:
    totals: dict[date, Decimal] = {}
    for row in rows:
        quarter = quarter_of(row.due_date)
        totals[quarter] = totals.get(quarter, Decimal("0.00")) + row.interest_due
    return totals
