"""TLS depth: which cipher-suite families the server accepts, forward secrecy, the ephemeral key
exchange's strength, the certificate chain it sends and whether it staples OCSP.

Network side only (every connection through the SSRF guard); `tls_rules` judges the facts.
Each family is one hand-built ClientHello (`tls_wire`) on its own connection; the probes and the
one full handshake (pyOpenSSL, for the peer chain and the OCSP staple, which Python 3.11's `ssl`
does not expose) run concurrently in `tls.inspect`, each bounded by the scan's timeout.
"""

from __future__ import annotations

import select
import time
from dataclasses import asdict, dataclass, field

import httpx
from cryptography import x509
from django.conf import settings
from OpenSSL import SSL

from . import tls_suites as suites
from . import tls_wire
from .guard import GuardPolicy, TargetRefused, check_url, connect
from .retriever import GuardedTransport, verifying_context
from .tls_chain import ChainFacts, OcspFacts, analyse_chain, describe_ocsp, trust_store

MAX_AIA_BYTES = 64 * 1024


@dataclass(frozen=True)
class Probe:
    version: int
    ciphers: list[int]
    #: ask for the ServerKeyExchange ("ECDHE"/"DHE") to measure the ephemeral group
    kex: str | None = None


#: family → the ClientHello that asks for it. EXPORT and single DES were removed from TLS 1.1/1.2,
#: so they are offered in a TLS 1.0 hello, where a server that still has them would pick them.
FAMILY_PROBES: dict[str, Probe] = {
    "NULL": Probe(tls_wire.TLS12, suites.NULL),
    "anonymous": Probe(tls_wire.TLS12, suites.ANONYMOUS),
    "EXPORT": Probe(tls_wire.TLS10, suites.EXPORT),
    "DES": Probe(tls_wire.TLS10, suites.DES),
    "RC4": Probe(tls_wire.TLS12, suites.RC4),
    "3DES": Probe(tls_wire.TLS12, suites.TRIPLE_DES),
    "CBC-SHA1": Probe(tls_wire.TLS12, suites.CBC_SHA1),
    "AEAD": Probe(tls_wire.TLS12, suites.AEAD),
    "no forward secrecy": Probe(tls_wire.TLS12, suites.NON_FORWARD_SECRET),
    "ECDHE": Probe(tls_wire.TLS12, suites.ECDHE, kex="ECDHE"),
    "DHE": Probe(tls_wire.TLS12, suites.DHE, kex="DHE"),
    #: suites without forward secrecy listed *first*: a server that still picks (EC)DHE prefers it
    "preference": Probe(tls_wire.TLS12, suites.NON_FORWARD_SECRET + suites.FORWARD_SECRET),
}
#: protocol versions up to TLS 1.2, each offered with every suite we know (TLS 1.3 goes through `ssl`)
PROTOCOL_PROBES: dict[str, Probe] = {
    name: Probe(version, suites.EVERYTHING) for version, name in tls_wire.VERSION_NAMES.items()
}


@dataclass
class TlsDepthFacts:
    #: family → IANA name of the suite the server picked, None when it refused every one offered.
    #: A family missing here could not be probed (network error).
    families: dict[str, str | None] = field(default_factory=dict)
    #: protocol version of each accepted family's handshake ("TLSv1.2"…)
    family_versions: dict[str, str] = field(default_factory=dict)
    #: ephemeral groups: ("X25519", 253), ("DH", 1024)…
    ecdhe_group: str | None = None
    ecdhe_bits: int | None = None
    dh_bits: int | None = None
    chain: ChainFacts | None = None
    ocsp: OcspFacts | None = None
    #: what a current client gets: "TLSv1.3 TLS_AES_256_GCM_SHA384"
    negotiated: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["chain"] = self.chain.to_json() if self.chain else None
        data["ocsp"] = self.ocsp.to_json() if self.ocsp else None
        return data

    @property
    def forward_secrecy(self) -> bool | None:
        """Some (EC)DHE suite is accepted in TLS 1.2 or older (TLS 1.3 is judged by the caller)."""
        if "ECDHE" not in self.families and "DHE" not in self.families:
            return None
        return bool(self.families.get("ECDHE") or self.families.get("DHE"))


