"""Every state change of the assessments domain: one keyword-only function per action.

Lifecycle of an assessment::

    pending_approval ──approve──► queued ──claim──► running ──► completed
                                    ▲                  │  └────► failed
                                    └── retry / re-run ┘

A scan runs outside any transaction (it waits on the network); claiming it and storing its
outcome are each one short transaction. A worker that dies mid-scan leaves `running`; the
generic job recovery (`recover_stale_jobs`, enterprise_scanner.jobs) queues the scan's job again
once the worker's heartbeat is older than the lease, and that job takes its scan over (`job_id`).
`assessment_recover_stale` (command `recover_stale_assessments`, or the admin's re-run) handles
scans whose job is gone. Jobs are queued in the transaction that needs them, and each report
e-mail is sent at most once (`*_sent_at` set under a row lock, `send_once`).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from analytics.models import Event, EventType, Visitor, Website
from enterprise_scanner.jobs.mail import send_once
from enterprise_scanner.task_queue import enqueue_with_transaction
from leads.domains import classify_email_domain, registrable_domain
from leads.models import Lead, LeadEventKind, LeadSource
from leads.scoring import ScoringConfig
from leads.services import LeadSubmission, lead_event_record, lead_rescore_later, lead_submit

from . import roi
from .models import (
    AssessmentStatus,
    Finding,
    MonitoredTarget,
    RoiCalculation,
    SecurityAssessment,
    WatchSource,
)
from .monitoring.selectors import monitoring_summary
from .monitoring.services import monitor_after_scan, monitor_link_scan, monitor_watch_assessment
from .scanner import guard
from .scanner.retriever import SiteUnreachable
from .scanner.scan import ScanFailed, ScanOutcome, run_scan
from .selectors import assessment_is_stale, assessments_requested_recently, token_hash

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


class AssessmentRateLimited(Exception):
    """Too many assessments of one host in the last hour."""

    def __init__(self, host: str, wait_seconds: int) -> None:
        super().__init__(f"{host} was assessed recently; try again later.")
        self.wait_seconds = wait_seconds


# --- Request ----------------------------------------------------------------------------------------


#: What the assessment's columns hold: a DNS name is at most 253 characters (RFC 1035); longer
#: input is refused here rather than by the database (PostgreSQL: DataError, a 500).
MAX_HOST_LENGTH = SecurityAssessment._meta.get_field("target_host").max_length
MAX_URL_LENGTH = SecurityAssessment._meta.get_field("target_url").max_length


def target_normalise(target_url: str) -> tuple[str, str]:
    """(URL to scan, lower-case host) for what a visitor typed; ValidationError when we will not scan it.

    Only http(s) on web ports, no credentials in the URL, no local name and no IP address that
    is not public, in whatever spelling (see guard.canonical_host); the host is stored as the
    resolver reads it (IDNA ASCII, standard address form)."""
    raw = (target_url or "").strip()
    if "://" not in raw:
        raw = f"https://{raw}"
    policy = guard.GuardPolicy.from_settings()
    try:
        # The scan's own check (guard.canonical_host): the host as the resolver will read it.
        scheme, host, port = guard.check_url(raw, policy)
    except guard.TargetRefused as exc:
        raise ValidationError({"target_url": str(exc)}) from exc
    if ":" not in host and "." not in host and not policy.allow_private:
        raise ValidationError(
            {"target_url": "Enter the public address of a website, e.g. https://www.example.com."}
        )
    if len(host) > MAX_HOST_LENGTH:
        raise ValidationError({"target_url": f"A host name has at most {MAX_HOST_LENGTH} characters."})
    parts = urlsplit(raw)
    default = guard.DEFAULT_PORTS[scheme]
    netloc = host if port == default else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port == default else f"[{host}]:{port}"
    url = urlunsplit((scheme, netloc, parts.path or "/", "", ""))
    if len(url) > MAX_URL_LENGTH:  # "https://" may have been added to what was typed
        raise ValidationError({"target_url": f"The address has at most {MAX_URL_LENGTH} characters."})
    return url, host


def target_belongs_to_lead(*, host: str, lead: Lead) -> bool:
    """Whether the target is on the requester's own company domain (or one of its aliases)."""
    target = registrable_domain(host)
    if not target:
        return False
    domains = set()
    email_domain = classify_email_domain(lead.email)
    if email_domain.is_corporate:
        domains.add(email_domain.registrable)
    if lead.company is not None:
        domains.add(lead.company.domain)
        domains.update(lead.company.alias_domains.values_list("domain", flat=True))
    return target in domains


