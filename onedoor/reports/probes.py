"""Out-of-scope probes of the reports' routes, gathered from the parts that define them."""

from .probes_annual import PROBES as ANNUAL_PROBES
from .probes_dashboards import PROBES as DASHBOARD_PROBES

PROBES = [*ANNUAL_PROBES, *DASHBOARD_PROBES]
