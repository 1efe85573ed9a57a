"""Checks beyond the Observatory: TLS facts (SSL Labs-style caps), leaking headers, page content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assessments.scanner import extra
from assessments.scanner.scan import evaluate
from assessments.scanner.tls import CertificateFacts, TlsFacts, hostname_matches

from .helpers import site

NOW = datetime(2026, 6, 1, tzinfo=UTC)
MODERN = {"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True}


def facts(
    *,
    days_left: int = 200,
    key=("EC", 256),
    protocols=MODERN,
    self_signed=False,
    matches=True,
    verify_error=None,
) -> TlsFacts:
    cert = CertificateFacts(
        subject="CN=www.acme-corp.com",
        issuer="CN=www.acme-corp.com" if self_signed else "CN=Public CA",
        not_before=NOW - timedelta(days=100),
        not_after=NOW + timedelta(days=days_left),
        names=["www.acme-corp.com"],
        self_signed=self_signed,
        key_type=key[0],
        key_bits=key[1],
    )
    return TlsFacts(
        host="www.acme-corp.com",
        port=443,
        protocols=dict(protocols),
        certificate=cert,
        verify_error=verify_error,
        hostname_matches=matches,
    )


def ids(hits) -> set[str]:
    return {check_id for check_id, _ in hits}


def test_a_healthy_endpoint_has_no_tls_findings_and_no_cap() -> None:
    assert extra.tls_findings(facts(), now=NOW) == ([], None)


@pytest.mark.parametrize(
    ("kwargs", "check_id", "cap"),
    [
        ({"days_left": -1, "verify_error": "certificate has expired"}, "tls-certificate-expired", "F"),
        ({"days_left": 12}, "tls-certificate-expiring-soon", None),
        ({"matches": False, "verify_error": "Hostname mismatch"}, "tls-certificate-hostname-mismatch", "F"),
        (
            {"self_signed": True, "verify_error": "self-signed certificate"},
            "tls-certificate-self-signed",
            "F",
        ),
        ({"verify_error": "unable to get local issuer certificate"}, "tls-certificate-untrusted", "F"),
        ({"key": ("RSA", 1024)}, "tls-certificate-weak-key", "B"),
        ({"protocols": {**MODERN, "TLSv1.0": True}}, "tls-legacy-protocols", "B"),
        ({"protocols": {**MODERN, "TLSv1.3": False}}, "tls-1-3-not-supported", None),
    ],
)
def test_tls_problems_and_their_grade_caps(kwargs, check_id: str, cap: str | None) -> None:
    hits, grade_cap = extra.tls_findings(facts(**kwargs), now=NOW)
    assert check_id in ids(hits)
    assert grade_cap == cap


def test_a_tls_cap_limits_an_otherwise_perfect_grade() -> None:
    from .servers import GOOD_HEADERS

    outcome = evaluate(site(headers=GOOD_HEADERS), facts(protocols={**MODERN, "TLSv1.1": True}), now=NOW)
    assert outcome.observatory_grade == "A+" and outcome.grade == "B"
    assert "tls-legacy-protocols" in {f.check_id for f in outcome.findings}


@pytest.mark.parametrize(
    ("host", "names", "expected"),
    [
        ("www.acme-corp.com", ["www.acme-corp.com"], True),
        ("shop.acme-corp.com", ["*.acme-corp.com"], True),
        ("a.b.acme-corp.com", ["*.acme-corp.com"], False),
        ("acme-corp.com", ["*.acme-corp.com"], False),
        ("127.0.0.1", ["127.0.0.1"], True),
        ("www.acme-corp.com", ["www.other.example"], False),
    ],
)
def test_certificate_host_name_matching(host, names, expected) -> None:
    assert hostname_matches(host, names) is expected


def test_version_leaking_headers() -> None:
    retrieval = site(
        headers={
            "Server": "Apache/2.4.41 (Ubuntu)",
            "X-Powered-By": "PHP/7.4.3",
            "X-AspNet-Version": "4.0.30319",
            "X-AspNetMvc-Version": "5.2",
            "X-Generator": "Drupal 9",
            "Permissions-Policy": "camera=()",
        }
    )
    found = ids(extra.header_findings(retrieval))
    assert found == {
        "info-leak-server-version",
        "info-leak-x-powered-by",
        "info-leak-x-aspnet-version",
        "info-leak-x-aspnetmvc-version",
        "info-leak-x-generator",
    }
    assert (
        ids(extra.header_findings(site(headers={"Server": "nginx", "Permissions-Policy": "camera=()"})))
        == set()
    )
    assert ids(extra.header_findings(site())) == {"permissions-policy-not-implemented"}


def test_mixed_content_and_insecure_forms() -> None:
    body = (
        '<script src="http://cdn.example.net/a.js"></script>'
        '<link rel="stylesheet" href="http://cdn.example.net/a.css">'
        '<img src="http://img.example.net/logo.png">'
        '<form action="http://www.example.com/login"></form>'
        '<form action="/search"></form>'
    )
    hits = dict(extra.content_findings(site(body=body)))
    assert "http://cdn.example.net/a.js" in hits["mixed-content-active"]
    assert "http://cdn.example.net/a.css" in hits["mixed-content-active"]
    assert hits["mixed-content-passive"] == "http://img.example.net/logo.png"
    assert "http://www.example.com/login" in hits["form-action-insecure"]
    assert "/search" not in hits["form-action-insecure"]
    clean = '<script src="https://cdn.example.net/a.js"></script><form action="/login"></form>'
    assert extra.content_findings(site(body=clean)) == []


def test_findings_carry_fixes_and_compliance_references() -> None:
    outcome = evaluate(site(https=False, http_route=["http://example.com/"]), None, now=NOW)
    by_id = {f.check_id: f for f in outcome.findings}
    hsts = by_id["hsts-not-implemented-no-https"]
    assert hsts.score_modifier == -20 and hsts.severity == "high"
    assert "nginx" in hsts.recommendation and "Apache" in hsts.recommendation
    assert {
        "OWASP ASVS 5.0 V3.4.1",
        "PCI DSS 4.0.1 4.2.1",
        "NIST CSF 2.0 PR.DS-02",
        "ISO 27001:2022 A.8.24",
        "SOC 2 CC6.7",
    } <= set(hsts.compliance_refs)
    assert "tls-not-available" in by_id
    severities = [f.severity for f in outcome.findings]
    order = ["critical", "high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index)