@transaction.atomic
def assessment_request(
    *,
    submission: LeadSubmission,
    target_url: str,
    website: Website | None = None,
    monitoring_consent: bool = False,
) -> tuple[SecurityAssessment, str]:
    """A visitor asks for an assessment of their website. Returns (assessment, access token).

    The lead is created or updated as for any form (source "assessment"). The scan is queued at
    once when the target is on the requester's company domain, otherwise it waits for staff to
    approve the target. The token is returned once and stored only as its SHA-256 hash. With
    `monitoring_consent` the target is also watched (re-scanned on a schedule once this first
    scan has completed; see assessments.monitoring).
    """
    url, host = target_normalise(target_url)
    limit = settings.ASSESSMENT_DOMAIN_RATE_LIMIT_PER_HOUR
    if assessments_requested_recently(host=host) >= limit:
        raise AssessmentRateLimited(host, wait_seconds=3600)
    lead, _ = lead_submit(
        submission=replace(submission, form=LeadSource.ASSESSMENT),
        website=website,
        actor_label="assessment form",
    )
    lead = Lead.objects.select_related("company").get(pk=lead.pk)
    owned = target_belongs_to_lead(host=host, lead=lead)
    token = secrets.token_urlsafe(32)
    assessment = SecurityAssessment.objects.create(
        lead=lead,
        target_url=url,
        target_host=host,
        access_token_hash=token_hash(token),
        status=AssessmentStatus.QUEUED if owned else AssessmentStatus.PENDING_APPROVAL,
    )
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"Requested a security assessment of {host}"
        + ("" if owned else " (not the company's domain: awaiting staff approval)"),
        data={"assessment": str(assessment.pk), "target_url": url, "status": assessment.status},
        actor_label="assessment form",
    )
    if website is not None and submission.visitor_id:
        visitor = Visitor.objects.filter(website=website, anonymous_id=submission.visitor_id[:64]).first()
        if visitor is not None:
            Event.objects.create(
                website=website,
                visitor=visitor,
                event_type=EventType.ASSESSMENT_REQUESTED,
                url=submission.page_url,
                data={"assessment": str(assessment.pk), "target_host": host},
            )
    if monitoring_consent:
        monitor_watch_assessment(assessment=assessment, source=WatchSource.CONSENT)
    if owned:
        _enqueue_scan(assessment)
    return assessment, token


def _enqueue_scan(assessment: SecurityAssessment, *, delay_seconds: int = 0) -> None:
    from .tasks import assessment_scan_task

    task = assessment_scan_task
    if delay_seconds and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    # Stored with the transaction that queued the scan (transactional outbox): never lost.
    enqueue_with_transaction(task, str(assessment.pk))


@transaction.atomic
def assessment_approve_target(
    *, assessment: SecurityAssessment, actor: AbstractBaseUser | None
) -> SecurityAssessment:
    """Staff confirm the requester may have this site assessed; the scan is queued."""
    assessment = SecurityAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.PENDING_APPROVAL:
        raise ValidationError("Only assessments awaiting target approval can be approved.")
    assessment.status = AssessmentStatus.QUEUED
    assessment.target_approved_at = timezone.now()
    assessment.target_approved_by = actor if actor is not None and actor.is_authenticated else None
    assessment.save(update_fields=["status", "target_approved_at", "target_approved_by"])
    lead_event_record(
        lead=assessment.lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"Assessment target {assessment.target_host} approved",
        data={"assessment": str(assessment.pk)},
        actor=actor,
    )
    _enqueue_scan(assessment)
    return assessment


