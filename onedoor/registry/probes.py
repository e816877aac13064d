"""Out-of-scope probes of the registry's routes, gathered from the parts that define them."""

from .probes_api import PROBES as API_PROBES
from .probes_import import PROBES as IMPORT_PROBES
from .probes_pages import PROBES as PAGE_PROBES

PROBES = [*PAGE_PROBES, *API_PROBES, *IMPORT_PROBES]
