"""Documents of a campaign that carry personal data: the village sign-off sheet (签收表, PDF), the
remaining list (未送达名单, printed from the browser) and the summary workbook (xlsx, written by a job).
All read through the user's scope (`selectors.roster` / `selectors.coverage`); ID numbers are masked;
each one is recorded in the access log."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onedoor.core.audit import log_access
from onedoor.core.choices import AccessAction
from onedoor.core.tabular import Column, Sheet, write_xlsx

from . import selectors
from .choices import OPEN_ENTRY_STATUSES, EntryStatus

CHUNK = 2000
# Who can no longer sign: they are left off the sign-off sheet.
NOT_ON_SHEET = (EntryStatus.DECEASED, EntryStatus.MOVED)


def items_text(campaign: Any) -> str:
    """棉被 1床、大米 1袋 — what each target gets."""
    return "、".join(f"{line.item.name} {line.quantity}{line.item.unit}"
                     for line in campaign.items.select_related("item").order_by("item__name"))


def printed_at() -> str:
    return f"{timezone.localtime():%Y-%m-%d %H:%M}"


def signoff_context(campaign: Any, village: Any, user: Any) -> dict:
    entries = list(selectors.roster(campaign, user, area=village.pk).exclude(status__in=NOT_ON_SHEET))
    log_access(actor=user, action=AccessAction.EXPORT, target=campaign,
               target_label=f"{campaign} · {village.name} 签收表", reason="打印签收表",
               details={"area": village.pk, "rows": len(entries)})
    return {"title": "送温暖物资签收表", "campaign": campaign, "village": village, "entries": entries,
            "items": items_text(campaign), "printed_at": printed_at()}


def remaining_context(campaign: Any, village: Any, user: Any, *, limit: int = 5000) -> dict:
    entries = list(selectors.roster(campaign, user, area=village.pk)
                   .filter(status__in=OPEN_ENTRY_STATUSES)[:limit])
    log_access(actor=user, action=AccessAction.EXPORT, target=campaign,
               target_label=f"{campaign} · {village.name} 未送达名单", reason="打印未送达名单",
               details={"area": village.pk, "rows": len(entries)})
    return {"title": "未送达名单", "campaign": campaign, "village": village, "entries": entries,
            "items": items_text(campaign), "printed_at": printed_at()}


# --- the summary workbook ---------------------------------------------------------------------------

COUNT_COLUMNS = [Column("对象数", kind="int"), Column("已送达", kind="int"), Column("拒收", kind="int"),
                 Column("已故", kind="int"), Column("已迁出", kind="int"), Column("联系不上", kind="int"),
                 Column("待发放", kind="int"), Column("未送达", kind="int"), Column("送达率（%）", kind="money")]


def _counts(row: Any) -> list:
    return [row.targets, row.delivered, row.count("refused"), row.count("deceased"), row.count("moved"),
            row.count("unreachable"), row.count("pending"), row.remaining,
            Decimal(str(row.percent)) if row.percent is not None else None]


def _overview(campaign: Any, cover: Any) -> list[list]:
    total = cover.total
    period = f"{campaign.starts_on:%Y-%m-%d} 至 {campaign.ends_on:%Y-%m-%d}"
    frozen = f"{timezone.localtime(campaign.roster_frozen_at):%Y-%m-%d %H:%M}" if campaign.roster_frozen_at else "未生成"
    rows = [
        ["活动名称", campaign.name], ["组织单位", campaign.organisation.name], ["覆盖区划", campaign.area.name],
        ["活动期间", period], ["发放对象", campaign.get_target_display()],
        ["对象类别", "、".join(c.name for c in campaign.categories.order_by("order", "pk"))],
        ["每人（户）物资", items_text(campaign)], ["状态", campaign.get_status_display()],
        ["名单生成时间", frozen],
        ["对象数", total.targets], ["已送达", total.delivered], ["拒收", total.count("refused")],
        ["已故", total.count("deceased")], ["已迁出", total.count("moved")],
        ["联系不上", total.count("unreachable")], ["待发放", total.count("pending")], ["未送达", total.remaining],
        ["送达率（%）", total.percent if total.percent is not None else ""],
        ["结论", cover.statement], ["导出时间", printed_at()],
    ]
    return [[label, str(value)] for label, value in rows]


def _detail_rows(campaign: Any, user: Any, progress: Any, counter: list[int]) -> Iterator[list]:
    entries = (selectors.roster(campaign, user).select_related("delivery", "status_by")
               .prefetch_related("delivery__lines__item"))
    statuses = dict(EntryStatus.choices)
    done = 0
    for number, entry in enumerate(entries.iterator(chunk_size=CHUNK), start=1):
        delivery = getattr(entry, "delivery", None)
        lines = "、".join(f"{line.item.name} {line.quantity}{line.item.unit}"
                         for line in delivery.lines.all()) if delivery else ""
        yield [number, entry.town.name, entry.area.name, entry.person.name, entry.person.masked_id, entry.address,
               entry.category.name, str(statuses.get(entry.status, entry.status)),
               timezone.localtime(entry.status_at).strftime("%Y-%m-%d %H:%M") if entry.status_at else "",
               delivery.delivered_on if delivery else None, (delivery.recipient_name if delivery else "") or "",
               lines, str(entry.status_by) if entry.status_by else "", entry.status_note, entry.added_reason]
        done += 1
        if progress is not None and done % CHUNK == 0:
            progress.advance(CHUNK)
    if progress is not None and done % CHUNK:
        progress.advance(done % CHUNK)
    counter[0] = done


DETAIL_COLUMNS = [Column("序号", kind="int"), Column("镇（街、场）"), Column("村（社区）"), Column("姓名"),
                  Column("身份证号码", width=22), Column("住址", width=30), Column("类别"), Column("状态"),
                  Column("状态时间", width=18), Column("送达日期", kind="date"), Column("代收人"), Column("发放物资"),
                  Column("登记人"), Column("情况说明"), Column("补充原因")]


def write_summary(campaign: Any, *, user: Any, target: Any, progress: Any = None) -> int:
    """Five sheets; the figures are those of `selectors.coverage` for the same user. Returns the rows
    of the detail sheet."""
    towns = selectors.coverage(campaign, user, by="town")
    villages = selectors.coverage(campaign, user, by="village")
    if progress is not None:
        progress.set_total(towns.total.targets)
    town_names = dict((row.code, row.name) for row in towns.rows)
    by_town = [[row.name, row.code, *_counts(row)] for row in towns.rows] + [["合计", "", *_counts(towns.total)]]
    by_village = ([[town_names.get(row.code[:9] + "000", ""), row.name, row.code, *_counts(row)]
                   for row in villages.rows] + [["合计", "", "", *_counts(villages.total)]])
    by_category = [[row.name, *_counts(row)] for row in towns.by_category] + [["合计", *_counts(towns.total)]]
    counter = [0]
    write_xlsx(target, [
        Sheet("概况", [Column("项目", width=16), Column("内容", width=60)], _overview(campaign, towns)),
        Sheet("按镇", [Column("镇（街、场）"), Column("区划代码", width=14), *COUNT_COLUMNS], by_town),
        Sheet("按村", [Column("镇（街、场）"), Column("村（社区）"), Column("区划代码", width=14), *COUNT_COLUMNS],
              by_village),
        Sheet("按类别", [Column("类别"), *COUNT_COLUMNS], by_category),
        Sheet("发放明细", DETAIL_COLUMNS, _detail_rows(campaign, user, progress, counter)),
    ])
    log_access(actor=user, action=AccessAction.EXPORT, target=campaign, target_label=f"{campaign} 汇总",
               reason="导出送温暖活动汇总", details={"rows": counter[0]})
    return counter[0]
