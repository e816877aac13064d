"""Out-of-scope probes of the payroll pages and API (imported by benefits/probes.py)."""

from __future__ import annotations

from onedoor.core.probes import Probe

PROBES: list = [
    Probe("benefits:run_list", expect="absent"),
]
