"""Working days for legal time limits (e.g. "审核确认 within 10 working days").

Which days are worked in China follows the State Council's yearly notice: statutory holidays
on weekdays and 调休 weekends that are worked instead. The `chinesecalendar` package ships
the notices it knows; the `CalendarDay` table lets an administrator add next year's notice
each November (or correct the package) without a deploy. A table row always wins.

For a year neither source knows, days fall back to plain Monday–Friday and the result is
flagged `estimated`, so a due date far in the future is shown as provisional instead of the
page crashing.

Counting follows the legal convention: the day of the triggering act (受理) is not counted,
so a 3-working-day limit from a Friday ends on the Wednesday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

__all__ = [
    "WorkCalendar",
    "WorkdayResult",
    "add_working_days",
    "is_working_day",
    "known_until",
    "package_years",
    "working_days_between",
]


@dataclass(frozen=True)
class WorkdayResult:
    """A computed date, and whether any day counted towards it was a Monday–Friday guess."""

    date: date
    estimated: bool


@cache
def package_years() -> range:
    """The years the installed `chinesecalendar` has notices for (2004–2026 in version 1.11)."""
    from chinese_calendar.constants import holidays

    return range(min(holidays).year, max(holidays).year + 1)


def _package_says_working(day: date) -> bool:
    """The package's answer for a day inside `package_years()`."""
    from chinese_calendar.constants import holidays, workdays

    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def _years(start: date, end: date) -> range:
    """Every year touched by the inclusive range start..end, in either order."""
    low, high = sorted((start, end))
    return range(low.year, high.year + 1)


class WorkCalendar:
    """Answers "is this a working day?" from the package plus the CalendarDay overrides.

    Overrides are fetched a whole year at a time, so one query serves any number of questions
    about the loaded years: build one with `WorkCalendar.load(first, last)` before computing
    thousands of due dates. Asking about a year that was not loaded fetches that year (one
    more query) rather than silently ignoring the table.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None, *, use_database: bool = True):
        """`overrides` maps a date to True (worked) or False (holiday); without the database,
        only these overrides and the package are consulted (useful in tests and scripts)."""
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._override_years: set[int] = {day.year for day in self._overrides}
        self._loaded_years: set[int] = set()
        self._use_database = use_database

    @classmethod
    def load(cls, start: date, end: date) -> WorkCalendar:
        """A calendar with the CalendarDay rows of every year from start to end (one query)."""
        calendar = cls()
        calendar.ensure_loaded(_years(start, end))
        return calendar

    def ensure_loaded(self, years: Iterable[int]) -> None:
        """Fetch the CalendarDay rows of the given years not loaded yet, in one query."""
        missing = sorted(set(years) - self._loaded_years)
        if not missing:
            return
        span = range(missing[0], missing[-1] + 1)
        if self._use_database:
            self._fetch(span)
        self._loaded_years.update(span)

    def _fetch(self, years: range) -> None:
        """Merge the table rows of `years`; years loaded before and explicit overrides are kept."""
        from onedoor.core.choices import DayKind
        from onedoor.core.models import CalendarDay

        rows = CalendarDay.objects.filter(
            date__gte=date(years[0], 1, 1), date__lte=date(years[-1], 12, 31)
        ).values_list("date", "kind")
        for day, kind in rows:
            if day.year not in self._loaded_years:
                self._overrides.setdefault(day, kind == DayKind.WORKDAY)
                self._override_years.add(day.year)

    def _ensure_year(self, year: int) -> None:
        """Cheap check on the hot path of day-by-day counting."""
        if year not in self._loaded_years:
            self.ensure_loaded((year,))

    def is_known(self, day: date) -> bool:
        """True when the package or the table has the official notice for the day's year."""
        self._ensure_year(day.year)
        return day.year in package_years() or day.year in self._override_years

    def is_working_day(self, day: date) -> bool:
        """Table row first, then the package, then plain Monday–Friday."""
        self._ensure_year(day.year)
        if day in self._overrides:
            return self._overrides[day]
        if day.year in package_years():
            return _package_says_working(day)
        return day.weekday() < 5


def is_working_day(day: date, calendar: WorkCalendar | None = None) -> bool:
    """Whether government offices work on `day`."""
    return (calendar or WorkCalendar.load(day, day)).is_working_day(day)


def _calendar_for(start: date, days: int, calendar: WorkCalendar | None) -> WorkCalendar:
    """The given calendar, or one loaded for the years `days` working days from start can reach.

    A working day is at most a couple of weeks away even across Spring Festival, so the
    estimate below covers the usual case in one query; further years load on demand.
    """
    if calendar is not None:
        return calendar
    reach = timedelta(days=abs(days) * 7 // 5 + 21)
    return WorkCalendar.load(start, start + reach if days >= 0 else start - reach)


def add_working_days(start: date, days: int, calendar: WorkCalendar | None = None) -> WorkdayResult:
    """The date `days` working days after `start` (before it when negative).

    `start` itself is not counted; days=0 returns start unchanged even on a holiday. Counting
    back, -3 from a Wednesday is the Friday before (Tue, Mon, Fri). For days >= 0,
    working_days_between(start, result.date) == days. The result is `estimated` when any day
    stepped over lies in a year no notice covers.
    """
    calendar = _calendar_for(start, days, calendar)
    step = timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    day = start
    estimated = False
    while remaining:
        day += step
        estimated = estimated or not calendar.is_known(day)
        if calendar.is_working_day(day):
            remaining -= 1
    return WorkdayResult(day, estimated)


def working_days_between(start: date, end: date, calendar: WorkCalendar | None = None) -> int:
    """Working days after `start` up to and including `end` (negative when end is earlier).

    The inverse of `add_working_days`: working_days_between(s, add_working_days(s, n).date) == n.
    How many working days of a limit have been used, or remain, is computed with this.
    """
    if end < start:
        return -working_days_between(end, start, calendar)
    calendar = calendar or WorkCalendar.load(start, end)
    days = (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))
    return sum(1 for day in days if calendar.is_working_day(day))


def known_until() -> date:
    """The last day covered by an official notice, from the package and the table together.

    Years are covered contiguously from the package onwards: a table row for 2028 does not make
    2027 known. Screens show this so administrators know when next year's notice is due.
    """
    from onedoor.core.models import CalendarDay

    last_year = package_years()[-1]
    table_years = {
        year.year
        for year in CalendarDay.objects.filter(date__gt=date(last_year, 12, 31)).dates("date", "year")
    }
    while last_year + 1 in table_years:
        last_year += 1
    return date(last_year, 12, 31)
