"""The annual report and the monthly statistics as files: xlsx (one sheet per section) and PDF (print layout).

Both are written synchronously: the report is a few dozen aggregate queries and a few hundred lines at most,
whatever the number of records behind it (the bench times it over ten million ledger rows). The PDF is
rendered by WeasyPrint, which runs no JavaScript: instead of the page's ECharts charts it draws each
breakdown as a table with a horizontal CSS bar per line (width proportional to the largest value).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onedoor.core.pdf import render_pdf
from onedoor.core.tabular import Column, Sheet, write_xlsx

from .annual import AnnualReport, MonthlyStatistics, Row


def _rows_sheet(title: str, rows: list[Row], *, money: bool = True, count_header: str = "人次",
                people_header: str | None = None) -> Sheet:
    columns = [Column("项目", width=30)]
    if money:
        columns.append(Column("金额（元）", kind="money"))
    columns.append(Column(count_header, kind="int"))
    if people_header:
        columns.append(Column(people_header, kind="int"))

    def line(row: Row) -> list[Any]:
        cells: list[Any] = [row.label]
        if money:
            cells.append(row.amount)
        cells.append(row.count)
        if people_header:
            cells.append(row.people)
        return cells

    total: list[Any] = ["合计"]
    if money:
        total.append(sum((r.amount for r in rows), Decimal("0.00")))
    total.append(sum(r.count for r in rows))
    if people_header:
        total.append(sum(r.people for r in rows))
    return Sheet(title, columns, [*map(line, rows), total])


def summary_lines(report: AnnualReport) -> list[tuple[str, str]]:
    """The article's figures in one column: (what, value)."""
    s, lo, em, ca, ow = report.subsidies, report.loans, report.employment, report.campaigns, report.one_window
    coverage = "；".join(c.statement for c in ca.campaigns) or "本期无活动"
    return [
        ("统计期间", f"{report.start:%Y-%m-%d} 至 {report.end:%Y-%m-%d}"),
        ("统计区域", report.area_name),
        ("救助资金发放（元）", f"{s.amount}"),
        ("救助资金发放（人次）", f"{s.times}"),
        ("贴息贷款（人）", f"{lo.people}"),
        ("贴息贷款本金（元）", f"{lo.principal}"),
        ("贴息支付（元）", f"{lo.subsidy_amount}"),
        ("就业援助批准（件）", f"{em.decided}"),
        ("慈善", report.charity.message),
        ("社会工作", report.social_work.message),
        ("送温暖发放物资（件）", f"{ca.issued_total}"),
        ("覆盖情况", coverage),
        ("受理申请（件）", f"{ow.received}"),
        ("办结（作出决定）事项", f"{ow.decided}"),
        ("按期办结率（%）", "" if ow.on_time_rate is None else f"{ow.on_time_rate}"),
        ("平均办理工作日", "" if ow.average_working_days is None else f"{ow.average_working_days}"),
        ("政策目录：部门数", f"{ow.departments}"),
        ("政策目录：政策数", f"{ow.policies}"),
    ]


