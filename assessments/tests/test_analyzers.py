"""Each Observatory test: every result name it can give, and the score modifier that goes with it.

The expected modifiers are the Mozilla HTTP Observatory's (mdn/mdn-http-observatory, charts.js).
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from assessments.scanner.analyzers import (
    content_security_policy,
    cookies,
    cross_origin_embedder_policy,
    cross_origin_opener_policy,
    cross_origin_resource_policy,
    cross_origin_resource_sharing,
    redirection,
    referrer_policy,
    strict_transport_security,
    subresource_integrity,
    x_content_type_options,
    x_frame_options,
)
from assessments.scanner.grading import SCORE_MODIFIERS, modifier
from assessments.scanner.retriever import CORS_PROBE_ORIGIN

from .helpers import site


def check(analyzer, retrieval, result: str, expected_modifier: int, passed: bool) -> None:
    outcome = analyzer.analyze(retrieval)
    assert outcome.result == result
    assert modifier(outcome.result) == expected_modifier
    assert outcome.passed is passed


# --- content-security-policy ----------------------------------------------------------------------

CSP_CASES = [
    (
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
        "csp-implemented-with-no-unsafe-default-src-none",
        10,
        True,
    ),
    ("default-src 'self'; object-src 'none'", "csp-implemented-with-no-unsafe", 5, True),
    (
        "default-src 'self'; style-src 'self' 'unsafe-inline'",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        0,
        True,
    ),
    (
        "default-src 'self'; img-src http://images.example.com",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
        -10,
        True,
    ),
    ("default-src 'self'; script-src 'self' 'unsafe-eval'", "csp-implemented-with-unsafe-eval", -10, False),
    (
        "default-src 'self'; script-src 'self' 'unsafe-inline'",
        "csp-implemented-with-unsafe-inline",
        -20,
        False,
    ),
    ("default-src 'self'; object-src https:", "csp-implemented-with-unsafe-inline", -20, False),
    ("script-src 'self'", "csp-implemented-with-unsafe-inline", -20, False),  # object-src unrestricted
    (
        "default-src 'self'; script-src 'self' http://cdn.example.com",
        "csp-implemented-with-insecure-scheme",
        -20,
        False,
    ),
    ("default-src 'self'; script-src 'strict-dynamic'", "csp-header-invalid", -25, False),
    ("img-s", "csp-header-invalid", -25, False),  # shorter than any directive
    # A repeated directive is invalid (browsers silently use the first one); repeated reporting
    # endpoints are only a warning.
    ("default-src 'self'; script-src 'self'; script-src 'unsafe-inline'", "csp-header-invalid", -25, False),
    ("default-src 'none'; DEFAULT-SRC 'self'", "csp-header-invalid", -25, False),
    (
        "default-src 'self'; report-uri /a; report-uri /b",
        "csp-implemented-but-duplicate-directives",
        0,
        True,
    ),
    ("default-src 'self'; report-to a; report-to b", "csp-implemented-but-duplicate-directives", 0, True),
]


@pytest.mark.parametrize(("policy", "result", "value", "passed"), CSP_CASES)
def test_csp_results(policy: str, result: str, value: int, passed: bool) -> None:
    check(content_security_policy, site(headers={"Content-Security-Policy": policy}), result, value, passed)


def test_csp_not_implemented_and_report_only() -> None:
    check(content_security_policy, site(), "csp-not-implemented", -25, False)
    report_only = site(headers={"Content-Security-Policy-Report-Only": "default-src 'none'"})
    check(content_security_policy, report_only, "csp-not-implemented-but-reporting-enabled", -25, False)


def test_csp_nonce_neutralises_unsafe_inline_and_strict_dynamic_ignores_hosts() -> None:
    nonce = site(
        headers={"Content-Security-Policy": "default-src 'self'; script-src 'nonce-AbC123' 'unsafe-inline'"}
    )
    check(content_security_policy, nonce, "csp-implemented-with-no-unsafe", 5, True)
    dynamic = site(
        headers={
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; script-src 'nonce-AbC' 'strict-dynamic' https: 'unsafe-inline'"
        }
    )
    check(content_security_policy, dynamic, "csp-implemented-with-no-unsafe", 5, True)


def test_csp_from_meta_tag_counts_and_two_policies_intersect() -> None:
    meta = site(
        body="<html><head><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'\"></head></html>"
    )
    check(content_security_policy, meta, "csp-implemented-with-no-unsafe-default-src-none", 10, True)
    both = site(
        headers={
            "Content-Security-Policy": [
                "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'",
                "script-src 'self'",
            ]
        }
    )
    check(content_security_policy, both, "csp-implemented-with-no-unsafe", 5, True)


def test_http_sources_are_fine_on_a_plain_http_page() -> None:
    http_only = site(
        https=False,
        http_route=["http://example.com/"],
        headers={"Content-Security-Policy": "default-src 'self' http://cdn.example.com; object-src 'none'"},
    )
    check(content_security_policy, http_only, "csp-implemented-with-no-unsafe", 5, True)


# --- cookies -----------------------------------------------------------------------------------------

HSTS = {"Strict-Transport-Security": "max-age=31536000"}
COOKIE_CASES = [
    ([], {}, "cookies-not-found", 0, True),
    (
        ["id=1; Secure; SameSite=Lax", "sessionid=2; Secure; HttpOnly; SameSite=Strict"],
        {},
        "cookies-secure-with-httponly-sessions-and-samesite",
        5,
        True,
    ),
    (["id=1; Secure", "sessionid=2; Secure; HttpOnly"], {}, "cookies-secure-with-httponly-sessions", 0, True),
    (["id=1; SameSite=Lax"], HSTS, "cookies-without-secure-flag-but-protected-by-hsts", -5, False),
    (
        ["sessionid=1; HttpOnly; SameSite=Lax"],
        HSTS,
        "cookies-session-without-secure-flag-but-protected-by-hsts",
        -10,
        False,
    ),
    (["id=1; SameSite=Lax"], {}, "cookies-without-secure-flag", -20, False),
    (["id=1; Secure; SameSite=Sometimes"], {}, "cookies-samesite-flag-invalid", -20, False),
    (["id=1; SameSite=None"], HSTS, "cookies-samesite-flag-invalid", -20, False),
    (["csrftoken=1; Secure"], {}, "cookies-anticsrf-without-samesite-flag", -20, False),
    (["sessionid=1; Secure; SameSite=Lax"], {}, "cookies-session-without-httponly-flag", -30, False),
    (["sessionid=1; HttpOnly; SameSite=Lax"], {}, "cookies-session-without-secure-flag", -40, False),
]


@pytest.mark.parametrize(("set_cookies", "headers", "result", "value", "passed"), COOKIE_CASES)
def test_cookie_results(set_cookies, headers, result, value, passed) -> None:
    check(cookies, site(headers=headers, cookies=set_cookies), result, value, passed)


def test_heroku_affinity_cookie_is_ignored() -> None:
    check(cookies, site(cookies=["heroku-session-affinity=x"]), "cookies-not-found", 0, True)


# --- cross-origin-resource-sharing -------------------------------------------------------------------

CORS_CASES = [
    (None, "cross-origin-resource-sharing-not-implemented", 0, True),
    ({}, "cross-origin-resource-sharing-not-implemented", 0, True),
    (
        {"Access-Control-Allow-Origin": "*"},
        "cross-origin-resource-sharing-implemented-with-public-access",
        0,
        True,
    ),
    (
        {"Access-Control-Allow-Origin": "https://partner.example.org"},
        "cross-origin-resource-sharing-implemented-with-restricted-access",
        0,
        True,
    ),
    (
        {"Access-Control-Allow-Origin": CORS_PROBE_ORIGIN, "Access-Control-Allow-Credentials": "true"},
        "cross-origin-resource-sharing-implemented-with-universal-access",
        -50,
        False,
    ),
]


@pytest.mark.parametrize(("cors_headers", "result", "value", "passed"), CORS_CASES)
def test_cors_results(cors_headers, result, value, passed) -> None:
    check(cross_origin_resource_sharing, site(cors_headers=cors_headers), result, value, passed)


# --- redirection ---------------------------------------------------------------------------------

REDIRECT_CASES = [
    (["http://example.com/", "https://example.com/"], True, "redirection-to-https", 0, True),
    (
        ["http://example.com/", "https://example.com/", "https://www.example.com/"],
        True,
        "redirection-to-https",
        0,
        True,
    ),
    ([], True, "redirection-not-needed-no-http", 0, True),
    (["http://example.com/", "https://www.example.com/"], True, "redirection-off-host-from-http", -5, False),
    (
        ["http://example.com/", "http://www.example.com/", "https://www.example.com/"],
        True,
        "redirection-not-to-https-on-initial-redirection",
        -10,
        False,
    ),
    (["http://example.com/", "http://www.example.com/"], True, "redirection-not-to-https", -20, False),
    (["http://example.com/"], True, "redirection-missing", -20, False),
    (["http://example.com/", "https://example.com/"], False, "redirection-invalid-cert", -20, False),
]


@pytest.mark.parametrize(("route", "verified", "result", "value", "passed"), REDIRECT_CASES)
def test_redirection_results(route, verified, result, value, passed) -> None:
    check(redirection, site(http_route=route, http_verified=verified), result, value, passed)


@override_settings(ASSESSMENT_HSTS_PRELOADED_DOMAINS=["example.com"])
def test_preloaded_hosts() -> None:
    check(
        redirection, site(http_route=["http://example.com/"]), "redirection-all-redirects-preloaded", 0, True
    )
    check(strict_transport_security, site(), "hsts-preloaded", 5, True)


# --- referrer-policy -------------------------------------------------------------------------------

REFERRER_CASES = [
    ({}, "", "referrer-policy-not-implemented", 0, True),
    ({"Referrer-Policy": "no-referrer"}, "", "referrer-policy-private", 5, True),
    ({"Referrer-Policy": "strict-origin-when-cross-origin"}, "", "referrer-policy-private", 5, True),
    ({"Referrer-Policy": "unsafe-url"}, "", "referrer-policy-unsafe", -5, False),
    ({"Referrer-Policy": "no-referrer-when-downgrade"}, "", "referrer-policy-unsafe", -5, False),
    ({"Referrer-Policy": "whatever"}, "", "referrer-policy-header-invalid", -5, False),
    ({"Referrer-Policy": "no-referrer, unknown, unsafe-url"}, "", "referrer-policy-unsafe", -5, False),
    (
        {"Referrer-Policy": "unsafe-url"},
        '<meta name="referrer" content="same-origin">',
        "referrer-policy-private",
        5,
        True,
    ),
]


@pytest.mark.parametrize(("headers", "head", "result", "value", "passed"), REFERRER_CASES)
def test_referrer_policy_results(headers, head, result, value, passed) -> None:
    check(
        referrer_policy,
        site(headers=headers, body=f"<html><head>{head}</head></html>"),
        result,
        value,
        passed,
    )


# --- strict-transport-security ---------------------------------------------------------------------

HSTS_CASES = [
    (
        {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"},
        True,
        True,
        "hsts-implemented-max-age-at-least-six-months",
        0,
        True,
    ),
    (
        {"Strict-Transport-Security": "max-age=15552000"},
        True,
        True,
        "hsts-implemented-max-age-at-least-six-months",
        0,
        True,
    ),
    (
        {"Strict-Transport-Security": "max-age=86400"},
        True,
        True,
        "hsts-implemented-max-age-less-than-six-months",
        -10,
        False,
    ),
    ({}, True, True, "hsts-not-implemented", -20, False),
    ({"Strict-Transport-Security": "includeSubDomains"}, True, True, "hsts-header-invalid", -20, False),
    ({"Strict-Transport-Security": "max-age=1, max-age=2"}, True, True, "hsts-header-invalid", -20, False),
    (
        {"Strict-Transport-Security": "max-age=31536000"},
        False,
        True,
        "hsts-not-implemented-no-https",
        -20,
        False,
    ),
    ({"Strict-Transport-Security": "max-age=31536000"}, True, False, "hsts-invalid-cert", -20, False),
]


@pytest.mark.parametrize(("headers", "https", "verified", "result", "value", "passed"), HSTS_CASES)
def test_hsts_results(headers, https, verified, result, value, passed) -> None:
    retrieval = site(
        headers=headers,
        https=https,
        verified=verified,
        http_route=["http://example.com/"] if not https else None,
    )
    check(strict_transport_security, retrieval, result, value, passed)


# --- subresource-integrity -------------------------------------------------------------------------

SRI = 'integrity="sha384-abc" crossorigin="anonymous"'
SRI_CASES = [
    ("", "sri-not-implemented-but-no-scripts-loaded", 0, True),
    (f'<script src="/app.js" {SRI}></script>', "sri-implemented-and-all-scripts-loaded-securely", 5, True),
    (
        f'<script src="https://cdn.other.net/x.js" {SRI}></script>',
        "sri-implemented-and-external-scripts-loaded-securely",
        5,
        True,
    ),
    (
        '<script src="/app.js"></script><script src="https://static.example.com/y.js"></script>',
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
        0,
        True,
    ),
    ("<script>inline()</script>", "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0, True),
    (
        '<script src="https://cdn.other.net/x.js"></script>',
        "sri-not-implemented-but-external-scripts-loaded-securely",
        -5,
        False,
    ),
    (
        f'<script src="http://cdn.other.net/x.js" {SRI}></script>',
        "sri-implemented-but-external-scripts-not-loaded-securely",
        -20,
        False,
    ),
    (
        '<script src="http://cdn.other.net/x.js"></script>',
        "sri-not-implemented-and-external-scripts-not-loaded-securely",
        -50,
        False,
    ),
    (
        '<script src="//cdn.other.net/x.js"></script>',
        "sri-not-implemented-and-external-scripts-not-loaded-securely",
        -50,
        False,
    ),
]


@pytest.mark.parametrize(("scripts", "result", "value", "passed"), SRI_CASES)
def test_sri_results(scripts, result, value, passed) -> None:
    check(subresource_integrity, site(body=f"<html><head>{scripts}</head></html>"), result, value, passed)


def test_sri_not_needed_for_non_html() -> None:
    retrieval = site(headers={"Content-Type": "application/json"}, body='{"a": "<script src=http://x/>"}')
    check(subresource_integrity, retrieval, "sri-not-implemented-response-not-html", 0, True)


# --- x-content-type-options, x-frame-options --------------------------------------------------------

XCTO_CASES = [
    ({"X-Content-Type-Options": "nosniff"}, "x-content-type-options-nosniff", 0, True),
    ({"X-Content-Type-Options": " NoSniff "}, "x-content-type-options-nosniff", 0, True),
    ({}, "x-content-type-options-not-implemented", -5, False),
    ({"X-Content-Type-Options": "sniff-please"}, "x-content-type-options-header-invalid", -5, False),
]


@pytest.mark.parametrize(("headers", "result", "value", "passed"), XCTO_CASES)
def test_x_content_type_options_results(headers, result, value, passed) -> None:
    check(x_content_type_options, site(headers=headers), result, value, passed)


XFO_CASES = [
    ({"Content-Security-Policy": "frame-ancestors 'none'"}, "x-frame-options-implemented-via-csp", 5, True),
    ({"X-Frame-Options": "DENY"}, "x-frame-options-sameorigin-or-deny", 0, True),
    ({"X-Frame-Options": "sameorigin"}, "x-frame-options-sameorigin-or-deny", 0, True),
    (
        {"X-Frame-Options": "ALLOW-FROM https://partner.example.org"},
        "x-frame-options-allow-from-origin",
        0,
        True,
    ),
    ({}, "x-frame-options-not-implemented", -20, False),
    ({"X-Frame-Options": "maybe"}, "x-frame-options-header-invalid", -20, False),
]


@pytest.mark.parametrize(("headers", "result", "value", "passed"), XFO_CASES)
def test_x_frame_options_results(headers, result, value, passed) -> None:
    check(x_frame_options, site(headers=headers), result, value, passed)


def test_frame_ancestors_in_meta_does_not_count() -> None:
    meta = site(
        body="<html><head><meta http-equiv='Content-Security-Policy' content=\"frame-ancestors 'none'\"></head></html>"
    )
    check(x_frame_options, meta, "x-frame-options-not-implemented", -20, False)


# --- CORP, COOP, COEP ------------------------------------------------------------------------------

CORP_CASES = [
    ({}, "corp-not-implemented", 0, True),
    ({"Cross-Origin-Resource-Policy": "same-origin"}, "corp-implemented-with-same-origin", 10, True),
    ({"Cross-Origin-Resource-Policy": "same-site"}, "corp-implemented-with-same-site", 10, True),
    ({"Cross-Origin-Resource-Policy": "cross-origin"}, "corp-implemented-with-cross-origin", 0, True),
    ({"Cross-Origin-Resource-Policy": "everyone"}, "corp-header-invalid", -5, False),
]


@pytest.mark.parametrize(("headers", "result", "value", "passed"), CORP_CASES)
def test_corp_results(headers, result, value, passed) -> None:
    check(cross_origin_resource_policy, site(headers=headers), result, value, passed)


COOP_CASES = [
    ({}, "coop-not-implemented", True),
    ({"Cross-Origin-Opener-Policy": "same-origin"}, "coop-implemented-with-same-origin", True),
    (
        {"Cross-Origin-Opener-Policy": 'same-origin-allow-popups; report-to="coop"'},
        "coop-implemented-with-same-origin-allow-popups",
        True,
    ),
    (
        {"Cross-Origin-Opener-Policy": "noopener-allow-popups"},
        "coop-implemented-with-noopener-allow-popups",
        True,
    ),
    ({"Cross-Origin-Opener-Policy": "unsafe-none"}, "coop-implemented-with-unsafe-none", True),
    ({"Cross-Origin-Opener-Policy": "isolate-me"}, "coop-header-invalid", False),
    ({"Cross-Origin-Opener-Policy": ["same-origin", "unsafe-none"]}, "coop-header-invalid", False),
]


@pytest.mark.parametrize(("headers", "result", "passed"), COOP_CASES)
def test_coop_results(headers, result, passed) -> None:
    check(cross_origin_opener_policy, site(headers=headers), result, 0, passed)


COEP_CASES = [
    ({}, "coep-not-implemented", True),
    ({"Cross-Origin-Embedder-Policy": "require-corp"}, "coep-implemented-with-require-corp", True),
    ({"Cross-Origin-Embedder-Policy": "require-corp; report-to"}, "coep-implemented-with-require-corp", True),
    ({"Cross-Origin-Embedder-Policy": "credentialless"}, "coep-implemented-with-credentialless", True),
    ({"Cross-Origin-Embedder-Policy": "unsafe-none"}, "coep-implemented-with-unsafe-none", True),
    ({"Cross-Origin-Embedder-Policy": "require-everything"}, "coep-header-invalid", False),
]


@pytest.mark.parametrize(("headers", "result", "passed"), COEP_CASES)
def test_coep_results(headers, result, passed) -> None:
    check(cross_origin_embedder_policy, site(headers=headers), result, 0, passed)


def test_every_result_name_in_the_score_table_is_exercised_here() -> None:
    covered = (
        {
            case[-3] if len(case) >= 4 else case[1]
            for cases in (
                CSP_CASES,
                COOKIE_CASES,
                CORS_CASES,
                REDIRECT_CASES,
                REFERRER_CASES,
                HSTS_CASES,
                SRI_CASES,
                XCTO_CASES,
                XFO_CASES,
                CORP_CASES,
            )
            for case in cases
        }
        | {r for _, r, _ in COOP_CASES}
        | {r for _, r, _ in COEP_CASES}
    )
    covered |= {
        "csp-not-implemented",
        "csp-not-implemented-but-reporting-enabled",
        "redirection-all-redirects-preloaded",
        "hsts-preloaded",
        "sri-not-implemented-response-not-html",
        "html-not-parseable",  # test_parity_defects
    }
    assert set(SCORE_MODIFIERS) - covered == set()