def run_probe(host: str, port: int, probe: Probe, policy: GuardPolicy) -> tls_wire.ServerChoice:
    """One ClientHello on a fresh guarded connection. Raises OSError/TargetRefused if no connection."""
    timeout = settings.ASSESSMENT_TIMEOUT_SECONDS
    sock = connect(host, port, timeout, policy)
    try:
        return tls_wire.offer(
            sock,
            version=probe.version,
            ciphers=probe.ciphers,
            server_name=_sni(host),
            timeout=timeout,
            kex=probe.kex,
        )
    finally:
        sock.close()


def _sni(host: str) -> str | None:
    return None if host.replace(".", "").isdigit() or ":" in host else host


@dataclass
class PeerHandshake:
    chain: list[x509.Certificate]
    staple: bytes | None
    negotiated: str


def peer_handshake(host: str, port: int, policy: GuardPolicy) -> PeerHandshake:
    """A full handshake as a current client, keeping the certificates sent and the OCSP staple.

    Nothing is verified here (that is `tls.inspect`'s verifying handshake); the point is to see
    exactly what the server sends."""
    timeout = settings.ASSESSMENT_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    staple: list[bytes] = []

    def on_ocsp(_connection: SSL.Connection, data: bytes, _data: object) -> bool:
        staple.append(data)
        return True

    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    context.set_verify(SSL.VERIFY_NONE)
    # Any version and authenticated suite this OpenSSL still has, so a legacy-only server's chain is
    # read too; never anonymous ones, which a server may prefer and which come with no certificate.
    context.set_min_proto_version(SSL.TLS1_VERSION)
    context.set_cipher_list(b"ALL:!aNULL:!eNULL:@SECLEVEL=0")
    context.set_ocsp_client_callback(on_ocsp)
    sock = connect(host, port, timeout, policy)
    try:
        connection = SSL.Connection(context, sock)
        if name := _sni(host):
            connection.set_tlsext_host_name(name.encode("idna"))
        connection.request_ocsp()
        connection.set_connect_state()
        while True:
            try:
                connection.do_handshake()
                break
            except SSL.WantReadError:
                _wait(sock, deadline, read=True)
            except SSL.WantWriteError:
                _wait(sock, deadline, read=False)
        chain = connection.get_peer_cert_chain(as_cryptography=True) or []
        negotiated = f"{connection.get_protocol_version_name()} {connection.get_cipher_name()}"
        return PeerHandshake(chain=list(chain), staple=staple[0] if staple else None, negotiated=negotiated)
    except SSL.Error as exc:
        raise OSError(f"TLS handshake failed: {exc}") from exc
    finally:
        sock.close()


def _wait(sock, deadline: float, *, read: bool) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("TLS handshake timed out")
    ready = select.select([sock], [], [], remaining) if read else select.select([], [sock], [], remaining)
    if not any(ready):
        raise TimeoutError("TLS handshake timed out")


def aia_fetcher(policy: GuardPolicy):
    """Download an AIA "CA Issuers" URL the way the retriever fetches pages: guarded, capped, timed."""

    def fetch(url: str) -> bytes | None:
        try:
            check_url(url, policy)
            transport = GuardedTransport(ssl_context=verifying_context(), policy=policy)
            with (
                httpx.Client(
                    transport=transport,
                    timeout=settings.ASSESSMENT_TIMEOUT_SECONDS,
                    headers={"User-Agent": settings.ASSESSMENT_USER_AGENT},
                    follow_redirects=False,
                ) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code != 200:
                    return None
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_AIA_BYTES:
                        return None
                return body
        except (httpx.HTTPError, TargetRefused, OSError):
            return None

    return fetch


def judge_handshake(handshake: PeerHandshake, *, policy: GuardPolicy) -> tuple[ChainFacts, OcspFacts]:
    """Chain completeness and OCSP stapling from what one handshake delivered."""
    roots, cached = trust_store(settings.ASSESSMENT_CA_BUNDLE or None)
    chain = analyse_chain(handshake.chain, roots=roots, cached=cached, fetch=aia_fetcher(policy))
    ocsp = describe_ocsp(handshake.chain[0] if handshake.chain else None, handshake.staple)
    return chain, ocsp
