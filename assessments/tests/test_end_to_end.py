"""Whole assessments against real local servers: request → scan → findings → PDF → e-mail.

Only loopback servers are contacted (pytest-httpserver; trustme certificates).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from assessments.models import AssessmentStatus, SecurityAssessment
from assessments.services import assessment_create_by_staff
from leads.models import LeadEventKind
from leads.tests.factories import LeadFactory

from .conftest import ORIGIN
from .servers import GOOD_HEADERS, GOOD_PAGE, self_signed_context, server_context

pytestmark = pytest.mark.django_db


def serve_good_site(http, https) -> None:
    https.expect_request("/").respond_with_data(GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS)
    https.expect_request("/.well-known/security.txt").respond_with_data(
        "Contact: mailto:security@acme-corp.com\nExpires: 2099-01-01T00:00:00Z\n", content_type="text/plain"
    )
    http.expect_request("/").respond_with_data(
        "", status=301, headers={"Location": f"https://localhost:{https.port}/"}
    )


def pdf_text(assessment: SecurityAssessment) -> str:
    assessment.report_file.open("rb")
    try:
        reader = PdfReader(io.BytesIO(assessment.report_file.read()))
    finally:
        assessment.report_file.close()
    return "\n".join(page.extract_text() for page in reader.pages)


def run_staff_scan(target: str, capture) -> SecurityAssessment:
    lead = LeadFactory(email="ciso@acme-corp.com", first_name="Ada")
    with capture(execute=True):
        assessment = assessment_create_by_staff(
            lead=lead, target_url=target, assessment_type="standard", actor=None
        )
    return SecurityAssessment.objects.get(pk=assessment.pk)


def test_well_configured_site_gets_a_plus_through_the_api_and_the_report_is_emailed(
    start_server, https_server, website, django_capture_on_commit_callbacks, admin_client
) -> None:
    http = start_server()
    serve_good_site(http, https_server)
    site = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    response = site.post(
        "/api/v1/assessments/",
        {"email": "ciso@acme-corp.com", "first_name": "Ada", "target_url": "https://localhost/"},
        content_type="application/json",
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending_approval"  # localhost is not acme-corp.com: staff must approve
    status_url = body["status_url"]

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/assessments/securityassessment/",
            {"action": "approve_target", "_selected_action": [body["assessment_id"]]},
        )

    result = Client().get(status_url).json()
    assert result["status"] == "completed", result
    assert result["grade"] == "A+"
    assert result["score"] == 130  # 100 + CSP 10 + XFO via CSP 5 + referrer 5 + CORP 10
    assert result["risk_score"] <= 5
    # Werkzeug announces its version in Server: the one thing left to fix.
    assert {f["check_id"] for f in result["findings"]} == {"info-leak-server-version"}

    assessment = SecurityAssessment.objects.get(pk=body["assessment_id"])
    tests = assessment.results["tests"]
    assert tests["redirection"]["result"] == "redirection-to-https"
    assert tests["strict-transport-security"]["result"] == "hsts-implemented-max-age-at-least-six-months"
    assert tests["content-security-policy"]["result"] == "csp-implemented-with-no-unsafe-default-src-none"
    assert assessment.results["tls"]["verify_error"] is None

    text = pdf_text(assessment)
    assert "A+" in text
    assert "Prepared for Acme Corp" in text
    assert "Server header reveals the software version" in text

    [message] = mail.outbox
    assert message.to == ["ciso@acme-corp.com"]
    assert "grade A+" in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and filename.endswith(".pdf") and content.startswith(b"%PDF")
    assert message.alternatives[0][1] == "text/html"
    assert assessment.report_sent_at is not None
    kinds = list(assessment.lead.events.values_list("kind", flat=True))
    assert LeadEventKind.ASSESSMENT in kinds and LeadEventKind.EMAIL_SENT in kinds

    report = Client().get(result["report_url"])
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"


def test_bare_http_site_gets_f_with_the_expected_findings(
    start_server, django_capture_on_commit_callbacks
) -> None:
    http = start_server()  # no HTTPS server: the HTTPS port refuses connections
    http.expect_request("/").respond_with_data(
        '<html><body><form action="http://localhost/login" method="post"><input name="password"></form></body></html>',
        content_type="text/html",
        headers={"Set-Cookie": "sessionid=abc123; Path=/", "X-Powered-By": "PHP/8.1.2"},
    )
    assessment = run_staff_scan("http://localhost/", django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    assert assessment.grade == "F"
    assert assessment.observatory_score == 0
    assert assessment.risk_score == 100
    found = set(assessment.findings.values_list("check_id", flat=True))
    assert {
        "csp-not-implemented",
        "cookies-session-without-secure-flag",
        "redirection-missing",
        "hsts-not-implemented-no-https",
        "x-content-type-options-not-implemented",
        "x-frame-options-not-implemented",
        "tls-not-available",
        "info-leak-x-powered-by",
        "form-action-insecure",
        "permissions-policy-not-implemented",
    } <= found
    critical = assessment.findings.get(check_id="cookies-session-without-secure-flag")
    assert critical.severity == "critical" and critical.score_modifier == -40
    assert "sessionid=abc123" in critical.evidence
    assert any(ref.startswith("OWASP ASVS 5.0 V3.3") for ref in critical.compliance_refs)
    assert "Secure" in critical.recommendation and "nginx" in critical.recommendation

    text = pdf_text(assessment)
    assert "Session cookie sent without the Secure flag" in text
    assert "No Content Security Policy" in text
    [message] = mail.outbox
    assert "grade F" in message.subject


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("expired", "tls-certificate-expired"),
        ("wrong_host", "tls-certificate-hostname-mismatch"),
        ("self_signed", "tls-certificate-self-signed"),
    ],
)
def test_bad_certificates_are_reported_and_cap_the_grade(
    variant, expected, start_server, ca, tmp_path, django_capture_on_commit_callbacks
) -> None:
    if variant == "expired":
        past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        context = server_context(
            ca.issue_cert("localhost", not_before=past, not_after=past + dt.timedelta(days=90))
        )
    elif variant == "wrong_host":
        context = server_context(ca.issue_cert("www.other-company.example"))
    else:
        context = self_signed_context(tmp_path)
    https = start_server(context)
    https.expect_request("/").respond_with_data(GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS)
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    found = set(assessment.findings.values_list("check_id", flat=True))
    assert expected in found
    assert "hsts-invalid-cert" in found  # HSTS cannot protect a site with an invalid certificate
    assert assessment.grade == "F"
    assert assessment.results["grade_cap"] == "F"
    assert assessment.results["tls"]["verify_error"]


def test_valid_certificate_has_no_tls_findings(
    start_server, https_server, django_capture_on_commit_callbacks
) -> None:
    https_server.expect_request("/").respond_with_data(
        GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    tls = assessment.results["tls"]
    assert tls["verify_error"] is None and tls["hostname_matches"] is True
    assert tls["protocols"]["TLSv1.2"] is True
    assert not [c for c in assessment.findings.values_list("check_id", flat=True) if c.startswith("tls-")]
    # No HTTP server: nothing to redirect, which the Observatory does not penalise.
    assert assessment.results["tests"]["redirection"]["result"] == "redirection-not-needed-no-http"


def test_http_redirect_to_https_on_another_host_is_penalised(
    start_server, https_server, django_capture_on_commit_callbacks
) -> None:
    http = start_server()
    https_server.expect_request("/").respond_with_data(
        GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS
    )
    http.expect_request("/").respond_with_data(
        "", status=301, headers={"Location": f"https://127.0.0.1:{https_server.port}/"}
    )
    assessment = run_staff_scan("https://localhost/", django_capture_on_commit_callbacks)
    assert assessment.results["tests"]["redirection"]["result"] == "redirection-off-host-from-http"
    assert assessment.findings.filter(check_id="redirection-off-host-from-http", score_modifier=-5).exists()


def test_site_answering_500_fails_the_assessment(start_server, django_capture_on_commit_callbacks) -> None:
    http = start_server()
    http.expect_request("/").respond_with_data("boom", status=500)
    assessment = run_staff_scan("http://localhost/", django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.FAILED
    assert "HTTP 500" in assessment.error
    assert mail.outbox == []


def test_unreachable_site_is_retried_then_fails(local_targets, django_capture_on_commit_callbacks) -> None:
    local_targets.ASSESSMENT_MAX_ATTEMPTS = 2
    assessment = run_staff_scan("http://localhost/", django_capture_on_commit_callbacks)  # nothing listens
    assert assessment.status == AssessmentStatus.FAILED
    assert assessment.attempts == 2
    assert "did not answer" in assessment.error
