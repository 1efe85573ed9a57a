"""TLS facts about the HTTPS site: protocol versions, certificate, and (via `tls_depth`) cipher
suites, forward secrecy, chain and OCSP stapling.

Network side only (like the retriever, through the SSRF guard); `extra.tls_findings` and
`tls_rules` judge the facts. Each protocol version and cipher family is tried on its own
connection, all at once; the certificate is read without verification (so an expired or
self-signed one can still be described) and then verified separately against the trust store,
recording the reason it fails.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from django.conf import settings

from . import tls_depth, tls_suites, tls_wire
from .guard import GuardPolicy, TargetRefused, connect
from .retriever import verifying_context


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    names: list[str]
    self_signed: bool
    key_type: str
    key_bits: int

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["not_before"] = self.not_before.isoformat()
        data["not_after"] = self.not_after.isoformat()
        return data


@dataclass
class TlsFacts:
    host: str
    port: int
    #: version → True (accepted), False (refused), None (this machine cannot test it)
    protocols: dict[str, bool | None] = field(default_factory=dict)
    certificate: CertificateFacts | None = None
    verify_error: str | None = None  # None: trusted chain and matching host name
    hostname_matches: bool | None = None
    error: str | None = None  # HTTPS could not be reached at all
    #: cipher suites, forward secrecy, key exchange, chain and OCSP (None: no handshake)
    depth: tls_depth.TlsDepthFacts | None = None
    elapsed_ms: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "protocols": self.protocols,
            "certificate": self.certificate.to_json() if self.certificate else None,
            "verify_error": self.verify_error,
            "hostname_matches": self.hostname_matches,
            "error": self.error,
            "depth": self.depth.to_json() if self.depth else None,
            "elapsed_ms": self.elapsed_ms,
        }


def _handshake(host: str, port: int, context: ssl.SSLContext, policy: GuardPolicy) -> ssl.SSLSocket:
    timeout = settings.ASSESSMENT_TIMEOUT_SECONDS
    raw = connect(host, port, timeout, policy)
    try:
        return context.wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise


def _probe_context(version: ssl.TLSVersion) -> ssl.SSLContext | None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            # Offering TLS 1.0/1.1 is deprecated; probing whether a server still accepts them is the point.
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = version
            context.maximum_version = version
        if version < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        return None
    return context


def describe_certificate(der: bytes) -> CertificateFacts:
    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits = "EC", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, bits = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, bits = "Ed448", 456
    else:  # pragma: no cover - other key types are not used for web certificates
        key_type, bits = type(key).__name__, 0
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [
            *san.get_values_for_type(x509.DNSName),
            *(str(ip) for ip in san.get_values_for_type(x509.IPAddress)),
        ]
    except x509.ExtensionNotFound:
        names = [
            a.value
            for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
            if isinstance(a.value, str)
        ]
    return CertificateFacts(
        subject=cert.subject.rfc4514_string()[:300],
        issuer=cert.issuer.rfc4514_string()[:300],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        names=names,  # every name: CDN certificates carry hundreds, and any may be the host
        self_signed=cert.issuer == cert.subject,
        key_type=key_type,
        key_bits=bits,
    )


def hostname_matches(host: str, names: list[str]) -> bool:
    """RFC 6125 matching: exact, or one wildcard as the whole left-most label."""
    host = host.lower().rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    for name in names:
        name = name.lower().rstrip(".")
        if ip is not None:
            try:
                if ipaddress.ip_address(name) == ip:
                    return True
            except ValueError:
                continue
        elif name == host or (name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]):
            return True
    return False


def _verification_context() -> ssl.SSLContext:
    """Certificate and host name checks as strict as the retriever's, but any protocol version and
    OpenSSL's DEFAULT suites: a server that only speaks static RSA or TLS 1.0 must not look
    "untrusted" because the handshake failed (its suites and versions have their own findings)."""
    context = verifying_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("DEFAULT")
    return context


def _verify(host: str, port: int, policy: GuardPolicy) -> str | None:
    """Why the certificate fails verification against the trust store (None: it passes, or the
    handshake failed for a reason that is not the certificate's)."""
    try:
        with _handshake(host, port, _verification_context(), policy):
            return None
    except ssl.SSLCertVerificationError as exc:
        return (exc.verify_message or str(exc))[:300]
    except ssl.SSLError:
        return None
    except (OSError, TargetRefused) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]


def _accepts_tls13(host: str, port: int, policy: GuardPolicy) -> bool | None:
    context = _probe_context(ssl.TLSVersion.TLSv1_3)
    if context is None:
        return None
    try:
        with _handshake(host, port, context, policy):
            return True
    except ssl.SSLError:
        return False
    except (OSError, TargetRefused):
        return None


def inspect(host: str, port: int = 443, policy: GuardPolicy | None = None) -> TlsFacts:
    """Every TLS fact about host:port. All handshakes run at once (each bounded by the scan timeout),
    so the whole inspection takes about as long as the slowest single handshake."""
    policy = policy or GuardPolicy.from_settings()
    started = time.monotonic()
    facts = TlsFacts(host=host, port=port)
    depth = tls_depth.TlsDepthFacts()
    pool = ThreadPoolExecutor(max_workers=settings.ASSESSMENT_TLS_CONCURRENCY, thread_name_prefix="tls-probe")
    try:
        peer = pool.submit(tls_depth.peer_handshake, host, port, policy)
        verify = pool.submit(_verify, host, port, policy)
        tls13 = pool.submit(_accepts_tls13, host, port, policy)
        protocols = {
            label: pool.submit(tls_depth.run_probe, host, port, probe, policy)
            for label, probe in tls_depth.PROTOCOL_PROBES.items()
        }
        families = {
            family: pool.submit(tls_depth.run_probe, host, port, probe, policy)
            for family, probe in tls_depth.FAMILY_PROBES.items()
        }
        try:
            handshake = peer.result()
        except (OSError, TargetRefused) as exc:
            facts.error = f"{type(exc).__name__}: {exc}"[:300]
            return facts
        if handshake.chain:
            leaf = handshake.chain[0]
            facts.certificate = describe_certificate(leaf.public_bytes(serialization.Encoding.DER))
            facts.hostname_matches = hostname_matches(host, facts.certificate.names)
        depth.negotiated = handshake.negotiated
        depth.chain, depth.ocsp = tls_depth.judge_handshake(handshake, policy=policy)
        facts.verify_error = verify.result()
        for label, future in protocols.items():
            try:
                choice = future.result()
            except (OSError, TargetRefused):
                facts.protocols[label] = None
                continue
            facts.protocols[label] = (
                choice.accepted and tls_wire.VERSION_NAMES.get(choice.version or 0) == label
            )
        facts.protocols["TLSv1.3"] = tls13.result()
        for family, future in families.items():
            try:
                choice = future.result()
            except (OSError, TargetRefused) as exc:
                depth.errors[family] = f"{type(exc).__name__}: {exc}"[:200]
                continue
            depth.families[family] = tls_suites.name(choice.cipher) if choice.cipher is not None else None
            if choice.accepted:
                depth.family_versions[family] = tls_wire.VERSION_NAMES.get(choice.version or 0, "?")
            if family == "ECDHE" and choice.kex_group:
                depth.ecdhe_group, depth.ecdhe_bits = choice.kex_group, choice.kex_bits
            if family == "DHE" and choice.kex_bits:
                depth.dh_bits = choice.kex_bits
        facts.depth = depth
        return facts
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        facts.elapsed_ms = round((time.monotonic() - started) * 1000)
