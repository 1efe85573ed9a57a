"""Checks beyond the Observatory, each a pure function of what was retrieved.

TLS and certificate facts (SSL Labs-style: trust problems cap the grade at F, deprecated
protocols or short keys at B; cipher suites, forward secrecy, chain and OCSP in `tls_rules`), information-leaking headers, Permissions-Policy, mixed content
and forms that post over HTTP. Each returns (check id, evidence) pairs; `catalogue` has the words.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from . import tls_rules
from .retriever import Retrieval
from .tls import TlsFacts

Hit = tuple[str, str]
EXPIRY_WARNING = timedelta(days=30)
MIN_KEY_BITS = {"RSA": 2048, "DSA": 2048, "EC": 256}
VERSION_IN_SERVER = re.compile(r"\d+(\.\d+)+|\d")
LEAKY_HEADERS = {
    "x-powered-by": "info-leak-x-powered-by",
    "x-aspnet-version": "info-leak-x-aspnet-version",
    "x-aspnetmvc-version": "info-leak-x-aspnetmvc-version",
    "x-generator": "info-leak-x-generator",
}


def tls_findings(facts: TlsFacts | None, *, now: datetime) -> tuple[list[Hit], str | None]:
    """Findings and the grade cap (None: no cap) for the HTTPS endpoint."""
    if facts is None or facts.certificate is None:
        detail = facts.error if facts and facts.error else "no TLS handshake on the HTTPS port"
        return [("tls-not-available", detail)], None
    hits: list[Hit] = []
    cap: str | None = None
    cert = facts.certificate
    validity = f"valid {cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}; issuer {cert.issuer}"
    if cert.not_after < now:
        hits.append(("tls-certificate-expired", f"Expired {cert.not_after:%Y-%m-%d %H:%M} UTC ({validity})"))
        cap = "F"
    elif cert.not_before > now:
        hits.append(
            ("tls-certificate-not-yet-valid", f"Not valid before {cert.not_before:%Y-%m-%d} ({validity})")
        )
        cap = "F"
    elif cert.not_after - now < EXPIRY_WARNING:
        days = (cert.not_after - now).days
        hits.append(("tls-certificate-expiring-soon", f"Expires in {days} days, {cert.not_after:%Y-%m-%d}"))
    if facts.hostname_matches is False:
        names = ", ".join(cert.names[:10]) or cert.subject
        hits.append(("tls-certificate-hostname-mismatch", f"{facts.host} is not among: {names}"))
        cap = "F"
    if cert.self_signed:
        hits.append(("tls-certificate-self-signed", f"Subject and issuer are both {cert.subject}"))
        cap = "F"
    elif (
        facts.verify_error
        and not _only_missing_intermediate(facts)
        and not any(h[0] in ("tls-certificate-expired", "tls-certificate-hostname-mismatch") for h in hits)
    ):
        hits.append(("tls-certificate-untrusted", f"Verification failed: {facts.verify_error}"))
        cap = "F"
    minimum = MIN_KEY_BITS.get(cert.key_type)
    if minimum and cert.key_bits < minimum:
        hits.append(("tls-certificate-weak-key", f"{cert.key_type} {cert.key_bits} bits (minimum {minimum})"))
        cap = cap or "B"
    legacy = [v for v in ("TLSv1.0", "TLSv1.1") if facts.protocols.get(v)]
    if legacy:
        hits.append(("tls-legacy-protocols", f"Accepted: {', '.join(legacy)}"))
        cap = cap or "B"
    if facts.protocols.get("TLSv1.3") is False:
        accepted = ", ".join(v for v, ok in facts.protocols.items() if ok) or "none"
        hits.append(("tls-1-3-not-supported", f"Accepted: {accepted}"))
    depth_hits, depth_cap = tls_rules.depth_findings(facts)
    return hits + depth_hits, tls_rules.worse(cap, depth_cap)


def _only_missing_intermediate(facts: TlsFacts) -> bool:
    """Verification failed only because the server left out an intermediate that a browser would
    fetch (AIA) or has cached: SSL Labs' "incomplete chain" (B), not an untrusted certificate (F)."""
    chain = facts.depth.chain if facts.depth else None
    return bool(
        chain
        and chain.complete is False
        and chain.completed_by
        and "issuer certificate" in (facts.verify_error or "")
    )


def header_findings(retrieval: Retrieval) -> list[Hit]:
    response = retrieval.auto
    if response is None:
        return []
    hits: list[Hit] = []
    server = response.header("server")
    if server and VERSION_IN_SERVER.search(server):
        hits.append(("info-leak-server-version", f"Server: {server[:200]}"))
    for header, check_id in LEAKY_HEADERS.items():
        value = response.header(header)
        if value:
            hits.append((check_id, f"{header.title()}: {value[:200]}"))
    if response.mime_type in ("", "text/html") and not (
        response.header("permissions-policy") or response.header("feature-policy")
    ):
        hits.append(("permissions-policy-not-implemented", "No Permissions-Policy header on the page"))
    return hits


def content_findings(retrieval: Retrieval) -> list[Hit]:
    response = retrieval.auto
    if response is None:
        return []
    html = response.html
    hits: list[Hit] = []
    if response.scheme == "https":
        active = [u for u in html.active_resources if u.lower().startswith("http://")]
        passive = [u for u in html.passive_resources if u.lower().startswith("http://")]
        if active:
            hits.append(("mixed-content-active", "\n".join(active[:10])))
        if passive:
            hits.append(("mixed-content-passive", "\n".join(passive[:10])))
    insecure_forms = [
        action
        for action in html.form_actions
        if (urlsplit(urljoin(response.url, action.strip())).scheme == "http" and action.strip())
        or (not action.strip() and response.scheme == "http")
    ]
    if insecure_forms:
        shown = [f'<form action="{a}">' if a else f"<form> on {response.url}" for a in insecure_forms[:10]]
        hits.append(("form-action-insecure", "\n".join(shown)))
    return hits
