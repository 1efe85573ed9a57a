"""What each finding says to a reader: title, severity, why it matters, how to fix it.

One entry per check id (the Observatory's result names, and our own ids for the checks beyond it).
Results that are good, or neutral, have no entry and produce no finding.

The entries live per family (headers, tls, content, dnsmail); this package joins them in the
order the catalogue has always listed them and exposes the same names as the former module.
"""

from __future__ import annotations

from . import content, dnsmail, headers, tls
from .content import FORMS, INFO_LEAK, MIXED, PERMISSIONS
from .dnsmail import CAA, DMARC, DNS_UNCHECKED, DNSSEC, MTA_STS, MX, SECURITY_TXT, SPF, TLS_RPT
from .guidance import Guidance
from .headers import COEP, COOKIES, COOP, CORP, CORS, CSP, HSTS, HTML, REDIRECTION, REFERRER, SRI, XCTO, XFO
from .tls import (
    AEAD_GUIDANCE,
    CERTIFICATE,
    CHAIN,
    CIPHERS,
    FORWARD_SECRECY,
    KEY_EXCHANGE,
    KEY_SIZE,
    NO_HTTPS,
    OCSP_STAPLING,
    SIGNATURE,
    SSLV3,
    TLS13,
    TLS_VERSIONS,
)

__all__ = [
    "AEAD_GUIDANCE",
    "CAA",
    "CERTIFICATE",
    "CHAIN",
    "CIPHERS",
    "COEP",
    "COOKIES",
    "COOP",
    "CORP",
    "CORS",
    "CSP",
    "DMARC",
    "DNSSEC",
    "DNS_UNCHECKED",
    "FINDINGS",
    "FORMS",
    "FORWARD_SECRECY",
    "HSTS",
    "HTML",
    "INFO_LEAK",
    "KEY_EXCHANGE",
    "KEY_SIZE",
    "MIXED",
    "MTA_STS",
    "MX",
    "NO_HTTPS",
    "OCSP_STAPLING",
    "PERMISSIONS",
    "REDIRECTION",
    "REFERRER",
    "SECURITY_TXT",
    "SIGNATURE",
    "SPF",
    "SRI",
    "SSLV3",
    "TLS13",
    "TLS_RPT",
    "TLS_VERSIONS",
    "XCTO",
    "XFO",
    "Guidance",
]

#: check id → (title, severity, guidance). Check ids are the Observatory result names where it has one.
FINDINGS: dict[str, tuple[str, str, Guidance]] = {
    **headers.FINDINGS,
    **tls.FINDINGS,
    **content.FINDINGS,
    **dnsmail.FINDINGS,
}
