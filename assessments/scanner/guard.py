"""SSRF guard: the scanner may only talk to public internet addresses on web ports.

A target is someone else's name for a machine; a name can resolve to our own loopback, the
cloud metadata service or an office network. So every host is resolved here and *every*
address it resolves to is checked, on the first request and again on each redirect hop, and
connections are made to the checked address itself (never re-resolved), so a DNS answer that
changes between check and connect (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The scanner will not contact this URL or address (and says why)."""


@dataclass(frozen=True)
class GuardPolicy:
    """What the scanner may contact. Private targets are for the test suite's local servers only."""

    allow_private: bool = False
    allowed_ports: frozenset[int] = frozenset({80, 443})
    #: Addresses allowed although not public. Never set from configuration: only tests build
    #: such a policy, to let one local server in and see a redirect onwards refused.
    exempt_addresses: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls) -> GuardPolicy:
        return cls(
            allow_private=settings.ASSESSMENT_ALLOW_PRIVATE_TARGETS,
            allowed_ports=frozenset(settings.ASSESSMENT_ALLOWED_PORTS),
        )


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast internet address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            reason = address_refusal(mapped)
            return f"embeds {mapped}, which {reason}" if reason else None
        if address.teredo is not None:
            return "is a Teredo tunnel address"
    if address.is_loopback:
        return "is a loopback address"
    if address.is_link_local:
        return "is link-local (cloud metadata services live here)"
    if address.is_private:
        return "is a private-network address"
    if address.is_multicast:
        return "is a multicast address"
    if address.is_unspecified or address.is_reserved:
        return "is a reserved address"
    if not address.is_global:
        return "is not a public internet address"
    return None


def check_url(url: str, policy: GuardPolicy) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL the scanner may fetch; raises TargetRefused otherwise.

    Checks the URL's form only; `resolve` checks where its host points."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise TargetRefused(f"Only http and https URLs are scanned, not {scheme or 'a relative URL'!r}.")
    if parts.username or parts.password:
        raise TargetRefused("URLs with a user name or password are not scanned.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise TargetRefused("The URL has no host name.")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise TargetRefused("The URL's port is not a number between 0 and 65535.") from exc
    if not policy.allow_private and port not in policy.allowed_ports:
        raise TargetRefused(f"Port {port} is not a web port the scanner uses.")
    return scheme, host, port


def resolve(host: str, port: int, policy: GuardPolicy) -> list[str]:
    """The addresses `host` resolves to, all of them public; raises TargetRefused otherwise.

    One private address among public ones refuses the host: which one a connection would use
    is not ours to choose."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise TargetRefused(f"The host name {host!r} does not resolve.") from exc
        addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not addresses:
        raise TargetRefused(f"The host name {host!r} does not resolve.")
    if not policy.allow_private:
        for address in addresses:
            if address in policy.exempt_addresses:
                continue
            reason = address_refusal(ipaddress.ip_address(address))
            if reason:
                raise TargetRefused(f"{host} resolves to {address}, which {reason}.")
    return addresses


def connect(host: str, port: int, timeout: float, policy: GuardPolicy) -> socket.socket:
    """A TCP connection to a checked address of `host` (tries each in turn)."""
    last_error: OSError | None = None
    for address in resolve(host, port, policy):
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            last_error = exc
    raise last_error or OSError(f"Could not connect to {host}:{port}")
