"""Running a queued scan and storing its outcome: claim it (one worker wins), scan outside any
transaction, then retry, fail, or store findings, grade and PDF and queue the report e-mail."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from leads.models import LeadEventKind, NurtureTrigger
from leads.nurture.services import nurture_enroll
from leads.services import lead_event_record

from ..models import AssessmentStatus, Finding, SecurityAssessment
from ..monitoring.selectors import monitoring_summary
from ..monitoring.services import monitor_after_scan, monitor_link_scan
from ..report import render_report
from ..scanner import guard
from ..scanner.retriever import SiteUnreachable
from ..scanner.scan import ScanFailed, ScanOutcome, run_scan
from ..selectors import assessment_is_stale, roi_latest_for_lead
from ..webhooks import assessment_completed_emit
from .jobs import report_email_enqueue, scan_enqueue

logger = logging.getLogger(__name__)


@transaction.atomic
def assessment_claim(*, assessment_id: uuid.UUID | str, job_id: str = "") -> SecurityAssessment | None:
    """Mark a queued assessment running (one worker wins); None when there is nothing to do.

    `job_id` is the background job claiming it. The same job, run again because its worker died
    mid-scan (the job recovery re-queues it), takes its own `running` scan over; any other job
    finds it running and leaves it."""
    assessment = SecurityAssessment.objects.select_for_update().filter(pk=assessment_id).first()
    if assessment is None:
        return None
    rerun_of_own_job = (
        bool(job_id) and assessment.status == AssessmentStatus.RUNNING and assessment.job_id == job_id
    )
    if (
        assessment.status != AssessmentStatus.QUEUED
        and not rerun_of_own_job
        and not assessment_is_stale(assessment)
    ):
        return None
    assessment.status = AssessmentStatus.RUNNING
    assessment.started_at = timezone.now()
    assessment.completed_at = None
    assessment.attempts += 1
    assessment.job_id = job_id
    assessment.save(update_fields=["status", "started_at", "completed_at", "attempts", "job_id"])
    return assessment


def assessment_run(*, assessment_id: uuid.UUID | str, job_id: str = "") -> SecurityAssessment | None:
    """Run the scan of one queued assessment and store the outcome (the task's whole job)."""
    assessment = assessment_claim(assessment_id=assessment_id, job_id=job_id)
    if assessment is None:
        return None
    try:
        outcome = run_scan(assessment.target_url)
    except SiteUnreachable as exc:
        if exc.transient and assessment.attempts < settings.ASSESSMENT_MAX_ATTEMPTS:
            return _assessment_retry_later(assessment=assessment, error=str(exc))
        return _assessment_fail(assessment=assessment, error=str(exc))
    except (guard.TargetRefused, ScanFailed) as exc:
        return _assessment_fail(assessment=assessment, error=str(exc))
    except Exception as exc:
        logger.exception("Assessment %s failed unexpectedly", assessment.pk)
        return _assessment_fail(assessment=assessment, error=f"Internal error: {type(exc).__name__}")
    return assessment_complete(assessment=assessment, outcome=outcome)


@transaction.atomic
def _assessment_retry_later(*, assessment: SecurityAssessment, error: str) -> SecurityAssessment:
    assessment = SecurityAssessment.objects.select_for_update().get(pk=assessment.pk)
    assessment.status = AssessmentStatus.QUEUED
    assessment.error = f"Attempt {assessment.attempts} failed, will retry: {error}"[:2000]
    assessment.save(update_fields=["status", "error"])
    scan_enqueue(assessment, delay_seconds=settings.ASSESSMENT_RETRY_DELAY_SECONDS * assessment.attempts)
    return assessment


@transaction.atomic
def _assessment_fail(*, assessment: SecurityAssessment, error: str) -> SecurityAssessment:
    assessment = SecurityAssessment.objects.select_for_update().get(pk=assessment.pk)
    assessment.status = AssessmentStatus.FAILED
    assessment.error = error[:2000]
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["status", "error", "completed_at"])
    lead_event_record(
        lead=assessment.lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"Assessment of {assessment.target_host} failed: {error}"[:500],
        data={"assessment": str(assessment.pk), "error": error[:500]},
    )
    return assessment


