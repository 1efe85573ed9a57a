"""A local authoritative DNS server for the scanner's DNS and e-mail tests (dnslib, loopback).

`DnsZone` holds the records (zone-file text per name, built and signed with dnspython); the
server answers them over UDP and TCP on one free port of 127.0.0.1, truncating large UDP answers
so the client retries over TCP, as a real server does. Names can be made to fail (SERVFAIL) or
to go unanswered (a timeout). `ad` sets the AD flag, as a validating resolver would.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography.hazmat.primitives.asymmetric import ec
from dnslib import DNSError
from dnslib.server import DNSServer


class _Quiet:
    """dnslib's logger, silenced."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


class _Wire:
    """A reply dnslib sends as it is (built by dnspython, so signatures stay byte-exact)."""

    def __init__(self, wire: bytes) -> None:
        self.wire = wire

    def pack(self) -> bytes:
        return self.wire


@dataclass
class DnsZone:
    records: dict[tuple[str, str], dns.rrset.RRset] = field(default_factory=dict)
    servfail: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)
    ad: bool = False
    queries: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, name: str, rdtype: str, *values: str, ttl: int = 300) -> dns.rrset.RRset:
        name = _absolute(name)
        rrset = self.records.get((name, rdtype)) or dns.rrset.RRset(
            dns.name.from_text(name), dns.rdataclass.IN, dns.rdatatype.from_text(rdtype)
        )
        for value in values:
            rrset.add(dns.rdata.from_text(dns.rdataclass.IN, rdtype, value), ttl)
        self.records[(name, rdtype)] = rrset
        return rrset

    def txt(self, name: str, *texts: str) -> None:
        """TXT records; long texts are split into 255-byte character-strings, as DNS requires."""
        self.add(
            name, "TXT", *(" ".join(f'"{t[i : i + 255]}"' for i in range(0, len(t), 255)) for t in texts)
        )

    def names(self) -> set[str]:
        return {name for name, _ in self.records}

    def sign(
        self, domain: str, *, publish_ds: bool = True, wrong_ds: bool = False, expired: bool = False
    ) -> None:
        """Sign `domain`'s DNSKEY and SOA with a fresh ECDSA P-256 key (KSK and ZSK in one) and
        publish its DS (or a DS of another key: a broken chain)."""
        name = dns.name.from_text(_absolute(domain))
        key = ec.generate_private_key(ec.SECP256R1())
        dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
        self.add(domain, "DNSKEY", dnskey.to_text())
        now = dt.datetime.now(dt.UTC)
        inception, expiration = (
            (now - dt.timedelta(days=30), now - dt.timedelta(days=1))
            if expired
            else (now - dt.timedelta(hours=1), now + dt.timedelta(days=14))
        )
        for rdtype in ("DNSKEY", "SOA"):
            rrset = self.records[(_absolute(domain), rdtype)]
            rrsig = dns.dnssec.sign(rrset, key, name, dnskey, inception=inception, expiration=expiration)
            self.records[(_absolute(domain), f"RRSIG:{rdtype}")] = dns.rrset.from_rdata(name, 300, rrsig)
        if publish_ds:
            ds_key = dnskey
            if wrong_ds:
                other = ec.generate_private_key(ec.SECP256R1())
                ds_key = dns.dnssec.make_dnskey(
                    other.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257
                )
            self.add(domain, "DS", dns.dnssec.make_ds(name, ds_key, "SHA256").to_text())

    # --- Answering -------------------------------------------------------------------------------

    def answer(self, request: bytes, protocol: str) -> bytes:
        query = dns.message.from_wire(request)
        question = query.question[0]
        name = question.name.to_text().lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((protocol, name, rdtype))
        if name in self.silent:
            raise DNSError("told to stay silent")  # dnslib drops the query: the client times out
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if name in self.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        rrset = self.records.get((name, rdtype))
        if rrset is not None:
            response.answer.append(rrset)
            signature = self.records.get((name, f"RRSIG:{rdtype}"))
            if signature is not None and query.ednsflags & dns.flags.DO:
                response.answer.append(signature)
        elif not any(n == name or n.endswith("." + name) for n in self.names()):
            response.set_rcode(dns.rcode.NXDOMAIN)
        if self.ad:
            response.flags |= dns.flags.AD
        wire = response.to_wire(max_size=65535)
        limit = max(query.payload, 512) if query.edns >= 0 else 512
        if protocol == "udp" and len(wire) > limit:
            response.answer.clear()
            response.flags |= dns.flags.TC
            wire = response.to_wire()
        return wire


def _absolute(name: str) -> str:
    return name.lower().rstrip(".") + "."


class _Resolver:
    def __init__(self, zone: DnsZone) -> None:
        self.zone = zone

    def resolve(self, request, handler) -> _Wire:
        return _Wire(self.zone.answer(bytes(request.pack()), handler.protocol))


@contextmanager
def dns_server(zone: DnsZone) -> Iterator[int]:
    """Serve `zone` on 127.0.0.1 over UDP and TCP on one free port; yields the port."""
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            udp = DNSServer(_Resolver(zone), address="127.0.0.1", port=port, logger=_Quiet())
            tcp = DNSServer(_Resolver(zone), address="127.0.0.1", port=port, tcp=True, logger=_Quiet())
        except OSError:
            continue
        break
    else:  # pragma: no cover
        raise RuntimeError("no free port for the test DNS server")
    for server in (udp, tcp):  # a short poll interval: stopping takes milliseconds, not 0.5 s
        threading.Thread(
            target=server.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
    try:
        yield port
    finally:
        for server in (udp, tcp):
            server.stop()
            server.server.server_close()


def served_getaddrinfo(zone: DnsZone, port: int, suffixes: tuple[str, ...]):
    """A `socket.getaddrinfo` that looks up names under `suffixes` in the test DNS server (A
    records, through dnspython) and leaves every other name to the system: the scanner's HTTP
    side then reaches the test domain's hosts exactly where its DNS says they are."""
    import dns.resolver

    real = socket.getaddrinfo

    def getaddrinfo(host, port_, *args, **kwargs):
        name = host.lower().rstrip(".") if isinstance(host, str) else ""
        if not any(name == s or name.endswith("." + s) for s in suffixes):
            return real(host, port_, *args, **kwargs)
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", port)]
        resolver.lifetime = 2
        try:
            answer = resolver.resolve(name + ".", "A")
        except dns.exception.DNSException as exc:
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: {type(exc).__name__}") from exc
        infos = []
        for record in answer:
            infos += real(record.address, port_, *args, **kwargs)
        return infos

    return getaddrinfo
