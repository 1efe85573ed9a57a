"""A nurture address the mail server always refuses: retried every 15 minutes, then, after
NURTURE_MAX_SEND_FAILURES refusals in a row, stopped as undeliverable (on the timeline, in the
admin). An outage or a "try later" never counts; a send that goes out starts the count again."""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from leads.models import (
    EnrollmentStatus,
    LeadEvent,
    LeadEventKind,
    NurtureEnrollment,
    NurtureSend,
    StopReason,
)
from leads.nurture.services import nurture_enroll, nurture_send_due
from leads.nurture.services.sending import RETRY_DELAY, refusal_of

from .nurture_helpers import consenting_lead, make_sequence

pytestmark = pytest.mark.django_db


def refuse_with(monkeypatch, error: Exception) -> None:
    def send_messages(self, messages):
        raise error

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def enrolled() -> NurtureEnrollment:
    lead = consenting_lead(email="nobody@example.com")
    (enrollment,) = nurture_enroll(lead=lead, trigger=make_sequence().trigger)
    return enrollment


def run_at(when: datetime):
    return nurture_send_due(now=when)


def no_such_user() -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"nobody@example.com": (550, b"5.1.1 no such user")})


def test_refused_sends_stop_the_enrolment_as_undeliverable(monkeypatch, settings) -> None:
    settings.NURTURE_MAX_SEND_FAILURES = 3
    enrollment = enrolled()
    refuse_with(monkeypatch, no_such_user())
    when = timezone.now() + timedelta(minutes=1)
    for attempt in (1, 2):
        report = run_at(when)
        assert report.failed == 1 and report.undeliverable == 0
        enrollment.refresh_from_db()
        assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.send_failures == attempt
        assert enrollment.next_send_at == when + RETRY_DELAY
        assert enrollment.last_send_error == "550 5.1.1 no such user"
        assert run_at(when + timedelta(minutes=5)).failed == 0  # not due before the 15 minutes
        when += RETRY_DELAY

    report = run_at(when)
    assert report.undeliverable == 1 and report.failed == 0
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.STOPPED
    assert enrollment.stop_reason == StopReason.UNDELIVERABLE
    assert enrollment.next_send_at is None and enrollment.finished_at is not None
    event = LeadEvent.objects.get(lead=enrollment.lead, kind=LeadEventKind.NURTURE_STOPPED)
    assert event.summary.startswith("Nurture stopped (undeliverable): “Welcome”")
    assert "refused nobody@example.com 3 times in a row" in event.summary
    assert "550 5.1.1 no such user" in event.summary and event.data["reason"] == "undeliverable"
    assert not NurtureSend.objects.exists()
    # Never tried again.
    assert run_at(when + timedelta(days=30)).failed == 0


def test_an_outage_is_retried_without_counting(monkeypatch, settings) -> None:
    settings.NURTURE_MAX_SEND_FAILURES = 2
    enrollment = enrolled()
    when = timezone.now() + timedelta(minutes=1)
    for error in (
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPRecipientsRefused({"nobody@example.com": (450, b"4.2.0 mailbox busy")}),
        smtplib.SMTPSenderRefused(553, b"sender not allowed", "crm@example.com"),
    ):
        refuse_with(monkeypatch, error)
        assert run_at(when).failed == 1
        when += RETRY_DELAY
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.send_failures == 0
    monkeypatch.undo()
    assert run_at(when).sent == 1 and len(mail.outbox) == 1


def test_a_send_that_goes_out_resets_the_count(monkeypatch, settings) -> None:
    settings.NURTURE_MAX_SEND_FAILURES = 2
    enrollment = enrolled()
    when = timezone.now() + timedelta(minutes=1)
    refuse_with(monkeypatch, smtplib.SMTPDataError(554, b"5.7.1 message rejected"))
    assert run_at(when).failed == 1
    enrollment.refresh_from_db()
    assert enrollment.send_failures == 1 and enrollment.last_send_error == "554 5.7.1 message rejected"
    monkeypatch.undo()
    assert run_at(when + RETRY_DELAY).sent == 1
    enrollment.refresh_from_db()
    assert enrollment.send_failures == 0 and enrollment.last_send_error == ""
    # The next step is refused once: one refusal in a row, not two, so it is still active.
    refuse_with(monkeypatch, no_such_user())
    assert run_at(when + timedelta(days=4)).failed == 1
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.send_failures == 1


@pytest.mark.parametrize(
    ("error", "refusal"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"no such user")}), "550 no such user"),
        (smtplib.SMTPDataError(552, "too big"), "552 too big"),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (421, b"later")}), None),
        (smtplib.SMTPSenderRefused(550, b"no", "crm@x.test"), None),
        (smtplib.SMTPAuthenticationError(535, b"bad login"), None),
        (TimeoutError("timed out"), None),
    ],
)
def test_what_counts_as_a_refusal(error: Exception, refusal: str | None) -> None:
    assert refusal_of(error) == refusal


def test_the_admin_shows_undeliverable_enrolments(monkeypatch, settings, manager_client: Client) -> None:
    settings.NURTURE_MAX_SEND_FAILURES = 1
    enrollment = enrolled()
    refuse_with(monkeypatch, no_such_user())
    run_at(timezone.now() + timedelta(minutes=1))
    listing = manager_client.get("/admin/leads/nurtureenrollment/?stop_reason=undeliverable")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Undeliverable" in page and escape(str(enrollment.lead)) in page
    detail = manager_client.get(f"/admin/leads/nurtureenrollment/{enrollment.pk}/change/").content.decode()
    assert "550 5.1.1 no such user" in detail and "Refused sends" in detail
