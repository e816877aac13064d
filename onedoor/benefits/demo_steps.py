"""Demo district, benefits part: the amount rules of the catalogue's monthly-cash policies (after the
catalogue step, 40). Idempotent: rules already there are left as they are."""

from __future__ import annotations

from onedoor.demo.steps import demo_step

from .rules import load_benefit_rules


@demo_step(45, "待遇计算规则")
def load_demo_benefit_rules(options: dict) -> str:
    return load_benefit_rules(actor=None).summary()
