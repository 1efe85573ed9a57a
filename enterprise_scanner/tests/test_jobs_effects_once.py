"""Jobs run again after their worker died still have their effects once (issue 12).

Two ways a re-run could drop or double an effect, for every job that has one:
- a follow-up job queued *after* COMMIT (on commit) is lost when the process dies between the
  two; it must be stored in the same transaction (the transactional outbox);
- an e-mail sent before its record commits is sent again by the re-run; each e-mail is recorded
  first and sent last, and carries a Message-ID that is the same on every run, so the one
  duplicate left possible (killed between the SMTP hand-off and COMMIT) is recognisable.

"The worker dies right after COMMIT" is a test whose on-commit callbacks never run; "the worker
dies before COMMIT" is the job's transaction rolled back after it sent its e-mail.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import services as assessments
from assessments.models import AssessmentStatus, SecurityAssessment
from assessments.scanner.scan import evaluate
from assessments.tasks import assessment_report_email_task
from assessments.tests.helpers import site
from chat import services as chat
from chat.models import EscalationReason
from chat.tasks import conversation_alert_task, transcript_email_task
from leads.followups import send_followup_reminders
from leads.models import Lead, LeadEventKind
from leads.services import LeadSubmission, lead_rescore, lead_send_hot_alert, lead_submit
from leads.tasks import lead_hot_alert_task
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(Exception):
    """Stands for SIGKILL between a job's e-mail and its COMMIT."""


@pytest.fixture
def database_tasks(settings) -> None:
    settings.TASK_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def killed_before_commit(job) -> None:
    """Run a job whose worker dies after the e-mail went out, before its transaction commits."""
    with pytest.raises(WorkerKilled), transaction.atomic():
        job()
        raise WorkerKilled


def jobs_of(task) -> list[list]:
    return [job.args_kwargs["args"] for job in DBTaskResult.objects.filter(task_path=task.module_path)]


def hot_lead() -> Lead:
    """A Fortune 500 CISO who asked for a demo (queues its scoring job, not run here)."""
    Fortune500CompanyFactory()  # JPMorgan Chase
    lead, _ = lead_submit(
        submission=LeadSubmission(
            email="j.doe@jpmorganchase.com",
            job_title="Chief Information Security Officer",
            form="demo_request",
        )
    )
    return lead


def crossing_of(lead: Lead) -> int:
    return lead.events.filter(kind=LeadEventKind.SCORED).latest("created_at").pk


# --- Follow-up jobs are stored with the change (no on-commit enqueue to lose) ---------------------


def test_the_hot_lead_alert_is_queued_with_the_score_not_after_it(database_tasks) -> None:
    lead = hot_lead()
    lead_rescore(lead_id=lead.pk)  # committed; the worker then dies before any on-commit hook
    assert jobs_of(lead_hot_alert_task) == [[str(lead.pk), crossing_of(lead)]]
    lead_rescore(lead_id=lead.pk)  # the re-run of the scoring job: no second crossing, no second alert
    assert len(jobs_of(lead_hot_alert_task)) == 1


def test_the_chat_alert_is_queued_with_the_escalation(database_tasks) -> None:
    from analytics.services import website_create

    website = website_create(name="Site", allowed_origins=["https://example.com"])
    conversation, _ = chat.conversation_start(website=website, visitor_id="v-1")
    assert chat.conversation_escalate(
        conversation_id=conversation.pk, reason=EscalationReason.ASKED_FOR_HUMAN
    )
    assert jobs_of(conversation_alert_task) == [[str(conversation.pk), "escalated"]]


def chat_with_a_typed_address():
    from analytics.services import website_create

    website = website_create(name="Site", allowed_origins=["https://example.com"])
    conversation, _ = chat.conversation_start(website=website, visitor_id="v-1")
    chat.message_post(conversation_id=conversation.pk, sender="visitor", body="Hi, pat@globex-corp.com here")
    return conversation


def test_the_transcript_email_is_queued_with_the_request(database_tasks) -> None:
    conversation = chat_with_a_typed_address()
    chat.transcript_send(conversation_id=conversation.pk, email="pat@globex-corp.com")
    [[conversation_id, to, notice]] = jobs_of(transcript_email_task)
    assert (conversation_id, to) == (str(conversation.pk), "pat@globex-corp.com") and notice > 1
    assert not mail.outbox  # not sent by the request: a process dying after commit loses nothing


def test_the_transcript_is_emailed_once_per_request_when_its_job_runs_twice(database_tasks) -> None:
    conversation = chat_with_a_typed_address()
    chat.transcript_send(conversation_id=conversation.pk, email="pat@globex-corp.com")
    [args] = jobs_of(transcript_email_task)
    transcript_email_task.call(*args)
    transcript_email_task.call(*args)  # re-run after its worker died
    assert [m.to for m in mail.outbox] == [["pat@globex-corp.com"]]
    assert "pat@globex-corp.com here" in mail.outbox[0].body


def test_the_report_email_and_a_retried_scan_are_queued_with_the_scan(database_tasks, media) -> None:
    assessment = running_assessment(lead=LeadFactory(email="ciso@acme-corp.com"))
    outcome = evaluate(site(headers={}, host="www.acme-corp.com"), None, now=timezone.now())
    assessments.assessment_complete(assessment=assessment, outcome=outcome)
    assert jobs_of(assessment_report_email_task) == [[str(assessment.pk)]]


