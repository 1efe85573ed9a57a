"""TLS facts about the HTTPS site: which protocol versions it accepts and what its certificate says.

Network side only (like the retriever, through the SSRF guard); `extra.tls_findings` judges the
facts. Each protocol version is tried on its own connection; the certificate is read without
verification (so an expired or self-signed one can still be described) and then verified
separately against the trust store, recording the reason it fails.
"""

from __future__ import annotations

import ipaddress
import ssl
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from django.conf import settings

from .guard import GuardPolicy, TargetRefused, connect
from .retriever import verifying_context

PROTOCOLS = {
    "TLSv1.0": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


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

    def to_json(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "protocols": self.protocols,
            "certificate": self.certificate.to_json() if self.certificate else None,
            "verify_error": self.verify_error,
            "hostname_matches": self.hostname_matches,
            "error": self.error,
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


def inspect(host: str, port: int = 443, policy: GuardPolicy | None = None) -> TlsFacts:
    policy = policy or GuardPolicy.from_settings()
    facts = TlsFacts(host=host, port=port)
    try:
        with _handshake(
            host, port, _probe_context(ssl.TLSVersion.TLSv1_2) or verifying_context(), policy
        ) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, TargetRefused) as exc:
        der = None
        facts.error = f"{type(exc).__name__}: {exc}"[:300]
    if der is None:
        # Maybe TLS 1.3 only.
        context = _probe_context(ssl.TLSVersion.TLSv1_3)
        try:
            if context is None:
                raise OSError("TLS 1.3 is not available here")
            with _handshake(host, port, context, policy) as tls:
                der = tls.getpeercert(binary_form=True)
                facts.error = None
        except (OSError, TargetRefused):
            return facts
    if der:
        facts.certificate = describe_certificate(der)
        facts.hostname_matches = hostname_matches(host, facts.certificate.names)
    try:
        with _handshake(host, port, verifying_context(), policy):
            pass
    except ssl.SSLCertVerificationError as exc:
        facts.verify_error = (exc.verify_message or str(exc))[:300]
    except (OSError, TargetRefused) as exc:
        facts.verify_error = f"{type(exc).__name__}: {exc}"[:300]
    for label, version in PROTOCOLS.items():
        context = _probe_context(version)
        if context is None:
            facts.protocols[label] = None
            continue
        try:
            with _handshake(host, port, context, policy):
                facts.protocols[label] = True
        except ssl.SSLError:
            facts.protocols[label] = False
        except (OSError, TargetRefused):
            facts.protocols[label] = None
    return facts
