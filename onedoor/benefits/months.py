"""Months as the first day of the month — how enrollments, amounts and payments are keyed."""

from __future__ import annotations

from datetime import date


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included (empty when last < first)."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def parse_month(text: str) -> date:
    """'2026-12' (or '2026-12-01') → date(2026, 12, 1); ValueError with a Chinese message otherwise."""
    try:
        parts = [int(part) for part in text.strip().split("-")[:2]]
        return date(parts[0], parts[1], 1)
    except (ValueError, IndexError):
        raise ValueError(f"月份格式应为 YYYY-MM，例如 2026-12：{text}") from None