@transaction.atomic
def assessment_rerun(*, assessment: SecurityAssessment, actor: AbstractBaseUser | None) -> SecurityAssessment:
    """Queue a finished, failed or stuck (worker died) assessment again, with fresh attempts."""
    assessment = SecurityAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status == AssessmentStatus.PENDING_APPROVAL:
        raise ValidationError("Approve the target before running the assessment.")
    if assessment.status in (AssessmentStatus.QUEUED,) or (
        assessment.status == AssessmentStatus.RUNNING and not assessment_is_stale(assessment)
    ):
        raise ValidationError("This assessment is already queued or running.")
    previous = assessment.status
    assessment.status = AssessmentStatus.QUEUED
    assessment.attempts = 0
    assessment.error = ""
    assessment.started_at = None
    assessment.save(update_fields=["status", "attempts", "error", "started_at"])
    lead_event_record(
        lead=assessment.lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"Assessment of {assessment.target_host} queued again (was {previous})",
        data={"assessment": str(assessment.pk), "previous_status": previous},
        actor=actor,
    )
    _enqueue_scan(assessment)
    return assessment


@transaction.atomic
def assessment_recover_stale(*, rerun: bool = False) -> list[SecurityAssessment]:
    """Mark scans left running with no job to finish them as failed, or queue them again; and
    queue the e-mail again for finished reports that were never sent (the mail server was down).

    A scan whose worker died is normally re-run by the generic job recovery
    (`recover_stale_jobs`: the job is queued again and takes its scan over); this is for what that
    cannot do (see `stale_running_assessments`)."""
    from .tasks import assessment_report_email_task

    cutoff = timezone.now() - timedelta(seconds=settings.ASSESSMENT_STALE_AFTER_SECONDS)
    unsent = SecurityAssessment.objects.filter(
        status=AssessmentStatus.COMPLETED, report_sent_at__isnull=True, completed_at__lt=cutoff
    ).exclude(report_file="")
    for assessment_id in unsent.values_list("pk", flat=True):
        enqueue_with_transaction(assessment_report_email_task, str(assessment_id))
    from .selectors import stale_running_assessments

    stale_ids = [assessment.pk for assessment in stale_running_assessments()]
    recovered = list(
        SecurityAssessment.objects.select_for_update().filter(
            pk__in=stale_ids, status=AssessmentStatus.RUNNING
        )
    )
    for assessment in recovered:
        if rerun:
            assessment.status = AssessmentStatus.QUEUED
            assessment.started_at = None
            _enqueue_scan(assessment)
        else:
            assessment.status = AssessmentStatus.FAILED
            assessment.completed_at = timezone.now()
        assessment.error = "The scan stopped without finishing (its worker died); it can be re-run."
        assessment.save(update_fields=["status", "started_at", "completed_at", "error"])
    return recovered


