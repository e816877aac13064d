"""Demo district, catalogue part: the shipped policy catalogue (about 70 policies of 28 departments),
its district-wide responsibility lines and the initial standards. Idempotent: loading again changes
nothing."""

from __future__ import annotations

from onedoor.demo.steps import demo_step

from .actions import load_catalogue


@demo_step(40, "政策目录")
def load_demo_catalogue(options: dict) -> str:
    return load_catalogue(actor=None).summary()
