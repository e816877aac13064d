"""Demo district, catalogue part: the shipped policy catalogue (about 70 policies of 28 departments),
its district-wide responsibility lines and the initial standards; then, when the demo year (`--year`,
by default last year) starts before the shipped standards, the standards of that year. Idempotent:
loading again changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.demo.steps import demo_step
from onedoor.demo.synth import plan_for

from .actions import load_catalogue, set_standard
from .models import Standard

EARLIER_YEAR_FACTOR = Decimal("0.96")  # standards rise every year; the year before is put at 96 %


@demo_step(40, "政策目录")
def load_demo_catalogue(options: dict) -> str:
    return load_catalogue(actor=None).summary()


@demo_step(42, "演示年度保障标准")
def load_demo_year_standards(options: dict) -> str:
    """Each standard kind (and urban/rural) with nothing in force on 1 January of the demo year gets a
    standard from that day, 4 % below the earliest shipped one (a ratio such as 低保边缘's stays)."""
    year = plan_for(options, timezone.localdate()).year
    start = date(year, 1, 1)
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return "没有系统管理员账号，跳过"
    added = 0
    for kind, hukou_type in Standard.objects.order_by().values_list("kind", "hukou_type").distinct():
        if Standard.objects.filter(kind=kind, hukou_type=hukou_type, effective_from__lte=start).exists():
            continue
        earliest = Standard.objects.filter(kind=kind, hukou_type=hukou_type).order_by("effective_from").first()
        ratio = kind.endswith("ratio")
        amount = earliest.amount if ratio else (earliest.amount * EARLIER_YEAR_FACTOR).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))
        set_standard(actor=admin, kind=kind, hukou_type=hukou_type, amount=amount, effective_from=start,
                     basis=f"演示数据：{year}年度标准（按下一年度标准的96%估算）")
        added += 1
    return f"{year}年度新增保障标准 {added} 条" if added else f"{year}年度已有保障标准，未改动"
