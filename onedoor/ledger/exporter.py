"""xlsx exports of the ledger (a filtered list) and of the duplicate-aid check. ID numbers are masked;
every export is access-logged, since it is personal data leaving the system."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from onedoor.core.audit import log_access
from onedoor.core.choices import AccessAction
from onedoor.core.idnumber import mask_id_number
from onedoor.core.tabular import Column, Sheet, write_xlsx

from . import selectors
from .choices import AssistanceKind
from .models import AssistanceRecord

CHUNK = 2000
KINDS = dict(AssistanceKind.choices)

RECORD_COLUMNS = [
    Column("救助日期", kind="date"), Column("姓名"), Column("身份证号码", width=22), Column("区划代码"),
    Column("区划"), Column("政策或项目"), Column("实施部门"), Column("救助方式"), Column("金额（元）", kind="money"),
    Column("数量"), Column("单位"), Column("冲销"),
]
DUPLICATE_COLUMNS = [
    Column("姓名"), Column("身份证号码", width=22), Column("救助方式"), Column("部门数", kind="int"),
    Column("次数", kind="int"), Column("金额合计（元）", kind="money"), Column("明细"),
]


def _number(person) -> str:
    return mask_id_number(person.id_number) if person.id_number else (person.temp_identifier or "")


def record_rows(records, progress: Any = None) -> Iterator[list[Any]]:
    done = 0
    rows = records.select_related("person", "area", "policy", "department").order_by("delivered_on", "pk")
    for record in rows.iterator(chunk_size=CHUNK):
        yield [record.delivered_on, record.person.name, _number(record.person), record.area_id, record.area.name,
               record.what, record.department.name, str(KINDS.get(record.kind, record.kind)), record.amount,
               record.quantity, record.unit, "是" if record.reverses_id else ""]
        done += 1
        if progress is not None and done % CHUNK == 0:
            progress.advance(CHUNK)
    if progress is not None and done % CHUNK:
        progress.advance(done % CHUNK)


def export_records(*, user: Any, target: Any, flt: selectors.LedgerFilter, progress: Any = None) -> int:
    records = selectors.records_for(user, flt)
    count = records.count()
    if progress is not None:
        progress.set_total(count)
    write_xlsx(target, [Sheet("救助台账", RECORD_COLUMNS, record_rows(records, progress))])
    log_access(actor=user, action=AccessAction.EXPORT, target_label="救助台账", reason="导出救助台账",
               details={"rows": count, **{k: str(v) for k, v in flt.as_params().items()}})
    return count


def duplicate_rows(user: Any, *, start: date | None, end: date | None, kind: str | None,
                   progress: Any = None) -> Iterator[list[Any]]:
    groups = selectors.duplicate_aid(user, start=start, end=end, kind=kind)
    batch: list[dict] = []

    def flush() -> Iterator[list[Any]]:
        details = selectors.duplicate_details(user, batch, start=start, end=end)
        for row in batch:
            records = details.get((row["person"], row["kind"]), [])
            if not records:
                continue
            person = records[0].person
            detail = "；".join(f"{r.delivered_on} {r.department.short_name or r.department.name} {r.what}"
                              f"{' ' + str(r.amount) + '元' if r.amount is not None else ''}" for r in records)
            yield [person.name, _number(person), str(KINDS.get(row["kind"], row["kind"])), row["departments"],
                   row["times"], row["amount"], detail]
        if progress is not None:
            progress.advance(len(batch))

    for row in groups.iterator(chunk_size=500):
        batch.append(row)
        if len(batch) == 500:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def export_duplicates(*, user: Any, target: Any, start: date | None, end: date | None, kind: str | None,
                      progress: Any = None) -> int:
    counted = [0]

    def counting():
        for row in duplicate_rows(user, start=start, end=end, kind=kind, progress=progress):
            counted[0] += 1
            yield row

    write_xlsx(target, [Sheet("重复救助核查", DUPLICATE_COLUMNS, counting())])
    log_access(actor=user, action=AccessAction.EXPORT, target_label="重复救助核查", reason="导出重复救助核查",
               details={"rows": counted[0], "start": str(start or ""), "end": str(end or ""), "kind": kind or ""})
    return counted[0]


__all__ = ["AssistanceRecord", "export_duplicates", "export_records"]