# --- E-mails: once per re-run, and the same Message-ID if a crash repeats one -----------------------


def test_the_hot_lead_alert_is_emailed_once_and_a_repeat_has_the_same_message_id() -> None:
    lead = hot_lead()
    lead_rescore(lead_id=lead.pk)
    crossing = crossing_of(lead)
    mail.outbox.clear()
    killed_before_commit(lambda: lead_send_hot_alert(lead_id=lead.pk, crossing_event_id=crossing))
    assert lead_send_hot_alert(lead_id=lead.pk, crossing_event_id=crossing) is True  # the re-run
    assert lead_send_hot_alert(lead_id=lead.pk, crossing_event_id=crossing) is False  # and another
    assert len(mail.outbox) == 2  # the one repeat a crash before COMMIT can cause ...
    first, repeat = (message.extra_headers.get("Message-ID") for message in mail.outbox)
    assert first and first == repeat  # ... is recognisable as the same e-mail
    assert lead.events.filter(kind=LeadEventKind.ALERT_SENT).count() == 1


def test_a_failed_hot_alert_send_records_nothing_and_the_re_run_sends_it(settings) -> None:
    lead = hot_lead()
    lead_rescore(lead_id=lead.pk)
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    with pytest.raises(OSError):
        lead_send_hot_alert(lead_id=lead.pk, crossing_event_id=crossing_of(lead))
    assert not lead.events.filter(kind=LeadEventKind.ALERT_SENT).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert lead_send_hot_alert(lead_id=lead.pk, crossing_event_id=crossing_of(lead)) is True
    assert len(mail.outbox) == 1


def test_the_chat_alert_is_emailed_once_when_its_job_runs_twice() -> None:
    from analytics.services import website_create

    website = website_create(name="Site", allowed_origins=["https://example.com"])
    conversation, _ = chat.conversation_start(website=website, visitor_id="v-1")
    chat.conversation_escalate(conversation_id=conversation.pk, reason=EscalationReason.ASKED_FOR_HUMAN)
    mail.outbox.clear()
    conversation_alert_task.call(str(conversation.pk), "escalated")
    conversation_alert_task.call(str(conversation.pk), "escalated")  # re-run after its worker died
    assert [m.subject for m in mail.outbox] == ["Chat needs a person"]
    killed_before_commit(lambda: conversation_alert_task.call(str(conversation.pk), "offline_lead"))
    conversation_alert_task.call(str(conversation.pk), "offline_lead")
    first, repeat = (m.extra_headers["Message-ID"] for m in mail.outbox[1:])
    assert first == repeat


def test_the_report_and_its_sales_copy_are_emailed_once_each(media, settings) -> None:
    lead = hot_lead()
    lead_rescore(lead_id=lead.pk)  # hot: sales get a copy
    assessment = running_assessment(lead=lead)
    outcome = evaluate(site(headers={}, host="www.acme-corp.com"), None, now=timezone.now())
    assessments.assessment_complete(assessment=assessment, outcome=outcome)
    mail.outbox.clear()
    killed_before_commit(lambda: assessment_report_email_task.call(str(assessment.pk)))
    assert assessment_report_email_task.call(str(assessment.pk)) is True
    assert assessment_report_email_task.call(str(assessment.pk)) is False
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients == ["j.doe@jpmorganchase.com", settings.SALES_ALERT_EMAIL] * 2
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids[:2] == ids[2:] and ids[0] != ids[1]
    assessment.refresh_from_db()
    assert assessment.report_sent_at and assessment.sales_copy_sent_at
    assert assessment.lead.events.filter(kind=LeadEventKind.EMAIL_SENT).count() == 2


def test_the_reminder_digest_is_emailed_once_and_a_repeat_has_the_same_message_id(sales_rep) -> None:
    today = datetime(2025, 6, 11, tzinfo=UTC)
    LeadFactory(owner=sales_rep, next_follow_up_at=today + timedelta(hours=10))
    killed_before_commit(lambda: send_followup_reminders(today=today.date()))
    assert send_followup_reminders(today=today.date()).digests_sent == 1
    assert send_followup_reminders(today=today.date()).digests_sent == 0
    first, repeat = (m.extra_headers["Message-ID"] for m in mail.outbox)
    assert first == repeat


# --- A scan job run again takes its own scan over --------------------------------------------------


def test_a_scan_job_run_again_takes_over_its_own_running_scan_and_no_other_job_does() -> None:
    assessment = running_assessment(lead=LeadFactory())
    assessments.assessment_claim(assessment_id=assessment.pk, job_id="job-1")  # worker then killed
    assert assessments.assessment_claim(assessment_id=assessment.pk, job_id="job-2") is None
    again = assessments.assessment_claim(assessment_id=assessment.pk, job_id="job-1")
    assert again is not None and again.status == AssessmentStatus.RUNNING and again.attempts == 2


def running_assessment(*, lead: Lead) -> SecurityAssessment:
    return SecurityAssessment.objects.create(
        lead=lead,
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        status=AssessmentStatus.QUEUED,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
