"""State changes of the analytics domain, one module per sub-domain.

- `websites`: the sites that embed our script, their origins and publishable keys;
- `privacy`: Do-Not-Track / Global Privacy Control and IP anonymisation;
- `ip_ranges`: company IP ranges, for attributing anonymous visits;
- `events`: the tracker's event batches and each visitor's first touch;
- `stitching`: identity stitching, an anonymous browser turning out to be a lead;
- `rollups`: the daily metrics, visiting companies and top pages;
- `retention` and `erasure`: purging old events, forgetting a person;
- `cross_app`: every call into another domain app, one function per flow step.

The public names are re-exported here, so `from analytics.services import x` keeps working.
"""

from ..selectors import company_for_ip  # a read, kept importable here for existing callers
from .erasure import person_forget
from .events import UTM_KEYS, EventInput, event_batch_record
from .ip_ranges import IpRangeImportResult, ip_ranges_import
from .privacy import ip_anonymise, tracking_declined
from .retention import PurgeResult, events_purge
from .rollups import rollup_day
from .stitching import visitor_identify
from .websites import PUBLISHABLE_KEY_PREFIX, normalise_origin, website_create, website_update

__all__ = [
    "PUBLISHABLE_KEY_PREFIX",
    "UTM_KEYS",
    "EventInput",
    "IpRangeImportResult",
    "PurgeResult",
    "company_for_ip",
    "event_batch_record",
    "events_purge",
    "ip_anonymise",
    "ip_ranges_import",
    "normalise_origin",
    "person_forget",
    "rollup_day",
    "tracking_declined",
    "visitor_identify",
    "website_create",
    "website_update",
]
