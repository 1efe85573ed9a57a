"""Company IP ranges, imported so that anonymous visits can be attributed to a company."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from ..models import IpRange
from ..selectors import ip_range_key
from .cross_app import company_for_domain_get_or_create


@dataclass(frozen=True)
class IpRangeImportResult:
    created: int
    updated: int
    errors: list[str]


def _hex_bounds(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> tuple[str, str]:
    return ip_range_key(int(network.network_address)), ip_range_key(int(network.broadcast_address))


@transaction.atomic
def ip_ranges_import(*, rows: Iterable[tuple[str, str]]) -> IpRangeImportResult:
    """Import (CIDR, company domain) pairs. A known network is re-pointed; an unknown domain
    creates the company as lead intake would. Bad rows are reported by line, good ones kept.

    Ranges match against anonymised addresses too, so networks narrower than /24 (IPv4) or /48
    (IPv6) only match while `ANALYTICS_STORE_FULL_IP` is on; they are accepted but reported."""
    created = updated = 0
    errors: list[str] = []
    for line, (cidr, domain) in enumerate(rows, start=1):
        cidr, domain = cidr.strip(), domain.strip().lower()
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(f"Line {line}: {cidr!r} is not a CIDR network like 192.0.2.0/24.")
            continue
        if not domain or "." not in domain or len(domain) > 253 or " " in domain:
            errors.append(f"Line {line}: {domain!r} is not a company domain like example.com.")
            continue
        company = company_for_domain_get_or_create(domain=domain)
        start, end = _hex_bounds(network)
        _, was_created = IpRange.objects.update_or_create(
            network=str(network),
            defaults={"version": network.version, "start": start, "end": end, "company": company},
        )
        created += was_created
        updated += not was_created
    return IpRangeImportResult(created=created, updated=updated, errors=errors)