def annual_sheets(report: AnnualReport) -> list[Sheet]:
    s, lo, em, ca, re, ow = (report.subsidies, report.loans, report.employment, report.campaigns, report.reserves,
                             report.one_window)
    return [
        Sheet("概况", [Column("项目", width=24), Column("数值", width=60)], summary_lines(report)),
        _rows_sheet("救助资金-按政策", s.by_policy),
        _rows_sheet("救助资金-按类别", s.by_category),
        Sheet("贴息贷款", [Column("项目", width=20), Column("数值", width=20)], [
            ("贷款人数", lo.people), ("贷款笔数", lo.loans), ("贷款本金（元）", str(lo.principal)),
            ("贴息支付（元）", str(lo.subsidy_amount)), ("贴息支付笔数", lo.subsidy_times)]),
        _rows_sheet("就业援助", em.by_policy, money=False, count_header="批准件数"),
        Sheet("慈善", [Column("说明", width=40)], [[report.charity.message]]),
        Sheet("社会工作", [Column("说明", width=40)], [[report.social_work.message]]),
        _rows_sheet("送温暖发放", ca.issued, money=False, count_header="发放数量"),
        Sheet("活动覆盖", [Column("活动", width=24), Column("名单人数", kind="int"), Column("已送达", kind="int"),
                         Column("未送达", kind="int"), Column("其他办结", kind="int"), Column("送达率（%）"),
                         Column("情况", width=60)],
              [[c.name, c.targets, c.delivered, c.remaining, c.closed_otherwise,
                "" if c.percent is None else str(c.percent), c.statement] for c in ca.campaigns]),
        Sheet("物资储备", [Column("物资", width=20), Column("库存", kind="int"), Column("协议储备", kind="int"),
                         Column("合计", kind="int")],
              [[t.label, next((r.count for r in re.on_hand if r.key == t.key), 0),
                next((r.count for r in re.suppliers if r.key == t.key), 0), t.count] for t in re.total]),
        Sheet("一门受理", [Column("项目", width=30), Column("数量", kind="int")], [
            ("受理申请", ow.received), *((f"渠道：{r.label}", r.count) for r in ow.by_channel),
            ("办理事项", ow.tasks), *((f"部门：{r.label}", r.count) for r in ow.by_department),
            ("作出决定", ow.decided), ("按期作出决定", ow.decided_on_time),
            ("政策目录部门数", ow.departments), ("政策目录政策数", ow.policies)]),
    ]


def annual_xlsx(report: AnnualReport) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, annual_sheets(report))
    return buffer.getvalue()


def bars(rows: list[Row], *, by: str = "amount") -> list[dict[str, Any]]:
    """Rows with a bar width (percent of the largest value) for the print layout."""
    values = [(r.amount if by == "amount" else Decimal(r.count)) for r in rows]
    top = max(values, default=Decimal(0)) or Decimal(1)
    return [{"row": r, "value": v, "width": max(0, int(v * 100 / top))} for r, v in zip(rows, values, strict=True)]


def annual_pdf(report: AnnualReport, *, monthly: list[Row] | None = None) -> bytes:
    return render_pdf("reports/print/annual.html", {
        "report": report, "summary": summary_lines(report),
        "policy_bars": bars(report.subsidies.by_policy), "category_bars": bars(report.subsidies.by_category),
        "month_bars": bars(monthly or []), "employment_bars": bars(report.employment.by_policy, by="count"),
        "issued_bars": bars(report.campaigns.issued, by="count"),
        "channel_bars": bars(report.one_window.by_channel, by="count"),
        "department_bars": bars(report.one_window.by_department, by="count"),
        "printed_at": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    })


def monthly_sheets(stats: MonthlyStatistics) -> list[Sheet]:
    columns = [Column("镇（街、场）", width=16)]
    for _, name in stats.categories:
        columns += [Column(f"{name}·人数", kind="int"), Column(f"{name}·金额（元）", kind="money")]
    columns += [Column("合计·人数", kind="int"), Column("合计·人次", kind="int"), Column("合计·金额（元）", kind="money")]
    rows = []
    for code, name in stats.towns:
        line: list[Any] = [name]
        for category, _ in stats.categories:
            cell = stats.cell(code, category)
            line += [cell.people, cell.amount]
        total = stats.town_totals[code]
        rows.append([*line, total.people, total.times, total.amount])
    last: list[Any] = ["合计"]
    for category, _ in stats.categories:
        cell = stats.category_totals[category]
        last += [cell.people, cell.amount]
    rows.append([*last, stats.total.people, stats.total.times, stats.total.amount])
    return [Sheet(f"{stats.month:%Y-%m} 救助资金发放", columns, rows)]


def monthly_xlsx(stats: MonthlyStatistics) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, monthly_sheets(stats))
    return buffer.getvalue()
