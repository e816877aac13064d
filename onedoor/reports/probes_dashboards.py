"""Out-of-scope probes (see probes.py)."""

PROBES: list = []
