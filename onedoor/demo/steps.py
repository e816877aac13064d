"""The demo district is built by steps that apps register in a `demo_steps.py` module with
`@demo_step(order, name)`; `onedoor demo` runs them in order.

Each step must be idempotent: `onedoor demo` may be run again at any time and must then change
nothing. The README's run command uses `onedoor demo --once`, which skips steps already recorded
in this database (demo.LoadedStep), so a later issue's new steps still load on an existing database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[..., str]  # run(options) -> one line saying what it did


_steps: list[DemoStep] = []


def demo_step(order: int, name: str) -> Callable:
    def register(func: Callable[..., str]) -> Callable[..., str]:
        _steps.append(DemoStep(order, name, func))
        return func

    return register


def steps() -> list[DemoStep]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo_steps")
    return sorted({(s.order, s.name): s for s in _steps}.values(), key=lambda s: s.order)


def refresh_statistics(*tables: str) -> None:
    """ANALYZE after a bulk load: PostgreSQL plans the next statements from table statistics, and a
    table that grew from nothing to thousands of rows in one step has none until autovacuum gets to it
    (the payroll's INSERT … SELECT then took 25 s a month instead of under one)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite plans these statements well without statistics
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables) if tables else "ANALYZE")