@transaction.atomic
def assessment_complete(*, assessment: SecurityAssessment, outcome: ScanOutcome) -> SecurityAssessment:
    """Store the scan's findings, grade and PDF report, then e-mail the report after commit."""
    assessment = (
        SecurityAssessment.objects.select_for_update(of=("self",))
        .select_related("lead", "lead__company")
        .get(pk=assessment.pk)
    )
    _findings_replace(assessment=assessment, outcome=outcome)
    _outcome_apply(assessment=assessment, outcome=outcome)
    monitor_link_scan(assessment=assessment)
    _report_render(assessment=assessment)
    assessment.save(update_fields=COMPLETED_FIELDS)
    monitor_after_scan(assessment=assessment)
    _completion_record(assessment=assessment, outcome=outcome)
    assessment_completed_emit(assessment=assessment)
    # Queued with the findings (transactional outbox): a worker killed after this commit still
    # leaves the e-mail to send, and a re-run of the scan job finds the scan completed.
    report_email_enqueue(assessment.pk)
    nurture_enroll(lead=assessment.lead, trigger=NurtureTrigger.ASSESSMENT_COMPLETED)
    return assessment


#: What completing a scan changes on the assessment (`monitored_target`: set by monitor_link_scan).
COMPLETED_FIELDS = [
    "status",
    "grade",
    "risk_score",
    "observatory_score",
    "results",
    "error",
    "completed_at",
    "report_file",
    "monitored_target",
]


def findings_from(items: Iterable[Any], *, assessment: SecurityAssessment | None = None) -> list[Finding]:
    """Unsaved Finding rows for scan findings (`FindingData`, or anything with the same fields:
    demo specs, a benchmark's report), so the field list is written once."""
    return [
        Finding(
            assessment=assessment,
            check_id=item.check_id,
            title=item.title,
            severity=item.severity,
            evidence=item.evidence,
            description=item.description,
            recommendation=item.recommendation,
            compliance_refs=list(item.compliance_refs),
            score_modifier=item.score_modifier,
        )
        for item in items
    ]


def _findings_replace(*, assessment: SecurityAssessment, outcome: ScanOutcome) -> None:
    """The scan's findings replace any of an earlier run (a re-run keeps one set per assessment)."""
    assessment.findings.all().delete()
    Finding.objects.bulk_create(findings_from(outcome.findings, assessment=assessment))


def _outcome_apply(*, assessment: SecurityAssessment, outcome: ScanOutcome) -> None:
    """Set the completed state on the (unsaved) row; the report needs it before the save."""
    assessment.status = AssessmentStatus.COMPLETED
    assessment.grade = outcome.grade
    assessment.risk_score = outcome.risk_score
    assessment.observatory_score = outcome.score
    assessment.results = outcome.results
    assessment.error = ""
    assessment.completed_at = timezone.now()


def _report_render(*, assessment: SecurityAssessment) -> None:
    """Render the PDF from the stored findings (with the lead's ROI and the watch history) and
    attach it in place of an earlier run's file; the row is saved by the caller."""
    findings = list(assessment.findings.all())
    pdf = render_report(
        assessment=assessment,
        findings=findings,
        roi=roi_latest_for_lead(lead_id=assessment.lead_id),
        monitoring=monitoring_summary(assessment, findings=findings),
    )
    if assessment.report_file:
        assessment.report_file.delete(save=False)
    assessment.report_file.save(f"assessment-{assessment.pk}.pdf", ContentFile(pdf), save=False)


def assessment_report_attach(*, assessment: SecurityAssessment) -> SecurityAssessment:
    """Render a completed assessment's PDF from its stored findings (with the lead's ROI) and
    save it on the row, replacing any earlier file.

    For a finished scan recorded without its report: the demo's assessment (written as rows, see
    demo.loaders.assessments), or one whose file was lost. A scan run by the worker gets its
    report in the same step that completes it."""
    if assessment.status != AssessmentStatus.COMPLETED:
        raise ValidationError({"status": "Only a completed assessment has a report."})
    _report_render(assessment=assessment)
    SecurityAssessment.objects.filter(pk=assessment.pk).update(report_file=assessment.report_file.name)
    return assessment


def _completion_record(*, assessment: SecurityAssessment, outcome: ScanOutcome) -> None:
    """The lead's timeline entry for the finished scan: grade, risk and findings per severity."""
    counts = dict.fromkeys(("critical", "high", "medium", "low", "info"), 0)
    for finding in outcome.findings:
        counts[finding.severity] += 1
    lead_event_record(
        lead=assessment.lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=(
            f"Assessment of {assessment.target_host} completed: grade {outcome.grade}, "
            f"risk {outcome.risk_score}/100, {counts['critical']} critical / {counts['high']} high findings"
        ),
        data={
            "assessment": str(assessment.pk),
            "grade": outcome.grade,
            "risk_score": outcome.risk_score,
            "counts": counts,
        },
    )
