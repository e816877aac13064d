"""Bulk import of N persons from a CSV, and from an xlsx sheet (validated, normalised, deduplicated, staged,
committed with row history and one registry event each) against a raw load of the same rows into a bare
table with the same unique index on the ID number: COPY on PostgreSQL, executemany on SQLite (for the
xlsx, after reading the sheet with calamine as the import does). Peak RSS is the process's so far."""

from __future__ import annotations

import csv
import os
import resource
import tempfile
import time
from datetime import date, timedelta

from django.db import connection, transaction

from bench.runner import case

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁"
HEADERS = ["姓名", "身份证号", "联系电话", "区划代码", "住址"]


def write_persons_csv(path: str, scale: int, villages: list[str]) -> None:
    """N distinct people with valid ID numbers spread over the villages (streamed: flat memory)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(_people(scale, villages))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _baseline_table() -> None:
    """A bare table with a unique index on the ID number."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_person")
        cursor.execute("CREATE TABLE bench_raw_person (name varchar(60), id_number varchar(18), phone varchar(20), "
                       "area_code varchar(12), address varchar(200))")
        cursor.execute("CREATE UNIQUE INDEX bench_raw_person_id ON bench_raw_person (id_number)")


def _empty_registry() -> None:
    """Remove what an earlier import case wrote (this runs in a throwaway bench database)."""
    from onedoor.registry.models import Person, RegistryEvent
    from onedoor.registry.models_import import ImportBatch

    ImportBatch.objects.all().delete()
    RegistryEvent.objects.all().delete()
    Person.history.all().delete()
    Person.objects.all().delete()


