"""Out-of-scope probes of the intake API: the 莲花镇 clerk against an application taken at the 五显镇
window (its tasks with the bureau). Reads answer 404 or leave the foreign rows out; moves answer 404
and change nothing."""

from __future__ import annotations

PROBES: list = []
