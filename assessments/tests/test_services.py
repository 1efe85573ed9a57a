"""Lifecycle services: stuck scans, re-runs, one e-mail only, sales copy for hot leads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentStatus, SecurityAssessment
from assessments.scanner.scan import evaluate
from leads.tests.factories import LeadFactory

from .helpers import site
from .servers import GOOD_HEADERS

pytestmark = pytest.mark.django_db


def make(status: str = AssessmentStatus.QUEUED, **fields) -> SecurityAssessment:
    lead = fields.pop("lead", None) or LeadFactory()
    return SecurityAssessment.objects.create(
        lead=lead,
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        status=status,
        **fields,
    )


def completed(media, capture, **lead_fields) -> SecurityAssessment:
    """An assessment completed from a hand-built retrieval (no network)."""
    assessment = make(AssessmentStatus.RUNNING, lead=LeadFactory(email="ciso@acme-corp.com", **lead_fields))
    outcome = evaluate(
        site(headers={"X-Content-Type-Options": "nosniff"}, host="www.acme-corp.com"),
        None,
        now=timezone.now(),
    )
    with capture(execute=True):
        services.assessment_complete(assessment=assessment, outcome=outcome)
    return SecurityAssessment.objects.get(pk=assessment.pk)


def test_a_scan_stuck_in_running_is_recovered_by_the_command(settings, capsys) -> None:
    settings.ASSESSMENT_STALE_AFTER_SECONDS = 600
    stuck = make(AssessmentStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1))
    busy = make(AssessmentStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=30))
    call_command("recover_stale_assessments")
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == AssessmentStatus.FAILED and "worker died" in stuck.error
    assert busy.status == AssessmentStatus.RUNNING
    assert "1 stale assessment(s) marked failed" in capsys.readouterr().out


def test_a_stuck_scan_can_be_re_run_but_a_live_one_cannot(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.ASSESSMENT_STALE_AFTER_SECONDS = 600
    busy = make(AssessmentStatus.RUNNING, started_at=timezone.now())
    with pytest.raises(ValidationError):
        services.assessment_rerun(assessment=busy, actor=None)
    stuck = make(AssessmentStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2), attempts=3)
    with django_capture_on_commit_callbacks() as callbacks:
        services.assessment_rerun(assessment=stuck, actor=None)
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts, stuck.started_at) == (AssessmentStatus.QUEUED, 0, None)
    assert len(callbacks) == 1  # the scan is enqueued after commit


def test_a_second_worker_cannot_claim_a_running_scan() -> None:
    assessment = make()
    assert services.assessment_claim(assessment_id=assessment.pk) is not None
    assert services.assessment_claim(assessment_id=assessment.pk) is None
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.RUNNING and assessment.attempts == 1


def test_pending_targets_need_approval_before_anything_runs() -> None:
    pending = make(AssessmentStatus.PENDING_APPROVAL)
    assert services.assessment_claim(assessment_id=pending.pk) is None
    with pytest.raises(ValidationError):
        services.assessment_rerun(assessment=pending, actor=None)
    services.assessment_approve_target(assessment=pending, actor=None)
    pending.refresh_from_db()
    assert pending.status == AssessmentStatus.QUEUED and pending.target_approved_at is not None
    with pytest.raises(ValidationError):
        services.assessment_approve_target(assessment=pending, actor=None)


def test_the_report_is_emailed_once_even_if_the_task_runs_again(
    media, django_capture_on_commit_callbacks
) -> None:
    assessment = completed(media, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert services.assessment_send_report(assessment_id=assessment.pk) is False
    assert len(mail.outbox) == 1
    assessment.refresh_from_db()
    assert assessment.report_sent_at is not None and assessment.sales_copy_sent_at is None


def test_sales_get_a_copy_when_the_lead_is_hot(media, settings, django_capture_on_commit_callbacks) -> None:
    assessment = completed(media, django_capture_on_commit_callbacks, score=92)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(["ciso@acme-corp.com", settings.SALES_ALERT_EMAIL])
    sales = next(m for m in mail.outbox if m.to == [settings.SALES_ALERT_EMAIL])
    assert "[Hot lead]" in sales.subject and sales.attachments[0][2] == "application/pdf"
    assert SecurityAssessment.objects.get(pk=assessment.pk).sales_copy_sent_at is not None


def test_a_rerun_replaces_the_findings(media, django_capture_on_commit_callbacks) -> None:
    assessment = completed(media, django_capture_on_commit_callbacks)
    before = assessment.findings.count()
    assessment.status = AssessmentStatus.RUNNING
    assessment.save(update_fields=["status"])
    outcome = evaluate(site(headers=GOOD_HEADERS, host="www.acme-corp.com"), None, now=timezone.now())
    services.assessment_complete(assessment=assessment, outcome=outcome)
    assert assessment.findings.count() < before
    assert not assessment.findings.filter(check_id="csp-not-implemented").exists()


def test_the_stored_report_is_a_pdf(media, django_capture_on_commit_callbacks) -> None:
    """(How fast it renders is measured in bench/, not asserted here.)"""
    assessment = completed(media, django_capture_on_commit_callbacks)
    assessment.report_file.open("rb")
    try:
        assert assessment.report_file.read(5) == b"%PDF-"
    finally:
        assessment.report_file.close()


def test_a_report_that_was_never_sent_is_sent_by_the_recovery_command(
    media, settings, django_capture_on_commit_callbacks
) -> None:
    assessment = completed(media, lambda **kwargs: django_capture_on_commit_callbacks())  # e-mail not sent
    assert mail.outbox == []
    SecurityAssessment.objects.filter(pk=assessment.pk).update(
        completed_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recover_stale_assessments")
    assert [m.to for m in mail.outbox] == [["ciso@acme-corp.com"]]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recover_stale_assessments")
    assert len(mail.outbox) == 1
