"""SSRF guard: the scanner may only talk to public internet addresses on web ports.

A target is someone else's name for a machine; a name can resolve to our own loopback, the
cloud metadata service or an office network. So every host is resolved here and *every*
address it resolves to is checked, on the first request and again on each redirect hop, and
connections are made to the checked address itself (never re-resolved), so a DNS answer that
changes between check and connect (rebinding) cannot slip through.

A host is first read the way the resolver will read it (`canonical_host`): `0177.0.0.1`,
`0x7f.1`, `127.1` and `2130706433` are all 127.0.0.1 to `inet_aton` and to browsers, and
`１２７。０。０。１` (full-width digits, ideographic dots) is 127.0.0.1 after IDNA mapping. Intake
(`assessments.services.target_normalise`) and the scan (`check_url`, `resolve`) use that one
function, so a target refused at scan time is refused at intake already, with the same reason.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import idna
from django.conf import settings

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Names that never lead to a public website: `localhost` and its subdomains (RFC 6761 says
#: they resolve to loopback), and the suffixes reserved for local networks (mDNS `.local`,
#: RFC 8375 `home.arpa`, the `.internal` TLD ICANN reserved for private use) and `localdomain`.
LOCAL_NAMES = ("localhost", "localdomain", "local", "internal", "home.arpa")

#: NAT64's well-known prefix (RFC 6052): 64:ff9b::a.b.c.d reaches the IPv4 address a.b.c.d.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


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


@dataclass(frozen=True)
class CanonicalHost:
    """A host as the resolver will see it: `name` is the lower-case ASCII (IDNA) name or the
    address in its standard spelling, and `address` the IP address when the host is one."""

    name: str
    address: IPAddress | None = None


def canonical_host(host: str) -> CanonicalHost:
    """Read `host` (from a URL, without port) the way the resolver and browsers will; raises
    TargetRefused for a host that is no valid name or address.

    - IPv6 literals (with or without brackets, a `%25zone` or not) are parsed as IPv6.
    - Everything else is mapped with IDNA/UTS-46 first (full-width digits and letters, upper
      case, the ideographic full stop 。 and its kin become ASCII), and trailing dots go.
    - A name whose last label is a number (`127.1`, `0x7f.0.0.1`, `2130706433`, `0`) is an IPv4
      address with `inet_aton` semantics — 1 to 4 parts, each decimal, octal (leading 0) or hex
      (0x) — as the WHATWG URL standard also reads it; one that is not a valid address is
      refused rather than looked up in DNS.
    """
    raw = unquote(host.strip())
    if raw.startswith("[") or ":" in raw:
        try:
            address = ipaddress.IPv6Address(raw.strip("[]"))
        except ValueError as exc:
            raise TargetRefused(f"{_shown(host)} is not a valid IPv6 address.") from exc
        return CanonicalHost(name=str(address), address=address)
    try:
        mapped = idna.uts46_remap(raw, std3_rules=True, transitional=False).rstrip(".")
    except (idna.IDNAError, UnicodeError) as exc:
        raise TargetRefused(f"{_shown(host)} is not a valid host name.") from exc
    if not mapped:
        raise TargetRefused("The URL has no host name.")
    labels = mapped.split(".")
    if _is_number(labels[-1]):
        address = _inet_aton(labels)
        if address is None:
            raise TargetRefused(f"{_shown(host)} is not a valid IPv4 address.")
        return CanonicalHost(name=str(address), address=address)
    try:
        name = idna.encode(mapped, uts46=False, std3_rules=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise TargetRefused(f"{_shown(host)} is not a valid host name.") from exc
    return CanonicalHost(name=name)


def _shown(host: str) -> str:
    return repr(host[:100])


def _is_number(label: str) -> bool:
    """Whether a label reads as a number (decimal digits, or 0x and hex digits), as WHATWG's
    "ends in a number" check: such a host is an IPv4 address or nothing."""
    if label[:2].lower() == "0x":
        return all(char in "0123456789abcdefABCDEF" for char in label[2:])
    return label.isascii() and label.isdigit()


def _inet_aton(labels: list[str]) -> ipaddress.IPv4Address | None:
    """The IPv4 address `inet_aton` makes of these dot-separated parts, or None."""
    if not 1 <= len(labels) <= 4:
        return None
    values = []
    for label in labels:
        if label[:2].lower() == "0x":
            digits, base = label[2:] or "0", 16
        elif len(label) > 1 and label.startswith("0"):
            digits, base = label[1:], 8
        else:
            digits, base = label, 10
        if not digits.isascii() or not digits.isalnum():
            return None
        try:
            values.append(int(digits, base))
        except ValueError:
            return None
    *leading, last = values
    if any(value > 255 for value in leading) or last >= 256 ** (5 - len(values)):
        return None
    number = last
    for position, value in enumerate(leading):
        number += value << (8 * (3 - position))
    return ipaddress.IPv4Address(number)


def host_refusal(host: CanonicalHost) -> str | None:
    """Why the scanner will not visit `host` whatever it resolves to, or None."""
    if host.address is not None:
        return address_refusal(host.address)
    if any(host.name == suffix or host.name.endswith(f".{suffix}") for suffix in LOCAL_NAMES):
        return "is a local name, not a public website"
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast internet address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is None and address in NAT64_PREFIX:
            mapped = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
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
    """(scheme, canonical host, port) of a URL the scanner may fetch; raises TargetRefused otherwise.

    Checks the URL's form and a host that is an address or a local name; `resolve` checks
    where a host name points."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed "[", or characters NFKC turns into "/" or "@"
        raise TargetRefused(f"That is not a valid URL: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise TargetRefused(f"Only http and https URLs are scanned, not {scheme or 'a relative URL'!r}.")
    if parts.username or parts.password:
        raise TargetRefused("URLs with a user name or password are not scanned.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host name.")
    host = canonical_host(parts.hostname)
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise TargetRefused("The URL's port is not a number between 0 and 65535.") from exc
    if not policy.allow_private and port not in policy.allowed_ports:
        raise TargetRefused(f"Port {port} is not a web port the scanner uses.")
    exempt = policy.allow_private or host.name in policy.exempt_addresses
    if not exempt and (reason := host_refusal(host)):
        raise TargetRefused(f"{host.name} {reason}; only public websites are assessed.")
    return scheme, host.name, port


def resolve(host: str, port: int, policy: GuardPolicy) -> list[str]:
    """The addresses `host` resolves to, all of them public; raises TargetRefused otherwise.

    One private address among public ones refuses the host: which one a connection would use
    is not ours to choose."""
    canonical = canonical_host(host)
    host = canonical.name
    if canonical.address is not None:
        addresses = [str(canonical.address)]
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
