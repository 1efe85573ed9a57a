"""DNS lookups for the domain checks: dnspython, the configured resolvers, bounded time.

`ASSESSMENT_DNS_RESOLVERS` names the resolvers (`IP`, `IP:port`, `[IPv6]:port`; empty: the
system's), `ASSESSMENT_DNS_TIMEOUT_SECONDS` bounds each lookup in all. No answer cache: a re-scan
must see today's records. An empty answer (NXDOMAIN, no records of that type) is a fact; a lookup
that could not be answered (timeout, SERVFAIL, REFUSED) raises `DnsUnavailable`, which the checks
report as "could not check".
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver
import dns.rrset
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: EDNS buffer size (the DNS Flag Day 2020 value): larger answers come over TCP.
EDNS_PAYLOAD = 1232


class DnsUnavailable(Exception):
    """The question has no known answer: the resolvers timed out, failed or refused."""


def parse_resolver(entry: str) -> dns.nameserver.Do53Nameserver:
    """`IP`, `IP:port` or `[IPv6]:port` as a dnspython nameserver; ImproperlyConfigured otherwise."""
    text = entry.strip()
    port = 53
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ImproperlyConfigured(f"ASSESSMENT_DNS_RESOLVERS: cannot read {entry!r}.")
            port = _port(entry, rest[1:])
    elif text.count(":") == 1:
        address, _, port_text = text.partition(":")
        port = _port(entry, port_text)
    else:
        address = text
    try:
        ipaddress.ip_address(address)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"ASSESSMENT_DNS_RESOLVERS: {entry!r} is not an IP address (a resolver is named by its address)."
        ) from exc
    return dns.nameserver.Do53Nameserver(address, port)


def _port(entry: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ImproperlyConfigured(f"ASSESSMENT_DNS_RESOLVERS: {entry!r} has no valid port.")
    return int(text)


@dataclass(frozen=True)
class Answer:
    """One lookup's records (empty when there are none) and, for DNSSEC lookups, their
    signatures and whether the resolver vouched for them (the AD flag)."""

    rrset: dns.rrset.RRset | None
    rrsigs: dns.rrset.RRset | None = None
    authenticated: bool = False

    @property
    def records(self) -> list:
        return list(self.rrset) if self.rrset is not None else []


@dataclass(frozen=True)
class Lookup:
    """How to ask: which resolvers (None: the system's) and how long one question may take."""

    nameservers: tuple[dns.nameserver.Do53Nameserver, ...] | None
    timeout: float

    @classmethod
    def from_settings(cls) -> Lookup:
        entries = [e for e in settings.ASSESSMENT_DNS_RESOLVERS if e.strip()]
        nameservers = tuple(parse_resolver(e) for e in entries) or None
        return cls(nameservers=nameservers, timeout=float(settings.ASSESSMENT_DNS_TIMEOUT_SECONDS))

    def describe(self) -> str:
        if self.nameservers is None:
            return "system resolver"
        return ", ".join(f"{ns.address}:{ns.port}" for ns in self.nameservers)

    def _resolver(self, *, dnssec: bool) -> dns.resolver.Resolver:
        # One resolver per question: cheap, and no state is shared between threads.
        if self.nameservers is None:
            resolver = dns.resolver.Resolver(configure=True)
        else:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = list(self.nameservers)
        resolver.lifetime = self.timeout
        # Each try waits at most 2 s (dnspython's default), so a lost UDP packet is retried
        # within the lookup's time rather than using all of it.
        resolver.timeout = min(self.timeout, 2.0)
        resolver.cache = None
        if dnssec:
            # DO: send the signatures; AD: ask a validating resolver to say it validated (RFC 6840).
            resolver.use_edns(0, dns.flags.DO, EDNS_PAYLOAD)
            resolver.flags = dns.flags.RD | dns.flags.AD
        else:
            resolver.use_edns(0, 0, EDNS_PAYLOAD)
        return resolver

    def ask(self, name: str, rdtype: str, *, dnssec: bool = False) -> Answer:
        """The `rdtype` records of `name`; raises DnsUnavailable when nobody could answer."""
        question = f"{name} {rdtype}"
        try:
            answer = self._resolver(dnssec=dnssec).resolve(
                dns.name.from_text(name), rdtype, raise_on_no_answer=False, search=False
            )
        except dns.resolver.NXDOMAIN:
            return Answer(rrset=None)
        except dns.resolver.NoNameservers as exc:
            raise DnsUnavailable(f"{question}: the resolvers failed (SERVFAIL or REFUSED)") from exc
        except dns.exception.Timeout as exc:
            raise DnsUnavailable(f"{question}: no answer within {self.timeout:g} s") from exc
        except dns.exception.DNSException as exc:
            raise DnsUnavailable(f"{question}: {type(exc).__name__}: {exc}"[:300]) from exc
        rrsigs = None
        if dnssec and answer.rrset is not None:
            rrsigs = answer.response.get_rrset(
                answer.response.answer,
                answer.rrset.name,
                answer.rrset.rdclass,
                dns.rdatatype.RRSIG,
                answer.rrset.rdtype,
            )
        return Answer(
            rrset=answer.rrset,
            rrsigs=rrsigs,
            authenticated=bool(answer.response.flags & dns.flags.AD),
        )

    def txt(self, name: str) -> list[str]:
        """Each TXT record of `name` as one string (its character-strings joined, RFC 7208 §3.3)."""
        return [
            b"".join(record.strings).decode("utf-8", errors="replace")
            for record in self.ask(name, "TXT").records
        ]
