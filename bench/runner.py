"""The benchmark runner behind `onedoor bench`.

Each case measures OneDoor's way of doing something and a raw baseline doing the same work
(plain SQL on the same tables) in the same process, on the same data, and reports the ratio
against the case's target. Seconds alone are never the verdict: machines differ, ratios travel.

The parent process runs every case once per database, each in a child process with its own fresh
database (a temporary SQLite file, or a temporary PostgreSQL database created and dropped here),
so a benchmark never touches your data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

CASES: dict[str, Case] = {}


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    target_ratio: float
    default_scale: int
    # scale -> (seconds, baseline_seconds) or (seconds, baseline_seconds, notes)
    run: Callable[[int], tuple[float, float] | tuple[float, float, str]]


@dataclass
class Result:
    case: str
    db: str
    scale: int
    seconds: float
    baseline_seconds: float
    ratio: float
    target_ratio: float
    ok: bool
    notes: str | None = None  # extra figures of a case (e.g. peak memory); left out of the JSON when None

    def as_dict(self) -> dict:
        data = asdict(self)
        if data["notes"] is None:
            del data["notes"]
        return data


def case(name: str, *, description: str, target_ratio: float, default_scale: int):
    def register(func: Callable[[int], tuple[float, float] | tuple[float, float, str]]):
        CASES[name] = Case(name, description, target_ratio, default_scale, func)
        return func

    return register


def best_of(func: Callable[[], object], *, rounds: int = 7, inner: int = 20) -> float:
    """The fastest of `rounds` means over `inner` calls (as timeit does): other load on the machine only
    ever adds time, so the minimum is the steadiest estimate of the work itself."""
    func()  # warm caches and connections
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(inner):
            func()
        samples.append((time.perf_counter() - start) / inner)
    return min(samples)


def load_cases() -> None:
    # Import order is run order: the registry cases expect a registry no other case has written to.
    from bench.cases import geo_subtree, registry_import, person_search, intake, payroll  # noqa: F401, I001
    from bench.cases import campaigns, reports, dashboards  # noqa: F401, I001


# --- child: runs inside Django on a fresh database --------------------------------------------

def run_in_child(db: str, scale: int | None, only: str | None) -> list[Result]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    load_cases()
    results = []
    for item in CASES.values():
        if only and item.name != only:
            continue
        n = scale or item.default_scale
        seconds, baseline, *extra = item.run(n)
        ratio = seconds / baseline if baseline > 0 else float("inf")
        results.append(Result(item.name, db, n, round(seconds, 6), round(baseline, 6), round(ratio, 3),
                              item.target_ratio, ratio <= item.target_ratio, extra[0] if extra else None))
    return results


# --- parent: one child per database -------------------------------------------------------------

def _pg_admin_url() -> str:
    return os.environ.get("ONEDOOR_BENCH_PG_URL", "postgresql://127.0.0.1:5432/postgres")


def _with_pg_database(func: Callable[[str], list[dict]]) -> list[dict]:
    import psycopg

    name = f"onedoor_bench_{os.getpid()}_{int(time.time())}"
    admin_url = _pg_admin_url()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = admin_url.rsplit("/", 1)[0]
        return func(f"{base}/{name}")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _child(db: str, database_url: str, scale: int | None, only: str | None) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="onedoor-bench-") as data_dir:
        env = dict(os.environ, DATABASE_URL=database_url.replace("{data}", data_dir),
                   ONEDOOR_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="onedoor.settings")
        args = [sys.executable, "-m", "bench.runner", "--child", db]
        if scale:
            args += ["--scale", str(scale)]
        if only:
            args += ["--case", only]
        completed = subprocess.run(args, env=env, capture_output=True, text=True)
        if completed.returncode != 0:
            raise RuntimeError(f"bench on {db} failed:\n{completed.stderr[-3000:]}")
        return json.loads(completed.stdout.strip().splitlines()[-1])


def run(dbs: list[str], scale: int | None, only: str | None) -> list[dict]:
    load_cases()
    if only and only not in CASES:
        raise SystemExit(f"未知的基准用例：{only}（可选：{', '.join(CASES)}）")
    results: list[dict] = []
    expected = 1 if only else len(CASES)
    for db in dbs:
        if db == "sqlite":
            results += _child(db, "sqlite:///{data}/bench.sqlite3", scale, only)
        elif db == "postgres":
            results += _with_pg_database(lambda url: _child("postgres", url, scale, only))
        else:
            raise SystemExit(f"未知的数据库：{db}（sqlite 或 postgres）")
        if sum(1 for r in results if r["db"] == db) != expected:
            raise RuntimeError(f"bench on {db} ran {sum(1 for r in results if r['db'] == db)} of {expected} cases")
    return results


def format_table(results: list[dict]) -> str:
    lines = [f"{'case':<22}{'db':<10}{'scale':>9}{'seconds':>12}{'baseline':>12}{'ratio':>8}{'target':>8}  ok"]
    for r in results:
        lines.append(f"{r['case']:<22}{r['db']:<10}{r['scale']:>9}{r['seconds']:>12.6f}{r['baseline_seconds']:>12.6f}"
                     f"{r['ratio']:>8.2f}{r['target_ratio']:>8.2f}  {'yes' if r['ok'] else 'NO'}")
        if r.get("notes"):
            lines.append(f"{'':<22}{r['notes']}")
    return "\n".join(lines)


if __name__ == "__main__":  # the child process
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", required=True)
    parser.add_argument("--scale", type=int)
    parser.add_argument("--case")
    ns = parser.parse_args()
    # Run through the imported module, not __main__: the cases register into bench.runner.CASES.
    from bench import runner as registry

    out = registry.run_in_child(ns.child, ns.scale, ns.case)
    print(json.dumps([r.as_dict() for r in out]))