# --- Running a scan ------------------------------------------------------------------------------


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
    _enqueue_scan(assessment, delay_seconds=settings.ASSESSMENT_RETRY_DELAY_SECONDS * assessment.attempts)
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
    from .report import render_report

    assessment = (
        SecurityAssessment.objects.select_for_update(of=("self",))
        .select_related("lead", "lead__company")
        .get(pk=assessment.pk)
    )
    assessment.findings.all().delete()
    Finding.objects.bulk_create(
        Finding(
            assessment=assessment,
            check_id=f.check_id,
            title=f.title,
            severity=f.severity,
            evidence=f.evidence,
            description=f.description,
            recommendation=f.recommendation,
            compliance_refs=f.compliance_refs,
            score_modifier=f.score_modifier,
        )
        for f in outcome.findings
    )
    assessment.status = AssessmentStatus.COMPLETED
    assessment.grade = outcome.grade
    assessment.risk_score = outcome.risk_score
    assessment.observatory_score = outcome.score
    assessment.results = outcome.results
    assessment.error = ""
    assessment.completed_at = timezone.now()
    monitor_link_scan(assessment=assessment)
    findings = list(assessment.findings.all())
    roi_summary = _latest_roi(assessment.lead)
    pdf = render_report(
        assessment=assessment,
        findings=findings,
        roi=roi_summary,
        monitoring=monitoring_summary(assessment, findings=findings),
    )
    if assessment.report_file:
        assessment.report_file.delete(save=False)
    assessment.report_file.save(f"assessment-{assessment.pk}.pdf", ContentFile(pdf), save=False)
    assessment.save(
        update_fields=[
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
    )
    monitor_after_scan(assessment=assessment)
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
    from .tasks import assessment_report_email_task

    # Queued with the findings (transactional outbox): a worker killed after this commit still
    # leaves the e-mail to send, and a re-run of the scan job finds the scan completed.
    enqueue_with_transaction(assessment_report_email_task, str(assessment.pk))
    return assessment


def _latest_roi(lead: Lead) -> RoiCalculation | None:
    return (
        RoiCalculation.objects.filter(lead=lead).order_by("-created_at").first()
        or RoiCalculation.objects.filter(visitor__lead=lead).order_by("-created_at").first()
    )


# --- Delivery ------------------------------------------------------------------------------------


def _report_message(
    *, assessment: SecurityAssessment, to: list[str], for_sales: bool
) -> EmailMultiAlternatives:
    findings = list(assessment.findings.all())
    context = {
        "assessment": assessment,
        "lead": assessment.lead,
        "findings": findings[:5],
        "finding_count": len(findings),
        "for_sales": for_sales,
        "admin_url": settings.SITE_URL
        + reverse("admin:assessments_securityassessment_change", args=[assessment.pk]),
    }
    subject = f"Security assessment of {assessment.target_host}: grade {assessment.grade}"
    if for_sales:
        subject = f"[Hot lead] {assessment.lead.email} — {subject}"
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:200],
        body=render_to_string("assessments/email/report.txt", context),
        to=to,
    )
    message.attach_alternative(render_to_string("assessments/email/report.html", context), "text/html")
    assessment.report_file.open("rb")
    try:
        message.attach(
            f"security-assessment-{assessment.target_host}.pdf",
            assessment.report_file.read(),
            "application/pdf",
        )
    finally:
        assessment.report_file.close()
    return message


def assessment_send_report(*, assessment_id: uuid.UUID | str) -> bool:
    """E-mail the PDF to the requester (and a copy to sales for a hot lead). Each e-mail at most
    once, also when the job runs again after its worker died: returns False when there was
    nothing (more) to send.

    Each e-mail is its own transaction — lock the assessment, check its `*_sent_at`, record it
    and the timeline entry, send last (`send_once`), commit — so a failure of the sales copy
    cannot roll back the record of the requester's e-mail and have it sent twice."""
    sent = _send_report_copy(assessment_id=assessment_id, for_sales=False)
    if sent is None:
        return False
    return _send_report_copy(assessment_id=assessment_id, for_sales=True) or sent


@transaction.atomic
def _send_report_copy(*, assessment_id: uuid.UUID | str, for_sales: bool) -> bool | None:
    """Send one of the report's e-mails; None when there is no finished report."""
    assessment = (
        SecurityAssessment.objects.select_for_update(of=("self",))
        .select_related("lead", "lead__company")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or assessment.status != AssessmentStatus.COMPLETED or not assessment.report_file:
        return None
    lead = assessment.lead
    if for_sales:
        if assessment.sales_copy_sent_at is not None or assessment.report_sent_at is None:
            return False
        lead.refresh_from_db(fields=["score"])
        if lead.score < ScoringConfig.from_settings().hot_threshold:
            return False
        assessment.sales_copy_sent_at = timezone.now()
        assessment.save(update_fields=["sales_copy_sent_at"])
        to = settings.SALES_ALERT_EMAIL
        summary = f"Assessment report for {assessment.target_host} e-mailed to sales ({to})"
    else:
        if assessment.report_sent_at is not None:
            return False
        assessment.report_sent_at = timezone.now()
        assessment.save(update_fields=["report_sent_at"])
        to = lead.email
        summary = f"Assessment report for {assessment.target_host} e-mailed to {to}"
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.EMAIL_SENT,
        summary=summary,
        data={"assessment": str(assessment.pk), "sales_copy": for_sales},
    )
    message = _report_message(assessment=assessment, to=[to], for_sales=for_sales)
    key = f"assessment-report:{assessment.pk}:{'sales' if for_sales else 'requester'}:{assessment.completed_at:%Y%m%dT%H%M%S.%f}"
    if not send_once(message, key=key):
        transaction.set_rollback(True)  # sent before (ledger), whatever the row says
        return False
    return True


