"""Privacy rules applied before anything a browser sent is stored: Do-Not-Track, Global Privacy
Control and IP anonymisation."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from django.conf import settings


def tracking_declined(*, headers: Mapping[str, str]) -> bool:
    """True when the browser asks not to be tracked: `DNT: 1` or `Sec-GPC: 1`. Such a visitor's
    events are not stored at all (the script also stops sending them)."""
    return headers.get("HTTP_DNT", "").strip() == "1" or headers.get("HTTP_SEC_GPC", "").strip() == "1"


def ip_anonymise(ip: str | None) -> str | None:
    """The address with its last octet (IPv4) or last 80 bits (IPv6) zeroed, or as given when
    `ANALYTICS_STORE_FULL_IP` is set; None for a missing or malformed address."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if settings.ANALYTICS_STORE_FULL_IP:
        return str(address)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
