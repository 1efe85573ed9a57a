"""Is the certificate chain the server *sends* enough to reach a trusted root? And is OCSP stapled?

Browsers paper over a missing intermediate (they download it from the leaf's AIA "CA Issuers" URL
or reuse one cached from another site), so a leaf-only server works in one browser and fails in
the next, in curl, in Java, in payment gateways. SSL Labs calls this "Chain issues: Incomplete"
and caps the grade at B. OpenSSL's verification cannot tell: with an intermediate in the local
store it succeeds, without one it fails as if the CA were unknown. So the chain is walked here by
hand, issuer by issuer, using only what the server sent plus the trust store's self-signed roots;
only when that fails are cached intermediates and AIA downloads tried, to tell "incomplete" (B)
from "untrusted" (F).
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

MAX_CHAIN = 8
MAX_AIA_DOWNLOADS = 3
#: hash algorithms browsers no longer accept in certificate signatures
WEAK_SIGNATURE_HASHES = {"md5", "sha1"}

#: downloads the bytes at an http(s) URL (through the SSRF guard), or None
Fetcher = Callable[[str], bytes | None]


@dataclass
class ChainFacts:
    #: subjects of the certificates the server sent, in its order (leaf first)
    presented: list[str] = field(default_factory=list)
    #: True: the sent certificates reach a trusted root; False: they do not (see completed_by);
    #: None: not determinable (self-signed leaf, or no chain at all)
    complete: bool | None = None
    #: when not complete but a trusted root is reachable: what was added ("the intermediate … from
    #: http://… (AIA)" / "… found in the local trust store")
    completed_by: list[str] = field(default_factory=list)
    #: the issuer nobody supplied, when the chain cannot reach a trusted root at all
    missing_issuer: str | None = None
    #: certificates (not roots) signed with MD5 or SHA-1: "CN=… (sha1)"
    weak_signatures: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class OcspFacts:
    #: the leaf names an OCSP responder (stapling is possible at all)
    responder: str | None = None
    stapled: bool | None = None
    #: "good", "revoked", "unknown", or "unusable: …" for a staple that is not a successful response
    status: str | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@functools.lru_cache(maxsize=4)
def _load_store(path: str, mtime: float) -> tuple[tuple[x509.Certificate, ...], tuple[x509.Certificate, ...]]:
    with open(path, "rb") as handle:
        certificates = x509.load_pem_x509_certificates(handle.read())
    roots = tuple(c for c in certificates if c.subject == c.issuer)
    intermediates = tuple(c for c in certificates if c.subject != c.issuer)
    return roots, intermediates


def trust_store(bundle: str | None) -> tuple[tuple[x509.Certificate, ...], tuple[x509.Certificate, ...]]:
    """(self-signed roots, other certificates) of the bundle the scanner verifies against."""
    path = bundle or ssl.get_default_verify_paths().cafile or ssl.get_default_verify_paths().openssl_cafile
    if not path or not os.path.exists(path):
        return (), ()
    try:
        return _load_store(path, os.path.getmtime(path))
    except (OSError, ValueError):
        return (), ()


def _issuer_of(cert: x509.Certificate, candidates: list[x509.Certificate] | tuple[x509.Certificate, ...]):
    for candidate in candidates:
        if candidate.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return candidate
    return None


def _ca_issuers_urls(cert: x509.Certificate) -> list[str]:
    return _aia(cert, AuthorityInformationAccessOID.CA_ISSUERS)


def _aia(cert: x509.Certificate, method: x509.ObjectIdentifier) -> list[str]:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [
        d.access_location.value
        for d in aia
        if d.access_method == method and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def _parse_downloaded(data: bytes) -> list[x509.Certificate]:
    for loader in (
        lambda b: [x509.load_der_x509_certificate(b)],
        x509.load_pem_x509_certificates,
        pkcs7.load_der_pkcs7_certificates,
        pkcs7.load_pem_pkcs7_certificates,
    ):
        try:
            return list(loader(data))
        except (ValueError, TypeError):
            continue
    return []


def _hash_name(cert: x509.Certificate) -> str | None:
    algorithm = cert.signature_hash_algorithm
    return algorithm.name if isinstance(algorithm, hashes.HashAlgorithm) else None


def analyse_chain(
    presented: list[x509.Certificate],
    *,
    roots: tuple[x509.Certificate, ...],
    cached: tuple[x509.Certificate, ...] = (),
    fetch: Fetcher | None = None,
) -> ChainFacts:
    """Walk leaf → root through what the server sent; say what (if anything) had to be added."""
    facts = ChainFacts(presented=[c.subject.rfc4514_string()[:200] for c in presented[:MAX_CHAIN]])
    if not presented:
        return facts
    leaf = presented[0]
    facts.weak_signatures = [
        f"{c.subject.rfc4514_string()[:200]} ({name})"
        for c in presented[:MAX_CHAIN]
        if c.subject != c.issuer and (name := _hash_name(c)) in WEAK_SIGNATURE_HASHES
    ]
    if leaf.subject == leaf.issuer:
        return facts  # self-signed: there is no chain to complete (its own finding says so)
    sent = list(presented[1:MAX_CHAIN])
    extra: list[x509.Certificate] = []
    downloads = 0
    current = leaf
    for _ in range(MAX_CHAIN):
        if _issuer_of(current, roots) is not None:
            facts.complete = not facts.completed_by
            return facts
        issuer = _issuer_of(current, sent) or _issuer_of(current, extra)
        if issuer is None and (issuer := _issuer_of(current, cached)) is not None:
            facts.completed_by.append(
                f"{issuer.subject.rfc4514_string()[:200]}, found in the local trust store"
            )
        if issuer is None and fetch is not None:
            for url in _ca_issuers_urls(current)[:2]:
                if downloads >= MAX_AIA_DOWNLOADS:
                    break
                downloads += 1
                extra += _parse_downloaded(fetch(url) or b"")
                if (issuer := _issuer_of(current, extra)) is not None:
                    facts.completed_by.append(
                        f"{issuer.subject.rfc4514_string()[:200]}, downloaded from {url[:200]} (AIA)"
                    )
                    break
        if issuer is None:
            facts.complete = False
            facts.missing_issuer = current.issuer.rfc4514_string()[:200]
            facts.completed_by = []
            return facts
        if issuer.subject == issuer.issuer:  # a self-signed issuer that is not a trusted root
            facts.complete = False
            facts.missing_issuer = issuer.subject.rfc4514_string()[:200]
            facts.completed_by = []
            return facts
        current = issuer
    return facts


def describe_ocsp(leaf: x509.Certificate | None, staple: bytes | None) -> OcspFacts:
    """What the stapled OCSP response (if any) says about the leaf."""
    if leaf is None:
        return OcspFacts()
    responders = _aia(leaf, AuthorityInformationAccessOID.OCSP)
    facts = OcspFacts(responder=responders[0][:200] if responders else None)
    if not staple:
        facts.stapled = False if responders else None
        return facts
    facts.stapled = True
    try:
        response = ocsp.load_der_ocsp_response(staple)
    except ValueError as exc:
        facts.status = f"unusable: {exc}"[:200]
        return facts
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        facts.status = f"unusable: {response.response_status.name.lower()}"
        return facts
    if response.serial_number != leaf.serial_number:
        facts.status = "unusable: the response is for another certificate"
        return facts
    facts.status = response.certificate_status.name.lower()
    return facts
