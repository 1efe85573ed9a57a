"""The one answer to "which address is this client?", for HTTP requests and websocket scopes.

Every per-IP decision uses it: the API throttles, the wrong-API-key counter, django-axes'
admin lockout (AXES_CLIENT_IP_CALLABLE), the analytics IP and the chat sockets. A client can write
any forwarding header it likes (X-Forwarded-For, X-Real-IP, Forwarded), so none is trusted
unless `NUM_PROXIES` says how many reverse proxies stand in front of daphne:

- `NUM_PROXIES = 0` (default): the address of the TCP peer, nothing the client sent.
- `NUM_PROXIES = N`: each proxy appends the address it received the request from to
  X-Forwarded-For (nginx: `$proxy_add_x_forwarded_for`), so the Nth entry from the right was
  written by our outermost proxy and is the client; entries left of it are the client's own.

daphne must then run *without* `--proxy-headers`, which would replace the peer address with the
header's leftmost (client-written) entry before this code sees it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def resolve_client_ip(*, peer: str, forwarded_for: str, num_proxies: int) -> str:
    """The client's address from the TCP peer and the X-Forwarded-For header(s), trusting the
    rightmost `num_proxies` hops. A header with fewer entries than proxies gives its leftmost
    entry (the request passed fewer proxies than configured); an entry that is not an IP
    address gives the peer."""
    if num_proxies <= 0:
        return peer
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if not entries:
        return peer
    return _valid(entries[-min(num_proxies, len(entries))]) or peer


def _num_proxies() -> int:
    return max(0, int(settings.NUM_PROXIES or 0))


def client_ip(request: HttpRequest) -> str:
    """The client address of an HTTP request (Django's or DRF's request)."""
    meta = request.META
    return resolve_client_ip(
        peer=meta.get("REMOTE_ADDR", "") or "",
        forwarded_for=meta.get("HTTP_X_FORWARDED_FOR", "") or "",
        num_proxies=_num_proxies(),
    )


def scope_client_ip(scope: dict[str, Any]) -> str:
    """The client address of an ASGI scope (a websocket), by the same rule."""
    client = scope.get("client") or ("", 0)
    return resolve_client_ip(
        peer=str(client[0] or ""),
        forwarded_for=_joined_header(scope.get("headers", []), b"x-forwarded-for"),
        num_proxies=_num_proxies(),
    )


def _joined_header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str:
    """Repeated headers are one comma-separated list (RFC 9110), as Django joins them in META."""
    return ",".join(value.decode("latin-1") for key, value in headers if key.lower() == name)
