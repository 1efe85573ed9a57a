"""Nurture e-mail end to end on real parts: an assessment completes for a lead who agreed to
marketing, the default sequence enrols it, `manage.py send_nurture` hands the day-3 e-mail to a
real SMTP server (aiosmtpd on a local port), the RFC 8058 headers are checked on the wire, and the
one-click POST to the address in the header unsubscribes the lead, so day 10 never goes out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentStatus, SecurityAssessment
from assessments.scanner.scan import evaluate
from leads.models import EnrollmentStatus, Lead, LeadEventKind, NurtureEnrollment, StopReason
from leads.tests.factories import LeadFactory

from .helpers import site
from .servers import free_port

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield inbox
    finally:
        controller.stop()


def _complete_assessment(lead: Lead, capture) -> SecurityAssessment:
    assessment = SecurityAssessment.objects.create(
        lead=lead,
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        status=AssessmentStatus.RUNNING,
    )
    outcome = evaluate(site(headers={}, host="www.acme-corp.com"), None, now=timezone.now())
    with capture(execute=True):
        services.assessment_complete(assessment=assessment, outcome=outcome)
    return assessment


def test_after_an_assessment_the_nurture_mail_goes_out_over_smtp_with_one_click_unsubscribe(
    smtp: Inbox, media, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://www.enterprisescanner.com"
    lead = LeadFactory(
        email="ciso@acme-corp.com",
        first_name="Jordan",
        consent_marketing=True,
        consent_marketing_at=timezone.now(),
    )
    _complete_assessment(lead, django_capture_on_commit_callbacks)
    enrollment = NurtureEnrollment.objects.get(lead=lead)
    assert enrollment.sequence.name == "After a security assessment"

    call_command("send_nurture")  # day 0: nothing due yet (only the report went out)
    assert [m["Subject"] for m in smtp.messages if "findings" in m["Subject"]] == []
    NurtureEnrollment.objects.filter(pk=enrollment.pk).update(
        next_send_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("send_nurture")

    (nurture,) = [m for m in smtp.messages if "findings" in m["Subject"]]
    assert nurture["Subject"] == "Jordan, how to fix your top 3 findings"
    assert nurture["To"] == "ciso@acme-corp.com"
    assert nurture["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_part, mailto_part = [part.strip() for part in str(nurture["List-Unsubscribe"]).split(",")]
    assert https_part.startswith("<https://www.enterprisescanner.com/u/") and https_part.endswith("/>")
    assert mailto_part == "<mailto:unsubscribe@enterprisescanner.com?subject=unsubscribe>"
    assert nurture["Message-ID"].endswith("@www.enterprisescanner.com>")
    text = nurture.get_body(("plain",)).get_content()
    html = nurture.get_body(("html",)).get_content()
    grade = SecurityAssessment.objects.get(lead=lead).grade
    assert f"grade {grade}" in text and "1. " in text and https_part.strip("<>") in text
    assert f"<strong>{grade}</strong>" in html and "Unsubscribe</a>" in html

    # The mail client's one-click POST (RFC 8058): no cookie, no CSRF token.
    path = urlsplit(https_part.strip("<>")).path
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is not None and not lead.consent_marketing
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == (EnrollmentStatus.STOPPED, StopReason.UNSUBSCRIBED)

    before = len(smtp.messages)
    NurtureEnrollment.objects.filter(pk=enrollment.pk).update(next_send_at=timezone.now())
    call_command("send_nurture")
    assert len(smtp.messages) == before  # day 10 never goes out
    kinds = list(lead.events.order_by("created_at", "id").values_list("kind", flat=True))
    for kind in (LeadEventKind.NURTURE_ENROLLED, LeadEventKind.NURTURE_SENT, LeadEventKind.UNSUBSCRIBED):
        assert kind in kinds


def test_no_consent_no_nurture_even_after_an_assessment(
    smtp: Inbox, media, django_capture_on_commit_callbacks
) -> None:
    lead = LeadFactory(email="ciso@acme-corp.com")
    _complete_assessment(lead, django_capture_on_commit_callbacks)
    assert not NurtureEnrollment.objects.filter(lead=lead).exists()
    assert len(smtp.messages) == 1  # the report the lead asked for, nothing else
