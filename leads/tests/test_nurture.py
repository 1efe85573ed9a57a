"""Nurture e-mail: enrolment rules (consent first), sending with the ledger, every stop rule,
crash-resume without duplicates, the rate limit and the send batch's query count."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.services import website_create
from enterprise_scanner.api.services import api_key_create
from enterprise_scanner.tests.concurrency import run_at_once
from leads import services
from leads.models import (
    EnrollmentStatus,
    Lead,
    LeadEvent,
    LeadEventKind,
    LeadStatus,
    NurtureEnrollment,
    NurtureSend,
    NurtureSequence,
    NurtureTrigger,
    StopReason,
)
from leads.nurture.services import lead_unsubscribe, nurture_enroll, nurture_send_due
from leads.nurture.templating import template_problem

from .factories import LeadFactory
from .nurture_helpers import consenting_lead, make_sequence

pytestmark = pytest.mark.django_db

ORIGIN = "https://www.enterprisescanner.com"


def _enrolled(lead: Lead, sequence: NurtureSequence) -> NurtureEnrollment:
    (enrollment,) = nurture_enroll(lead=lead, trigger=sequence.trigger)
    return enrollment


def _later(days: float = 0, hours: float = 0):
    return timezone.now() + timedelta(days=days, hours=hours, minutes=1)


# --- Enrolment rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "form", "enrolled"),
    [(True, "demo_request", 1), (False, "demo_request", 0), (True, "contact", 0)],
)
def test_a_form_submission_enrols_only_with_consent_and_only_its_forms(consent, form, enrolled) -> None:
    make_sequence(sources=["demo_request"])
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    body = {
        "email": "jordan@acme.example",
        "first_name": "Jordan",
        "form": form,
        "consent_marketing": consent,
    }
    response = client.post("/api/v1/leads/", body, content_type="application/json")
    assert response.status_code == 201
    lead = Lead.objects.get(email="jordan@acme.example")
    assert NurtureEnrollment.objects.filter(lead=lead).count() == enrolled
    assert lead.events.filter(kind=LeadEventKind.NURTURE_ENROLLED).count() == enrolled


def test_a_score_band_enrols_when_the_score_enters_it_and_never_twice() -> None:
    sequence = make_sequence(trigger=NurtureTrigger.SCORE_BAND, min_score=60, max_score=90)
    lead = consenting_lead(score=40)
    assert nurture_enroll(lead=lead, trigger=NurtureTrigger.SCORE_BAND) == []
    lead.score = 75
    assert len(nurture_enroll(lead=lead, trigger=NurtureTrigger.SCORE_BAND)) == 1
    assert nurture_enroll(lead=lead, trigger=NurtureTrigger.SCORE_BAND) == []
    NurtureEnrollment.objects.filter(lead=lead).update(status=EnrollmentStatus.COMPLETED)
    assert nurture_enroll(lead=lead, trigger=NurtureTrigger.SCORE_BAND) == []  # not even after it ended
    assert sequence.enrollments.count() == 1


def test_rescoring_enrols_through_the_score_hook() -> None:
    make_sequence(trigger=NurtureTrigger.SCORE_BAND, min_score=0)
    lead = consenting_lead()
    services.lead_rescore(lead_id=lead.pk)
    assert NurtureEnrollment.objects.filter(lead=lead).exists()


def test_no_enrolment_without_consent_after_unsubscribing_when_closed_or_inactive() -> None:
    make_sequence()
    make_sequence(name="Paused", is_active=False)
    assert nurture_enroll(lead=LeadFactory(), trigger=NurtureTrigger.FORM_SUBMITTED) == []
    closed = consenting_lead(status=LeadStatus.CLOSED_LOST, lost_reason="Budget")
    assert nurture_enroll(lead=closed, trigger=NurtureTrigger.FORM_SUBMITTED) == []
    gone = consenting_lead()
    lead_unsubscribe(lead=gone, via="test")
    gone.refresh_from_db()
    assert nurture_enroll(lead=gone, trigger=NurtureTrigger.FORM_SUBMITTED) == []
    ok = consenting_lead()
    assert [e.sequence.name for e in nurture_enroll(lead=ok, trigger=NurtureTrigger.FORM_SUBMITTED)] == [
        "Welcome"
    ]


# --- Sending -----------------------------------------------------------------------------------


def test_a_due_step_is_sent_once_with_unsubscribe_headers_and_on_the_timeline(settings) -> None:
    settings.SITE_URL = "https://www.enterprisescanner.com"
    sequence = make_sequence()
    lead = consenting_lead(first_name="<Jo>", company_name="Acme")
    enrollment = _enrolled(lead, sequence)

    report = nurture_send_due()
    assert report.sent == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [lead.email]
    assert message.subject == "Welcome, <Jo>"
    unsubscribe, mailto = message.extra_headers["List-Unsubscribe"].split(", ")
    assert unsubscribe.startswith("<https://www.enterprisescanner.com/u/") and mailto.startswith("<mailto:")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body
    html = message.alternatives[0][0]
    assert "<b>&lt;Jo&gt;</b>" in html and "Unsubscribe</a>" in html
    send = NurtureSend.objects.get()
    assert send.enrollment == enrollment and message.extra_headers["Message-ID"] == send.message_id
    assert lead.events.filter(kind=LeadEventKind.NURTURE_SENT).count() == 1

    assert nurture_send_due().sent == 0  # nothing else due yet: day 3
    enrollment.refresh_from_db()
    assert enrollment.next_step.position == 2
    assert enrollment.next_send_at > timezone.now() + timedelta(days=2)


def test_the_whole_sequence_goes_out_then_completes() -> None:
    lead = consenting_lead()
    _enrolled(lead, make_sequence())
    nurture_send_due()
    report = nurture_send_due(now=_later(days=3))
    assert report.sent == 1 and report.completed == 1
    assert [m.subject for m in mail.outbox] == [
        f"Welcome, {lead.first_name}",
        "How to fix your top 3 findings",
    ]
    enrollment = NurtureEnrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.next_send_at is None
    assert nurture_send_due(now=_later(days=30)).sent == 0


def test_an_inactive_sequence_pauses_its_enrolments() -> None:
    sequence = make_sequence()
    _enrolled(consenting_lead(), sequence)
    NurtureSequence.objects.filter(pk=sequence.pk).update(is_active=False)
    assert nurture_send_due().sent == 0
    NurtureSequence.objects.filter(pk=sequence.pk).update(is_active=True)
    assert nurture_send_due().sent == 1


def test_a_worker_killed_mid_batch_resumes_and_sends_nobody_twice(monkeypatch) -> None:
    sequence = make_sequence()
    leads = [consenting_lead() for _ in range(5)]
    for lead in leads:
        _enrolled(lead, sequence)
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def dying_send(self, messages):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")  # not an Exception: the sender does not catch it
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dying_send)
    with pytest.raises(SystemExit):
        nurture_send_due()
    assert len(mail.outbox) == 2 and NurtureSend.objects.count() == 2

    report = nurture_send_due()
    assert report.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(lead.email for lead in leads)
    assert NurtureSend.objects.count() == 5
    assert nurture_send_due().sent == 0


def test_a_refused_send_is_retried_later_and_the_command_says_so(monkeypatch) -> None:
    _enrolled(consenting_lead(), make_sequence())
    monkeypatch.setattr(
        EmailBackend, "send_messages", lambda self, messages: (_ for _ in ()).throw(SMTPException("down"))
    )
    with pytest.raises(CommandError, match="1 nurture e-mails failed"):
        call_command("send_nurture")
    enrollment = NurtureEnrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.next_send_at > timezone.now()
    assert (
        not NurtureSend.objects.exists()
        and not LeadEvent.objects.filter(kind=LeadEventKind.NURTURE_SENT).exists()
    )
    monkeypatch.undo()
    assert nurture_send_due(now=_later(hours=1)).sent == 1


def test_the_rate_limit_caps_a_run(settings, capsys) -> None:
    settings.NURTURE_MAX_PER_RUN = 2
    sequence = make_sequence()
    for _ in range(5):
        _enrolled(consenting_lead(), sequence)
    call_command("send_nurture")
    assert "Nurture: 2 sent" in capsys.readouterr().out
    assert len(mail.outbox) == 2
    call_command("send_nurture", limit=10)
    assert len(mail.outbox) == 5


def _queries_to_send(count: int) -> int:
    NurtureSequence.objects.update(is_active=False)
    sequence = make_sequence(name=f"Seq {count}")
    for _ in range(count):
        _enrolled(consenting_lead(), sequence)
    with CaptureQueriesContext(connection) as queries:
        assert nurture_send_due().sent == count
    return len(queries)


def test_the_send_batch_costs_a_fixed_number_of_queries_per_e_mail() -> None:
    three, six = _queries_to_send(3), _queries_to_send(6)
    per_mail = (six - three) / 3
    assert per_mail <= 16
    assert three <= 3 + 3 * per_mail  # the batch itself adds two queries (due list, steps)


# --- Stops -------------------------------------------------------------------------------------


def test_closing_the_deal_stops_the_nurture() -> None:
    lead = consenting_lead()
    _enrolled(lead, make_sequence())
    services.lead_change_status(lead=lead, status=LeadStatus.CLOSED_WON)
    enrollment = NurtureEnrollment.objects.get()
    assert (enrollment.status, enrollment.stop_reason) == (EnrollmentStatus.STOPPED, StopReason.CLOSED)
    assert lead.events.filter(kind=LeadEventKind.NURTURE_STOPPED).exists()
    assert nurture_send_due().sent == 0 and not mail.outbox


def test_the_sender_rechecks_consent_right_before_sending() -> None:
    lead = consenting_lead()
    _enrolled(lead, make_sequence())
    Lead.objects.filter(pk=lead.pk).update(consent_marketing=False)  # e.g. an import changed it
    report = nurture_send_due()
    assert (report.sent, report.stopped) == (0, 1) and not mail.outbox
    assert NurtureEnrollment.objects.get().stop_reason == StopReason.CONSENT_WITHDRAWN


def test_a_reply_logged_through_the_activity_api_stops_the_nurture() -> None:
    lead = consenting_lead()
    _enrolled(lead, make_sequence())
    _, raw = api_key_create(name="Mailbox", scopes=["leads:write"])
    client = Client(headers={"Authorization": f"Api-Key {raw}"})
    url = f"/api/v1/leads/{lead.pk}/activities/"
    response = client.post(
        url, {"kind": "email_reply", "summary": "Can we talk Tuesday?"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["nurture_stopped"] == 1
    event = lead.events.get(kind=LeadEventKind.EMAIL_REPLY)
    assert event.summary == "Reply: Can we talk Tuesday?" and event.actor_label == "API key Mailbox"
    assert NurtureEnrollment.objects.get().stop_reason == StopReason.REPLIED
    assert nurture_send_due().sent == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "fax", "summary": "x"}, "kind"),
        ({"kind": "call"}, "outcome"),
        ({"kind": "email_reply", "summary": ""}, "body"),
        ({"kind": "meeting", "summary": "x", "occurred_at": "2020-01-01T10:00:00Z"}, "occurred_at"),
        ({"kind": "meeting", "summary": "x", "occurred_at": "not a date"}, "occurred_at"),
    ],
)
def test_bad_activities_get_clear_field_errors(body, field) -> None:
    lead = LeadFactory()
    _, raw = api_key_create(name="Mailbox", scopes=["leads:write"])
    client = Client(headers={"Authorization": f"Api-Key {raw}"})
    response = client.post(f"/api/v1/leads/{lead.pk}/activities/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_activity_api_needs_the_write_scope_and_a_known_lead() -> None:
    lead = LeadFactory()
    _, read_only = api_key_create(name="Reader", scopes=["leads:read"])
    _, writer = api_key_create(name="Writer", scopes=["leads:write"])
    body = {"kind": "email", "summary": "Sent the quote"}
    url = f"/api/v1/leads/{lead.pk}/activities/"
    assert Client().post(url, body, content_type="application/json").status_code == 401
    reader = Client(headers={"Authorization": f"Api-Key {read_only}"})
    assert reader.post(url, body, content_type="application/json").status_code == 403
    writer_client = Client(headers={"Authorization": f"Api-Key {writer}"})
    missing = "/api/v1/leads/00000000-0000-0000-0000-000000000000/activities/"
    assert writer_client.post(missing, body, content_type="application/json").status_code == 404
    assert "/api/v1/leads/{id}/activities/" in Client().get("/api/schema/").content.decode()


# --- The default sequence ----------------------------------------------------------------------


def test_the_default_sequence_is_seeded_with_valid_templates() -> None:
    sequence = NurtureSequence.objects.get(name="After a security assessment")
    assert sequence.trigger == NurtureTrigger.ASSESSMENT_COMPLETED and sequence.is_active
    steps = list(sequence.steps.order_by("position"))
    assert [s.delay_days for s in steps] == [3, 10]
    for step in steps:
        assert template_problem(step.subject, html=False) is None
        assert template_problem(step.text_template, html=False) is None
        assert template_problem(step.html_template, html=True) is None


@pytest.mark.django_db(transaction=True)
def test_senders_running_at_once_send_each_e_mail_once() -> None:
    """Three cron runs overlap (on PostgreSQL, real row locks with SKIP LOCKED)."""
    sequence = make_sequence()
    leads = [consenting_lead() for _ in range(12)]
    for lead in leads:
        _enrolled(lead, sequence)
    reports = []
    run_at_once([lambda: reports.append(nurture_send_due())] * 3)
    assert sum(report.sent for report in reports) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(lead.email for lead in leads)
    assert NurtureSend.objects.count() == 12