# --- ROI calculator ----------------------------------------------------------------------------


@transaction.atomic
def roi_calculate(
    *, inputs: roi.RoiInputs, website: Website | None = None, visitor_id: str = ""
) -> RoiCalculation:
    """Answer the calculator, keep what was asked and answered, and count it as engagement."""
    errors = roi.validate(inputs)
    if errors:
        raise ValidationError(errors)
    outputs = roi.calculate(inputs)
    visitor = None
    if website is not None and visitor_id:
        visitor, _ = Visitor.objects.get_or_create(website=website, anonymous_id=visitor_id[:64])
    lead = visitor.lead if visitor is not None and visitor.lead_id else None
    calculation = RoiCalculation.objects.create(
        lead=lead, visitor=visitor, inputs=inputs.to_json(), outputs=outputs
    )
    if visitor is not None:
        Event.objects.create(
            website=website,
            visitor=visitor,
            event_type=EventType.ROI_CALCULATION,
            data={
                "calculation": str(calculation.pk),
                **inputs.to_json(),
                "expected_annual_exposure": outputs["expected_annual_exposure"],
            },
        )
    if lead is not None:
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.ROI_CALCULATION,
            summary=(
                f"Used the ROI calculator: {inputs.employees:,} employees, {inputs.industry}, {inputs.region}; "
                f"exposure ${outputs['expected_annual_exposure']:,}/year"
            ),
            data={"calculation": str(calculation.pk)},
            actor_label="ROI calculator",
        )
        lead_rescore_later(lead=lead)
    return calculation


@transaction.atomic
def assessment_create_by_staff(
    *, lead: Lead, target_url: str, assessment_type: str, actor: AbstractBaseUser | None
) -> SecurityAssessment:
    """An assessment staff start from the admin: staff choosing the target is its approval."""
    url, host = target_normalise(target_url)
    now = timezone.now()
    assessment = SecurityAssessment.objects.create(
        lead=lead,
        target_url=url,
        target_host=host,
        assessment_type=assessment_type,
        status=AssessmentStatus.QUEUED,
        target_approved_at=now,
        target_approved_by=actor if actor is not None and actor.is_authenticated else None,
    )
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"Security assessment of {host} started by staff",
        data={"assessment": str(assessment.pk), "target_url": url},
        actor=actor,
    )
    _enqueue_scan(assessment)
    return assessment


@transaction.atomic
def assessment_create_scheduled(*, target: MonitoredTarget) -> SecurityAssessment:
    """A scheduled re-scan of a watched target (assessments.monitoring): a new assessment, so every
    scan is kept, queued like any other. Watching the target was its approval."""
    assessment = SecurityAssessment.objects.create(
        lead=target.lead,
        target_url=target.target_url,
        target_host=target.host,
        status=AssessmentStatus.QUEUED,
        target_approved_at=timezone.now(),
        monitored_target=target,
    )
    lead_event_record(
        lead=target.lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"Scheduled re-scan of watched target {target.host} queued",
        data={"assessment": str(assessment.pk), "monitored_target": str(target.pk)},
        actor_label="monitoring schedule",
    )
    _enqueue_scan(assessment)
    return assessment
