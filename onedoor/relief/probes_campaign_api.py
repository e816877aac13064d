"""Out-of-scope probes of campaign routes (see probes.py)."""

PROBES: list = []
