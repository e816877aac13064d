"""The demo district is built by steps that apps register; `onedoor demo` runs them in order.

Each step must be idempotent: the README's run command calls `onedoor demo` on every start and a
second run must change nothing."""

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
    from . import foundation  # noqa: F401  (registers the foundation steps)

    return sorted({(s.order, s.name): s for s in _steps}.values(), key=lambda s: s.order)
