"""Reading the report parameters (year or period, month, area) the same way in pages, API and CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import Http404
from django.utils import timezone

from onedoor.core.exceptions import DomainError
from onedoor.core.scoping import grants_of, is_admin, subtree_prefix

DISTRICT_LEVEL = "district"
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    year: int | None

    @property
    def label(self) -> str:
        if self.year and (self.start, self.end) == (date(self.year, 1, 1), date(self.year, 12, 31)):
            return f"{self.year}年"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    def as_params(self) -> dict[str, str]:
        if self.year and (self.start, self.end) == (date(self.year, 1, 1), date(self.year, 12, 31)):
            return {"year": str(self.year)}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def parse_year(text: Any, *, field: str = "year") -> int:
    text = str(text or "").strip()
    if not text:
        return timezone.localdate().year
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise DomainError(f"年份“{text}”无效：请填写 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份。", details={"field": field})
    return int(text)


def _parse_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"日期“{text}”无效：请按 YYYY-MM-DD 填写。", details={"field": field}) from None


def parse_period(params: Any) -> Period:
    """`start` and `end` (both) give any period; otherwise `year` (default this year)."""
    start, end = (str(params.get("start") or "").strip(), str(params.get("end") or "").strip())
    if start or end:
        if not (start and end):
            raise DomainError("起止日期须同时填写。", details={"field": "start" if not start else "end"})
        first, last = _parse_day(start, "start"), _parse_day(end, "end")
        if last < first:
            raise DomainError("截止日期不能早于起始日期。", details={"field": "end"})
        if first.year < MIN_YEAR or last.year > MAX_YEAR:
            raise DomainError(f"统计期间须在 {MIN_YEAR}–{MAX_YEAR} 年之间。", details={"field": "start"})
        return Period(first, last, first.year if first.year == last.year else None)
    year = parse_year(params.get("year"))
    return Period(date(year, 1, 1), date(year, 12, 31), year)


MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: Any) -> date:
    text = str(text or "").strip()
    if not text:
        today = timezone.localdate()
        return today.replace(day=1)
    match = MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        raise DomainError(f"月份“{text}”无效：请按 YYYY-MM 填写，如 2026-03。", details={"field": "month"})
    return date(int(match[1]), int(match[2]), 1)


def report_areas(user: Any):
    """Areas offered in the area filter: the district and towns the user's grants reach."""
    from onedoor.geo.choices import TOWN_LEVELS
    from onedoor.geo.models import Area

    areas = Area.objects.current().filter(level__in=(DISTRICT_LEVEL, *TOWN_LEVELS)).order_by("code")
    if is_admin(user) or not _area_grants(user):
        return areas.filter(code__startswith=_district_code()[:6])
    return areas.visible_to(user)


def _area_grants(user: Any) -> list[str]:
    return [g.area_code for g in grants_of(user) if g.area_code]


def _district_code() -> str:
    from onedoor.geo.models import Area

    code = Area.objects.filter(level=DISTRICT_LEVEL).order_by("code").values_list("code", flat=True).first()
    return code or "350212000000"


def default_area(user: Any) -> str:
    """The widest area the user's grants reach (the district for the admin and organisation-only grants)."""
    codes = _area_grants(user)
    if is_admin(user) or not codes:
        return _district_code()
    return min(codes, key=lambda code: (len(subtree_prefix(code)), code))


def resolve_area(user: Any, code: Any) -> str:
    """The area code asked for, if the user may report on it; otherwise 404 (never the other area's name)."""
    from onedoor.geo.models import Area

    code = str(code or "").strip()
    if not code:
        return default_area(user)
    if not code.isalnum() or len(code) != 12:
        raise Http404("没有找到，或者您无权查看。")
    if is_admin(user) or not _area_grants(user):
        if Area.objects.filter(code=code, code__startswith=_district_code()[:6]).exists():
            return code
        raise Http404("没有找到，或者您无权查看。")
    if Area.objects.visible_to(user).filter(code=code).exists():
        return code
    raise Http404("没有找到，或者您无权查看。")
