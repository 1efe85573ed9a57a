"""How an assessment comes to exist and gets queued: a visitor's request (queued at once on their
own company domain, else awaiting staff approval), staff starting one, the monitoring schedule,
staff approving a target, and a re-run."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from analytics.models import Event, EventType, Visitor, Website
from leads.models import Lead, LeadEventKind, LeadSource
from leads.services import LeadSubmission, lead_event_record, lead_submit

from ..models import AssessmentStatus, MonitoredTarget, SecurityAssessment, WatchSource
from ..monitoring.services import monitor_watch_assessment
from ..selectors import assessment_is_stale, assessments_requested_recently, token_hash
from .jobs import scan_enqueue
from .targets import target_belongs_to_lead, target_normalise

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class AssessmentRateLimited(Exception):
    """Too many assessments of one host in the last hour."""

    def __init__(self, host: str, wait_seconds: int) -> None:
        super().__init__(f"{host} was assessed recently; try again later.")
        self.wait_seconds = wait_seconds


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
        scan_enqueue(assessment)
    return assessment, token


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
    scan_enqueue(assessment)
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
    scan_enqueue(assessment)
    return assessment


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
    scan_enqueue(assessment)
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
    scan_enqueue(assessment)
    return assessment