def _baseline(path: str) -> float:
    """Load the same file into the bare table."""
    _baseline_table()
    start = time.perf_counter()
    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor, open(path, "rb") as handle:
            with cursor.copy("COPY bench_raw_person FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                while data := handle.read(1 << 20):
                    copy.write(data)
        raw.commit()
    else:
        with connection.cursor() as cursor, open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            cursor.executemany("INSERT INTO bench_raw_person VALUES (%s, %s, %s, %s, %s)", reader)
    return time.perf_counter() - start


def _floor() -> tuple[float, int]:
    """PostgreSQL only: the rows just COPY'd into the bare table moved into registry_person by one INSERT …
    SELECT (sex and birth date from the ID, nothing validated, no history, events or staging), foreign keys
    checked as it goes, then rolled back. What any import that ends with rows in the person table and
    its indexes costs at least."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        start = time.perf_counter()
        cursor.execute("""
            INSERT INTO registry_person (id_number, id_tail, name, name_simplified, name_pinyin, name_initials, sex,
                birth_date, ethnicity, phone, phone2, hukou_type, residence_area_id, address, marital_status, health,
                serious_illness, disability_kind, work_capacity, self_care_unable, self_care, occupation, bank_name,
                bank_account, description, monthly_income, created_at, updated_at)
            SELECT id_number, RIGHT(id_number, 6), name, name, '', '',
                   CASE WHEN SUBSTR(id_number, 17, 1)::int % 2 = 1 THEN 'M' ELSE 'F' END,
                   TO_DATE(SUBSTR(id_number, 7, 8), 'YYYYMMDD'), '', phone, '', '', area_code, address, '', '', '',
                   '', '', '[]'::jsonb, '', '', '', '', '', 0, NOW(), NOW()
              FROM bench_raw_person""")
        seconds = time.perf_counter() - start
        cursor.execute("SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'registry_person'")
        indexes = cursor.fetchone()[0]
        transaction.set_rollback(True)
    return seconds, indexes


def _people(scale: int, villages: list[str]):
    """N distinct people with valid ID numbers spread over the villages, one list of cells each."""
    from onedoor.core.idnumber import make_id_number

    start = date(1930, 1, 1)
    for i in range(scale):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 301) % len(GIVEN)]
        number = make_id_number("350212", start + timedelta(days=i // 1000), i % 1000)
        yield [name, number, f"13{i % 1000000000:09d}", villages[i % len(villages)], f"同安区某路{i % 500}号"]


def write_persons_xlsx(path: str, scale: int, villages: list[str]) -> None:
    """The same people as `write_persons_csv`, as the bureau's 台账 usually come: one xlsx sheet of text cells."""
    from onedoor.core.tabular import Column, Sheet, write_xlsx

    write_xlsx(path, [Sheet("救助对象", [Column(h) for h in HEADERS], _people(scale, villages))])


def _baseline_xlsx(path: str) -> float:
    """Read the sheet (calamine, as the import does) and load its rows raw into the bare table."""
    from onedoor.core.tabular import read_rows

    _baseline_table()
    start = time.perf_counter()
    with read_rows(path) as table:
        rows = [[values.get(h, "") for h in HEADERS] for _, values in table]
    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy("COPY bench_raw_person FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        raw.commit()
    else:
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_raw_person VALUES (%s, %s, %s, %s, %s)", rows)
    return time.perf_counter() - start


def _run_import(scale: int, *, suffix: str) -> tuple[float, float, str]:
    from django.core.files import File

    from onedoor.geo.actions import load_areas
    from onedoor.geo.choices import VILLAGE_LEVELS
    from onedoor.geo.models import Area
    from onedoor.registry import actions
    from onedoor.registry.models import Person

    load_areas()
    villages = list(Area.objects.current().filter(level__in=VILLAGE_LEVELS).values_list("code", flat=True))
    with tempfile.TemporaryDirectory(prefix="onedoor-bench-import-") as scratch:
        path = os.path.join(scratch, f"persons.{suffix}")
        floor = ""
        if suffix == "csv":
            write_persons_csv(path, scale, villages)
            baseline = _baseline(path)
            if connection.vendor == "postgresql":
                floor_seconds, indexes = _floor()
                floor = (f"; floor: the COPY'd rows moved into registry_person ({indexes} indexes) by one INSERT … "
                         f"SELECT, nothing validated or recorded: {floor_seconds:.1f}s = "
                         f"{(baseline + floor_seconds) / baseline:.1f}× the COPY with it")
        else:
            write_persons_xlsx(path, scale, villages)
            baseline = _baseline_xlsx(path)
        start = time.perf_counter()
        with open(path, "rb") as handle:
            batch = actions.create_import_batch(actor=None, file=File(handle), filename=f"persons.{suffix}",
                                                area=None)
        batch = actions.validate_import_batch(actor=None, batch=batch)
        validated = time.perf_counter()
        batch = actions.commit_import_batch(actor=None, batch=batch)
        seconds = time.perf_counter() - start
    committed = Person.objects.count()
    assert committed == scale and batch.count("committed") == scale, (committed, batch.counts)
    notes = (f"validate {validated - start:.1f}s + commit {seconds - (validated - start):.1f}s; "
             f"{scale / seconds:,.0f} rows/s; peak RSS {_peak_rss_mb():.0f} MB{floor}")
    return seconds, baseline, notes


@case("registry_import", description="从 CSV 导入 N 名救助对象（校验、规范化、查重、暂存、写入含历史与事件）"
                                     "与原生批量写入（PostgreSQL COPY / SQLite executemany）", target_ratio=2.0,
      default_scale=20000)
def registry_import(scale: int) -> tuple[float, float, str]:
    return _run_import(scale, suffix="csv")


@case("registry_import_xlsx", description="从 xlsx 导入 N 名救助对象（同上）与读取同一工作表后原生批量写入",
      target_ratio=2.0, default_scale=20000)
def registry_import_xlsx(scale: int) -> tuple[float, float, str]:
    # Runs after registry_import in the same database: start from an empty registry.
    _empty_registry()
    return _run_import(scale, suffix="xlsx")
