from onedoor.core.probes import Probe, Unscoped  # noqa: F401

PROBES: list = []
