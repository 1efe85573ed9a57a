"""Where our scanner disagreed with the MDN HTTP Observatory (issue 16, "Parity defects").

Each test shows what a user sees — the assessment's status, test results, findings and grade —
for a site that exposed one disagreement. The whole-site comparison with the real Observatory is
in tests/parity (marked `parity`).
"""

from __future__ import annotations

import pytest
from django.core import mail
from werkzeug import Response

from assessments.models import AssessmentStatus
from assessments.scanner import tls
from assessments.scanner.analyzers import (
    content_security_policy,
    cookies,
    cross_origin_resource_policy,
    referrer_policy,
    strict_transport_security,
    subresource_integrity,
    x_content_type_options,
    x_frame_options,
)
from assessments.scanner.grading import modifier

from .helpers import site
from .servers import GOOD_HEADERS, GOOD_PAGE, server_context
from .test_end_to_end import run_staff_scan, serve_good_site

HSTS = {"Strict-Transport-Security": "max-age=31536000"}


def result_of(analyzer, retrieval) -> tuple[str, int]:
    outcome = analyzer.analyze(retrieval)
    return outcome.result, modifier(outcome.result)


# --- 1. 401, 403 and a final 3xx are graded --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (401, {"WWW-Authenticate": 'Basic realm="staff"'}),
        (403, {}),
        (302, {}),  # a redirect without a Location: the chain ends there
        (300, {"Location": "/choices"}),  # not a status that is followed
    ],
)
def test_login_walls_and_final_redirects_are_graded(
    status, headers, start_server, https_server, django_capture_on_commit_callbacks
) -> None:
    http = start_server()
    https_server.expect_request("/").respond_with_data(
        GOOD_PAGE, status=status, content_type="text/html", headers={**GOOD_HEADERS, **headers}
    )
    http.expect_request("/").respond_with_data(
        "", status=301, headers={"Location": f"https://localhost:{https_server.port}/"}
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    assert assessment.results["status_code"] == status
    assert assessment.grade == "A+"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_redirect_loop_is_graded_on_the_answer_after_ten_redirects(
    start_server, https_server, django_capture_on_commit_callbacks
) -> None:
    https_server.expect_request("/").respond_with_data("", status=302, headers={"Location": "/loop"})
    https_server.expect_request("/loop").respond_with_data(
        "", status=302, headers={**GOOD_HEADERS, "Location": "/loop"}
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    assert assessment.results["status_code"] == 302


@pytest.mark.django_db
@pytest.mark.parametrize("status", [404, 500, 418])
def test_other_errors_still_fail_the_assessment(
    status, start_server, django_capture_on_commit_callbacks
) -> None:
    http = start_server()
    http.expect_request("/").respond_with_data("no", status=status)
    assessment = run_staff_scan("http://localhost/", django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.FAILED
    assert f"HTTP {status}" in assessment.error


# --- 2. a repeated CSP directive is invalid (tests in test_analyzers.CSP_CASES), also in <meta> -----


def test_a_directive_repeated_in_a_meta_policy_is_invalid() -> None:
    page = "<html><head><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; default-src 'self'\"></head></html>"
    assert result_of(content_security_policy, site(body=page)) == ("csp-header-invalid", -25)


def test_a_directive_repeated_in_a_second_header_policy_is_invalid() -> None:
    retrieval = site(
        headers={"Content-Security-Policy": ["default-src 'none'", "img-src 'self'; img-src a.test"]}
    )
    assert result_of(content_security_policy, retrieval) == ("csp-header-invalid", -25)


# --- 3. cookies breaking their prefix (or domain) rules are dropped --------------------------------


@pytest.mark.parametrize(
    "set_cookie",
    [
        "__Secure-sessionid=1; HttpOnly; SameSite=Lax",  # __Secure- without Secure
        "__Host-sessionid=1; HttpOnly; SameSite=Lax; Path=/",  # __Host- without Secure
        "__Host-sessionid=1; Secure; SameSite=Lax; Path=/; Domain=example.com",  # __Host- with Domain
        "__Host-sessionid=1; Secure; SameSite=Lax; Path=/app",  # __Host- off the root path
        "sessionid=1; SameSite=Lax; Domain=other.example.org",  # not this host's domain
        "sessionid=1; SameSite=Lax; Domain=com",  # a public suffix
    ],
)
def test_cookies_a_browser_refuses_are_not_graded(set_cookie) -> None:
    assert result_of(cookies, site(cookies=[set_cookie])) == ("cookies-not-found", 0)
    with_good = site(cookies=[set_cookie, "id=2; Secure; SameSite=Strict"])
    assert result_of(cookies, with_good) == ("cookies-secure-with-httponly-sessions-and-samesite", 5)


def test_cookies_keeping_their_prefix_rules_are_graded() -> None:
    kept = [
        "__Host-sessionid=1; Secure; Path=/; SameSite=Lax",  # no HttpOnly: graded, and penalised
        "__Secure-id=2; Secure; Domain=example.com; SameSite=Lax",
    ]
    assert result_of(cookies, site(cookies=kept)) == ("cookies-session-without-httponly-flag", -30)


def test_a_later_cookie_with_the_same_name_replaces_the_earlier_one() -> None:
    replaced = ["sessionid=1; HttpOnly", "sessionid=2; Secure; HttpOnly; SameSite=Lax"]
    assert result_of(cookies, site(cookies=replaced)) == (
        "cookies-secure-with-httponly-sessions-and-samesite",
        5,
    )


# --- 4. only the graded (HTTPS) session's cookies count ---------------------------------------------


@pytest.mark.django_db
def test_cookies_set_on_the_plain_http_redirect_are_not_graded(
    start_server, https_server, django_capture_on_commit_callbacks
) -> None:
    http = start_server()
    https_server.expect_request("/").respond_with_data(
        GOOD_PAGE,
        content_type="text/html",
        headers={**GOOD_HEADERS, "Set-Cookie": "sessionid=s; Secure; HttpOnly; SameSite=Lax"},
    )
    http.expect_request("/").respond_with_data(
        "",
        status=301,
        headers={
            "Location": f"https://localhost:{https_server.port}/",
            "Set-Cookie": "tracking=1; Path=/",  # no Secure, no SameSite: would cost 20 points
        },
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    cookie_test = assessment.results["tests"]["cookies"]
    assert cookie_test["result"] == "cookies-secure-with-httponly-sessions-and-samesite"
    assert assessment.grade == "A+"
    assert not assessment.findings.filter(check_id__startswith="cookies-").exists()


@pytest.mark.django_db
def test_cookies_set_along_the_https_redirect_chain_are_graded(
    https_server, django_capture_on_commit_callbacks, local_targets
) -> None:
    https_server.expect_request("/").respond_with_data(
        "", status=302, headers={"Location": "/home", "Set-Cookie": "sessionid=s; Secure; SameSite=Lax"}
    )
    https_server.expect_request("/home").respond_with_data(
        GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.results["tests"]["cookies"]["result"] == "cookies-session-without-httponly-flag"


# --- 5. CORS policies served only on the preflight are found ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("preflight", "result"),
    [
        (
            {"Access-Control-Allow-Origin": "*"},
            "cross-origin-resource-sharing-implemented-with-public-access",
        ),
        (
            {"Access-Control-Allow-Origin": "https://partner.example.org"},
            "cross-origin-resource-sharing-implemented-with-restricted-access",
        ),
    ],
)
def test_a_cors_policy_answered_only_to_the_preflight_is_found(
    preflight, result, https_server, django_capture_on_commit_callbacks, local_targets
) -> None:
    https_server.expect_request("/", method="OPTIONS").respond_with_response(
        Response("", status=204, headers={**preflight, "Access-Control-Allow-Methods": "GET"})
    )
    https_server.expect_request("/", method="GET").respond_with_data(
        GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.results["tests"]["cross-origin-resource-sharing"]["result"] == result
    methods = [request.method for request, _ in https_server.log]
    assert "OPTIONS" in methods


# --- 6. a header sent twice is invalid --------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyzer", "header", "value", "result", "points"),
    [
        (
            strict_transport_security,
            "Strict-Transport-Security",
            "max-age=31536000",
            "hsts-header-invalid",
            -20,
        ),
        (
            x_content_type_options,
            "X-Content-Type-Options",
            "nosniff",
            "x-content-type-options-header-invalid",
            -5,
        ),
        (x_frame_options, "X-Frame-Options", "DENY", "x-frame-options-header-invalid", -20),
        (
            cross_origin_resource_policy,
            "Cross-Origin-Resource-Policy",
            "same-origin",
            "corp-header-invalid",
            -5,
        ),
    ],
)
def test_a_security_header_sent_twice_is_invalid(analyzer, header, value, result, points) -> None:
    assert result_of(analyzer, site(headers={header: [value, value]})) == (result, points)


@pytest.mark.django_db
def test_a_header_sent_twice_by_a_real_server_costs_points(
    start_server, https_server, django_capture_on_commit_callbacks
) -> None:
    http = start_server()
    serve_good_site(http, https_server)
    https_server.clear()
    https_server.expect_request("/").respond_with_response(
        Response(
            GOOD_PAGE,
            content_type="text/html",
            headers=[*GOOD_HEADERS.items(), ("Strict-Transport-Security", "max-age=63072000")],
        )
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.results["tests"]["strict-transport-security"]["result"] == "hsts-header-invalid"
    assert assessment.findings.filter(check_id="hsts-header-invalid", score_modifier=-20).exists()


# --- 7. only CSP counts from <meta http-equiv>, and <meta name="referrer"> -------------------------


def page(head: str) -> str:
    return f"<html><head>{head}</head><body>x</body></html>"


def test_meta_http_equiv_referrer_policy_does_not_count() -> None:
    retrieval = site(body=page('<meta http-equiv="Referrer-Policy" content="no-referrer">'))
    assert result_of(referrer_policy, retrieval) == ("referrer-policy-not-implemented", 0)
    unsafe = site(
        headers={"Referrer-Policy": "unsafe-url"},
        body=page('<meta http-equiv="Referrer-Policy" content="no-referrer">'),
    )
    assert result_of(referrer_policy, unsafe) == ("referrer-policy-unsafe", -5)


def test_meta_name_referrer_counts() -> None:
    retrieval = site(body=page('<meta name="referrer" content="strict-origin-when-cross-origin">'))
    assert result_of(referrer_policy, retrieval) == ("referrer-policy-private", 5)


def test_meta_http_equiv_corp_does_not_count() -> None:
    retrieval = site(body=page('<meta http-equiv="Cross-Origin-Resource-Policy" content="same-origin">'))
    assert result_of(cross_origin_resource_policy, retrieval) == ("corp-not-implemented", 0)


def test_meta_policies_are_read_only_from_html() -> None:
    body = page(
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'\"><meta name=referrer content=no-referrer>"
    )
    plain = site(headers={"Content-Type": "text/plain"}, body=body)
    assert result_of(content_security_policy, plain) == ("csp-not-implemented", -25)
    assert result_of(referrer_policy, plain) == ("referrer-policy-not-implemented", 0)


# --- 8. html-not-parseable ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        '<div style="@media only screen{background-image: url(http://a.com/a.jpg)">x</div>',
        "<p style='color: blue; @supports (display: grid){display: grid'>x</p>",
    ],
)
def test_a_page_that_cannot_be_parsed_is_html_not_parseable(markup) -> None:
    retrieval = site(body=page("") + markup)
    outcome = subresource_integrity.analyze(retrieval)
    assert (outcome.result, modifier(outcome.result), outcome.passed) == ("html-not-parseable", -20, False)


@pytest.mark.parametrize(
    "markup",
    [
        '<div style="@media screen{color: red}">x</div>',
        '<div style="color: red">x</div>',
        "<p>unclosed <b>tags",
    ],
)
def test_ordinary_sloppy_html_is_still_parsed(markup) -> None:
    retrieval = site(body=page("") + markup)
    assert result_of(subresource_integrity, retrieval) == ("sri-not-implemented-but-no-scripts-loaded", 0)


@pytest.mark.django_db
def test_an_unparseable_page_is_a_finding_in_the_report(
    start_server, https_server, django_capture_on_commit_callbacks
) -> None:
    http = start_server()
    serve_good_site(http, https_server)
    https_server.clear()
    https_server.expect_request("/").respond_with_data(
        '<html><body><div style="@media print{display:none">x</div></body></html>',
        content_type="text/html",
        headers=GOOD_HEADERS,
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.results["tests"]["subresource-integrity"]["result"] == "html-not-parseable"
    assert assessment.findings.filter(check_id="html-not-parseable", score_modifier=-20).exists()


# --- 9. certificates with many names -----------------------------------------------------------------


def test_every_certificate_name_is_kept(ca) -> None:
    names = [f"edge-{i}.cdn.example.net" for i in range(150)] + ["www.acme-corp.com"]
    cert = ca.issue_cert(*names)
    facts = tls.describe_certificate(_der(cert))
    assert len(facts.names) == 151
    assert tls.hostname_matches("www.acme-corp.com", facts.names)


def _der(cert) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)


@pytest.mark.django_db
def test_a_host_late_in_a_large_certificate_is_not_a_mismatch(
    start_server, ca, django_capture_on_commit_callbacks
) -> None:
    names = [f"edge-{i}.cdn.example.net" for i in range(80)] + ["localhost"]
    https = start_server(server_context(ca.issue_cert(*names)))
    https.expect_request("/").respond_with_data(GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS)
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.results["tls"]["hostname_matches"] is True
    assert not assessment.findings.filter(check_id="tls-certificate-hostname-mismatch").exists()
    assert assessment.grade == "A+"
