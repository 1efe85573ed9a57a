"""The completed security assessment of the Microsoft CISO's site (findings as the scanner reports them)."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.models import Grade, Severity


@dataclass(frozen=True)
class FindingSpec:
    check_id: str
    title: str
    severity: str
    score_modifier: int
    evidence: str
    description: str
    recommendation: str
    compliance_refs: tuple[str, ...]


MICROSOFT_TARGET_URL = "https://www.microsoft.com"
MICROSOFT_FINDINGS: tuple[FindingSpec, ...] = (
    FindingSpec(
        "csp-not-implemented",
        "Content Security Policy (CSP) not implemented",
        Severity.HIGH,
        -25,
        "No Content-Security-Policy header in the response to GET https://www.microsoft.com/.",
        "Without a CSP, any injected script runs with the page's full privileges, so a single "
        "cross-site scripting flaw or compromised third-party script can steal sessions or data.",
        "Send a Content-Security-Policy that sets object-src 'none' and base-uri 'none' and allows "
        "scripts by nonce or hash; roll it out with Content-Security-Policy-Report-Only first.",
        ("OWASP ASVS 5.0 V3.4.3", "PCI DSS 4.0.1 6.4.3"),
    ),
    FindingSpec(
        "hsts-max-age-too-short",
        "HSTS max-age shorter than one year",
        Severity.MEDIUM,
        -10,
        "strict-transport-security: max-age=86400",
        "A one-day HSTS policy expires quickly, leaving returning visitors open to SSL-stripping "
        "attacks on their first plain-HTTP request.",
        "Set Strict-Transport-Security: max-age=31536000; includeSubDomains (and consider preload).",
        ("OWASP ASVS 5.0 V3.4.1", "PCI DSS 4.0.1 4.2.1"),
    ),
    FindingSpec(
        "cookies-samesite-not-set",
        "Cookies set without the SameSite attribute",
        Severity.LOW,
        -5,
        "set-cookie: MUID=…; domain=.microsoft.com; path=/; secure",
        "Browsers fall back to their own default, so protection against cross-site request "
        "forgery differs between browsers.",
        "Set SameSite=Lax (or Strict) explicitly on every cookie; use SameSite=None only with Secure "
        "where cross-site use is intended.",
        ("OWASP ASVS 5.0 V3.3.2",),
    ),
    FindingSpec(
        "referrer-policy-not-implemented",
        "Referrer-Policy not implemented",
        Severity.LOW,
        0,
        "No Referrer-Policy header; browsers use strict-origin-when-cross-origin by default.",
        "An explicit policy guarantees that full URLs, which may carry identifiers, are not sent to "
        "third parties by older browsers.",
        "Send Referrer-Policy: strict-origin-when-cross-origin (or stricter).",
        ("OWASP ASVS 5.0 V3.4.5",),
    ),
    FindingSpec(
        "server-technology-disclosed",
        "Response headers disclose server technology",
        Severity.INFO,
        0,
        "x-powered-by: ASP.NET",
        "Technology banners help attackers pick exploits for known versions.",
        "Remove the X-Powered-By header (and version numbers in Server) at the web server or CDN.",
        ("OWASP WSTG-INFO-02",),
    ),
)
MICROSOFT_RISK_SCORE = -sum(finding.score_modifier for finding in MICROSOFT_FINDINGS)  # 40
MICROSOFT_GRADE = Grade.C_PLUS  # the Observatory grade of 100 - 40 = 60 points
