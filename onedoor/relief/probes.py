"""Out-of-scope probes of relief's routes, gathered from the parts that define them."""

from .probes_campaign_api import PROBES as CAMPAIGN_API_PROBES
from .probes_campaigns import PROBES as CAMPAIGN_PROBES
from .probes_field import PROBES as FIELD_PROBES
from .probes_stock import PROBES as STOCK_PROBES

PROBES = [*STOCK_PROBES, *CAMPAIGN_PROBES, *FIELD_PROBES, *CAMPAIGN_API_PROBES]
