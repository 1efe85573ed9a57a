"""Reads of the assessments domain."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from enterprise_scanner.jobs.recovery import job_in_flight
from leads.domains import registrable_domain
from leads.selectors import lead_queryset_for_user, user_is_sales_manager

from .models import AssessmentStatus, Finding, RoiCalculation, SecurityAssessment


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def assessment_for_token(*, assessment_id: uuid.UUID | str, token: str) -> SecurityAssessment | None:
    """The assessment if `token` is its access token; None for a wrong id or token (same answer,
    so the API cannot be used to learn which ids exist)."""
    if not token or len(token) > 128:
        return None
    assessment = (
        SecurityAssessment.objects.select_related("lead", "lead__company")
        .prefetch_related("findings")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not assessment.access_token_hash:
        hmac.compare_digest(token_hash(token), "0" * 64)  # same work either way
        return None
    if not hmac.compare_digest(token_hash(token), assessment.access_token_hash):
        return None
    return assessment


def assessments_requested_recently(*, host: str, within: timedelta = timedelta(hours=1)) -> int:
    """Assessments of the same registrable domain (any of its hosts) requested within `within`:
    the per-domain limit protects a site's owner from being scanned over and over through
    its many subdomains."""
    domain = registrable_domain(host) or host
    return SecurityAssessment.objects.filter(
        Q(target_host=domain) | Q(target_host__endswith=f".{domain}"),
        requested_at__gte=timezone.now() - within,
    ).count()


def stale_running_assessments() -> list[SecurityAssessment]:
    """Scans marked running for longer than a scan can take whose job will not finish them.

    A scan whose job is still queued or running is not stale, however long it takes: a live
    worker keeps it, and the job recovery (`recover_stale_jobs`) re-runs the job of a dead one,
    which takes its scan over. What is left here is a scan whose job is gone: given up after
    TASK_MAX_ATTEMPTS dead workers, pruned, or run by a backend that keeps no jobs."""
    cutoff = timezone.now() - timedelta(seconds=settings.ASSESSMENT_STALE_AFTER_SECONDS)
    running = SecurityAssessment.objects.filter(status=AssessmentStatus.RUNNING, started_at__lt=cutoff)
    return [assessment for assessment in running if not job_in_flight(assessment.job_id)]


def assessment_is_stale(assessment: SecurityAssessment) -> bool:
    cutoff = timezone.now() - timedelta(seconds=settings.ASSESSMENT_STALE_AFTER_SECONDS)
    return (
        assessment.status == AssessmentStatus.RUNNING
        and (assessment.started_at is None or assessment.started_at < cutoff)
        and not job_in_flight(assessment.job_id)
    )


# --- Who may see which assessments (the leads' scoping rule, leads.selectors) -----------------


def assessment_queryset_for_user(*, user: Any) -> QuerySet[SecurityAssessment]:
    """Assessments of the leads `user` may see (a manager: all)."""
    if user_is_sales_manager(user):
        return SecurityAssessment.objects.all()
    return SecurityAssessment.objects.filter(lead__in=lead_queryset_for_user(user=user).values("pk"))


def finding_queryset_for_user(*, user: Any) -> QuerySet[Finding]:
    """Findings of the assessments `user` may see."""
    if user_is_sales_manager(user):
        return Finding.objects.all()
    return Finding.objects.filter(assessment__lead__in=lead_queryset_for_user(user=user).values("pk"))


def roi_calculation_queryset_for_user(*, user: Any) -> QuerySet[RoiCalculation]:
    """ROI calculations `user` may see: anonymous ones are market data anyone with access may
    see; those of a lead only with the lead."""
    if user_is_sales_manager(user):
        return RoiCalculation.objects.all()
    visible = lead_queryset_for_user(user=user).values("pk")
    return RoiCalculation.objects.filter(Q(lead__isnull=True) | Q(lead__in=visible))


def roi_latest_for_lead(*, lead_id: int) -> RoiCalculation | None:
    """The lead's most recent ROI calculation, for its report: one made as the lead, else one made
    by a visitor later stitched to the lead (the calculator is often used before the form)."""
    return (
        RoiCalculation.objects.filter(lead_id=lead_id).order_by("-created_at").first()
        or RoiCalculation.objects.filter(visitor__lead_id=lead_id).order_by("-created_at").first()
    )


def assessment_ids_with_unsent_report(*, completed_before: datetime) -> list[uuid.UUID]:
    """Finished assessments whose report e-mail never went out (the mail server was down), so
    recovery can queue the e-mail again; only those finished before `completed_before`, which
    leaves a report still on its way alone."""
    unsent = SecurityAssessment.objects.filter(
        status=AssessmentStatus.COMPLETED, report_sent_at__isnull=True, completed_at__lt=completed_before
    ).exclude(report_file="")
    return list(unsent.values_list("pk", flat=True))
