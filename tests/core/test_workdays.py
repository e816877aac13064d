"""Tests for onedoor.core.workdays (legal working-day limits with the 调休 calendar)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onedoor.core.choices import DayKind
from onedoor.core.models import CalendarDay
from onedoor.core.workdays import (
    WorkCalendar,
    WorkdayResult,
    add_working_days,
    is_working_day,
    known_until,
    package_years,
    working_days_between,
)

LAST_PACKAGE_YEAR = package_years()[-1]
UNKNOWN_YEAR = 2031  # far beyond any chinesecalendar release we would pin


def offline(overrides: dict[date, bool] | None = None) -> WorkCalendar:
    """A calendar that never touches the database."""
    return WorkCalendar(overrides, use_database=False)


# --- the package calendar (no database needed) ---------------------------------------------


def test_package_covers_recent_years() -> None:
    assert package_years()[0] <= 2004
    assert LAST_PACKAGE_YEAR >= 2025
    assert UNKNOWN_YEAR not in package_years()


def test_national_day_2024() -> None:
    calendar = offline()
    assert calendar.is_working_day(date(2024, 9, 29))  # Sunday, 调休 working day
    assert calendar.is_working_day(date(2024, 9, 30))  # Monday
    for day in range(1, 8):
        assert not calendar.is_working_day(date(2024, 10, day)), day
    assert calendar.is_working_day(date(2024, 10, 8))
    assert calendar.is_working_day(date(2024, 10, 12))  # Saturday, 调休 working day
    assert not calendar.is_working_day(date(2024, 10, 13))  # ordinary Sunday


def test_spring_festival_2025() -> None:
    calendar = offline()
    assert calendar.is_working_day(date(2025, 1, 26))  # Sunday worked
    assert calendar.is_working_day(date(2025, 1, 27))
    for day in [date(2025, 1, 28) + timedelta(days=n) for n in range(8)]:  # 28 Jan – 4 Feb
        assert not calendar.is_working_day(day), day
    assert calendar.is_working_day(date(2025, 2, 5))
    assert calendar.is_working_day(date(2025, 2, 8))  # Saturday worked


def test_add_working_days_over_national_day() -> None:
    calendar = offline()
    assert add_working_days(date(2024, 9, 30), 1, calendar) == WorkdayResult(date(2024, 10, 8), False)
    assert add_working_days(date(2024, 9, 27), 1, calendar).date == date(2024, 9, 29)
    assert add_working_days(date(2024, 9, 27), 2, calendar).date == date(2024, 9, 30)
    assert add_working_days(date(2024, 9, 27), 3, calendar).date == date(2024, 10, 8)
    assert working_days_between(date(2024, 9, 27), date(2024, 10, 8), calendar) == 3


def test_three_working_days_from_friday_ends_wednesday() -> None:
    assert add_working_days(date(2024, 11, 15), 3, offline()).date == date(2024, 11, 20)


def test_zero_days_returns_start_even_on_a_holiday() -> None:
    assert add_working_days(date(2024, 10, 3), 0, offline()) == WorkdayResult(date(2024, 10, 3), False)


def test_start_on_a_holiday_counts_from_next_working_day() -> None:
    assert add_working_days(date(2024, 10, 3), 1, offline()).date == date(2024, 10, 8)


def test_negative_days_count_backwards() -> None:
    calendar = offline()
    assert add_working_days(date(2024, 10, 8), -1, calendar).date == date(2024, 9, 30)
    assert add_working_days(date(2024, 10, 8), -2, calendar).date == date(2024, 9, 29)
    assert add_working_days(date(2024, 11, 20), -3, calendar).date == date(2024, 11, 15)
    assert add_working_days(date(2024, 10, 6), -1, calendar).date == date(2024, 9, 30)  # from a holiday


def test_working_days_between_edges() -> None:
    calendar = offline()
    assert working_days_between(date(2024, 11, 18), date(2024, 11, 18), calendar) == 0
    assert working_days_between(date(2024, 11, 15), date(2024, 11, 18), calendar) == 1  # Fri → Mon
    assert working_days_between(date(2024, 11, 18), date(2024, 11, 15), calendar) == -1
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 7), calendar) == 0


def test_unknown_year_is_plain_weekdays_and_estimated() -> None:
    calendar = offline()
    assert not calendar.is_known(date(UNKNOWN_YEAR, 10, 1))
    assert calendar.is_working_day(date(UNKNOWN_YEAR, 10, 1))  # a Wednesday; no notice known
    assert not calendar.is_working_day(date(UNKNOWN_YEAR, 10, 4))  # Saturday
    result = add_working_days(date(UNKNOWN_YEAR, 10, 3), 1, calendar)  # Friday
    assert result == WorkdayResult(date(UNKNOWN_YEAR, 10, 6), True)


def test_crossing_into_an_unknown_year_is_estimated() -> None:
    calendar = offline()
    start = date(LAST_PACKAGE_YEAR, 12, 24)
    assert not add_working_days(start, 1, calendar).estimated
    assert add_working_days(start, 10, calendar).estimated


def test_years_before_the_package_are_estimated() -> None:
    assert add_working_days(date(1999, 10, 1), 1, offline()).estimated


def test_explicit_overrides_win() -> None:
    calendar = offline({date(2024, 10, 8): False, date(2024, 10, 5): True})
    assert not calendar.is_working_day(date(2024, 10, 8))
    assert calendar.is_working_day(date(2024, 10, 5))
    assert add_working_days(date(2024, 9, 30), 1, calendar).date == date(2024, 10, 5)


def test_explicit_override_makes_its_year_known() -> None:
    calendar = offline({date(UNKNOWN_YEAR, 10, 1): False})
    assert calendar.is_known(date(UNKNOWN_YEAR, 3, 1))
    assert not add_working_days(date(UNKNOWN_YEAR, 9, 30), 1, calendar).estimated


working_starts = st.dates(min_value=date(2023, 1, 1), max_value=date(LAST_PACKAGE_YEAR + 1, 12, 31))


@given(working_starts, st.integers(min_value=0, max_value=60))
def test_add_then_between_is_identity_offline(start: date, days: int) -> None:
    calendar = offline()
    result = add_working_days(start, days, calendar)
    assert working_days_between(start, result.date, calendar) == days
    if days:
        assert calendar.is_working_day(result.date)
        assert result.date > start
    assert add_working_days(start, -days, calendar).date <= start


# --- with the CalendarDay table ------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_day_row_overrides_the_package() -> None:
    CalendarDay.objects.create(date=date(2024, 10, 8), kind=DayKind.HOLIDAY, name="测试：延长假期")
    CalendarDay.objects.create(date=date(2024, 10, 5), kind=DayKind.WORKDAY, name="测试：调休")
    assert not is_working_day(date(2024, 10, 8))
    assert is_working_day(date(2024, 10, 5))
    assert add_working_days(date(2024, 9, 30), 1) == WorkdayResult(date(2024, 10, 5), False)
    assert add_working_days(date(2024, 9, 30), 2).date == date(2024, 10, 9)


@pytest.mark.django_db
def test_rows_for_a_new_year_make_it_known() -> None:
    CalendarDay.objects.create(date=date(UNKNOWN_YEAR, 10, 1), kind=DayKind.HOLIDAY, name="国庆节")
    CalendarDay.objects.create(date=date(UNKNOWN_YEAR, 10, 11), kind=DayKind.WORKDAY, name="国庆节调休")
    result = add_working_days(date(UNKNOWN_YEAR, 9, 30), 1)
    assert result == WorkdayResult(date(UNKNOWN_YEAR, 10, 2), False)
    assert is_working_day(date(UNKNOWN_YEAR, 10, 11))  # a Saturday
    assert add_working_days(date(UNKNOWN_YEAR + 1, 1, 1), 1).estimated


@pytest.mark.django_db
def test_unknown_year_without_rows_is_estimated() -> None:
    result = add_working_days(date(UNKNOWN_YEAR, 10, 3), 1)
    assert result == WorkdayResult(date(UNKNOWN_YEAR, 10, 6), True)


@pytest.mark.django_db
def test_known_until() -> None:
    assert known_until() == date(LAST_PACKAGE_YEAR, 12, 31)
    CalendarDay.objects.create(date=date(LAST_PACKAGE_YEAR + 2, 1, 1), kind=DayKind.HOLIDAY)
    assert known_until() == date(LAST_PACKAGE_YEAR, 12, 31)  # the year in between is still unknown
    CalendarDay.objects.create(date=date(LAST_PACKAGE_YEAR + 1, 1, 1), kind=DayKind.HOLIDAY)
    assert known_until() == date(LAST_PACKAGE_YEAR + 2, 12, 31)


@pytest.mark.django_db
def test_loaded_calendar_answers_thousands_of_questions_with_one_query(django_assert_num_queries) -> None:
    CalendarDay.objects.create(date=date(2024, 10, 8), kind=DayKind.HOLIDAY)
    with django_assert_num_queries(1):
        calendar = WorkCalendar.load(date(2024, 1, 1), date(2025, 12, 31))
    with django_assert_num_queries(0):
        for offset in range(2000):
            start = date(2024, 1, 1) + timedelta(days=offset % 400)
            add_working_days(start, 20, calendar)
        assert not calendar.is_working_day(date(2024, 10, 8))


@pytest.mark.django_db
def test_functions_without_calendar_use_one_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        add_working_days(date(2024, 12, 20), 30)  # crosses into the next year
    with django_assert_num_queries(1):
        working_days_between(date(2024, 12, 20), date(2025, 3, 1))
    with django_assert_num_queries(1):
        is_working_day(date(2024, 10, 1))


@pytest.mark.django_db
def test_unloaded_year_is_fetched_on_demand(django_assert_num_queries) -> None:
    CalendarDay.objects.create(date=date(2026, 3, 2), kind=DayKind.HOLIDAY)
    calendar = WorkCalendar.load(date(2024, 1, 1), date(2024, 12, 31))
    with django_assert_num_queries(1):
        assert not calendar.is_working_day(date(2026, 3, 2))
        assert calendar.is_working_day(date(2026, 3, 3))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(working_starts, st.integers(min_value=-60, max_value=60))
def test_add_then_between_is_identity_with_database(start: date, days: int) -> None:
    result = add_working_days(start, days)
    if days >= 0:
        assert working_days_between(start, result.date) == days
    else:
        # Counting back, the result is counted and start is not: [result, start) has |days|.
        assert working_days_between(result.date, start) + 1 - is_working_day(start) == -days
    if days:
        assert is_working_day(result.date)
    latest_counted = result.date if days > 0 else start - timedelta(days=1)
    assert result.estimated == (days != 0 and latest_counted.year > LAST_PACKAGE_YEAR)
