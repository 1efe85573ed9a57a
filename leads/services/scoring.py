"""Scoring a lead from everything known about it (the rules themselves are pure functions in
`leads.scoring`; this module decides what data to feed in and records the outcome)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from analytics.models import Event, EventType
from assessments.models import RoiCalculation
from enterprise_scanner.alert_channels.models import AlertKind
from enterprise_scanner.alert_channels.services import alert_channels_queue
from enterprise_scanner.task_queue import enqueue_with_transaction

from ..domains import DomainKind, EmailDomain, classify_email_domain
from ..models import Lead, LeadEventKind, LeadSource, LeadStatus
from ..scoring import Activity, ScoreResult, ScoringConfig, ScoringInput, estimate_deal_value, score_lead
from ..scoring.deal_value import DealValueConfig
from ..webhooks import lead_hot_emit, lead_status_changed_emit
from .events import lead_event_record


def lead_rescore_later(*, lead: Lead) -> None:
    """Re-score the lead in a background job stored with the current transaction (it runs once
    the change that needs it has committed, and is not lost if the process dies right after)."""
    from ..tasks import lead_rescore_task  # leads.tasks imports this package: import late

    enqueue_with_transaction(lead_rescore_task, str(lead.pk))


def _activities(lead: Lead) -> list[Activity]:
    """Everything the lead did that counts as engagement, with when it happened."""
    submissions = [
        Activity(kind=data.get("form", ""), occurred_at=at)
        for data, at in lead.events.filter(kind=LeadEventKind.SUBMITTED).values_list("data", "created_at")
    ]
    activities = [a for a in submissions if a.kind != LeadSource.ASSESSMENT]
    activities += [
        Activity(kind="chat", occurred_at=at)
        for at in lead.conversations.values_list("created_at", flat=True)
    ]
    # One assessment request arrives as both an "assessment" form submission and an assessment
    # row; a lead form with form=assessment makes only the submission. Count whichever record
    # of the requests is the fuller one, never both.
    requested = [
        Activity(kind="assessment", occurred_at=at)
        for at in lead.assessments.values_list("requested_at", flat=True)
    ]
    assessment_forms = [a for a in submissions if a.kind == LeadSource.ASSESSMENT]
    activities += requested if len(requested) >= len(assessment_forms) else assessment_forms
    activities += [
        Activity(kind="roi_calculation", occurred_at=at)
        for at in RoiCalculation.objects.filter(Q(lead=lead) | Q(visitor__lead=lead)).values_list(
            "created_at", flat=True
        )
    ]
    page_views = (
        Event.objects.filter(visitor__lead=lead, event_type=EventType.PAGE_VIEW)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)[:MAX_PAGE_VIEWS_SCORED]
    )
    activities += [Activity(kind="page_view", occurred_at=at) for at in page_views]
    return activities


MAX_PAGE_VIEWS_SCORED = 100


@transaction.atomic
def lead_rescore(*, lead_id: str | uuid.UUID) -> Lead:
    """Compute the lead's score, breakdown and deal value from everything known about it now.

    Writes a timeline entry when the score changes; a new lead that reaches the hot threshold
    is qualified; the first time the score crosses the threshold (from below), one sales alert
    is queued. The row is locked, so concurrent re-scores cannot both see the same crossing.
    """
    lead = Lead.objects.select_for_update(of=("self",)).select_related("company").get(pk=lead_id)
    config = ScoringConfig.from_settings()
    result = score_lead(_scoring_input(lead), config)
    previous = lead.score if lead.scored_at else 0
    qualified = _store_score(lead=lead, result=result, config=config)
    if previous != result.total or not lead.events.filter(kind=LeadEventKind.SCORED).exists():
        _record_score_change(lead=lead, previous=previous, result=result, config=config)
    if qualified:
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.STATUS_CHANGED,
            summary=f"Status new → qualified (score {result.total} ≥ {config.hot_threshold})",
            data={"from": LeadStatus.NEW, "to": LeadStatus.QUALIFIED, "reason": "score"},
        )
        lead_status_changed_emit(lead=lead, previous=LeadStatus.NEW, reason="score")
    from ..nurture.services import nurture_enroll  # the nurture services use this package

    nurture_enroll(lead=lead, trigger="score_band")  # entering a band enrols once per sequence
    return lead


def _scoring_input(lead: Lead) -> ScoringInput:
    """The plain values the scoring rules read, gathered from the lead, its company and its
    activity (the rules themselves never touch the database)."""
    return lead_scoring_input(lead=lead, activities=_activities(lead), now=timezone.now())


def lead_scoring_input(
    *, lead: Lead, activities: Sequence[Activity], now: datetime, email_domain: EmailDomain | None = None
) -> ScoringInput:
    """What the scoring rules read about `lead`: its title, its company's rank and size, the kind
    of its mail domain, and `activities`. Shared by `lead_rescore` and the bulk import (which
    scores new leads, with no activity yet, in memory), so both feed the rules the same facts."""
    email_domain = email_domain or classify_email_domain(lead.email)
    company = lead.company
    return ScoringInput(
        job_title=lead.job_title,
        fortune_rank=company.fortune_rank if company else None,
        employee_count=company.employee_count if company else None,
        is_webmail=email_domain.kind is DomainKind.WEBMAIL,
        is_disposable=email_domain.kind is DomainKind.DISPOSABLE,
        activities=tuple(activities),
        now=now,
    )


def lead_score_apply(
    *, lead: Lead, result: ScoreResult, now: datetime, deal_value_config: DealValueConfig | None = None
) -> Decimal:
    """Set (not save) the score, breakdown, seniority, scoring time and estimated deal value from
    `result`; returns the deal value. Shared by `lead_rescore` and the bulk import."""
    company = lead.company
    lead.score = result.total
    lead.score_breakdown = result.breakdown
    lead.seniority = result.seniority
    lead.scored_at = now
    lead.estimated_deal_value = estimate_deal_value(
        fortune_rank=company.fortune_rank if company else None,
        employee_count=company.employee_count if company else None,
        seniority=result.seniority,
        config=deal_value_config,
    )
    return lead.estimated_deal_value


def score_event_values(*, previous: int, total: int, breakdown: dict) -> tuple[str, dict]:
    """The summary and data of a "scored" timeline entry (rescore and import write the same)."""
    return f"Score {previous} → {total}", {"previous": previous, "score": total, "breakdown": breakdown}


def _store_score(*, lead: Lead, result: ScoreResult, config: ScoringConfig) -> bool:
    """Save the score, breakdown, seniority and estimated deal value on the lead, qualifying a new
    lead that reached the hot threshold; return whether it was qualified."""
    lead_score_apply(lead=lead, result=result, now=timezone.now())
    fields = ["score", "score_breakdown", "seniority", "scored_at", "estimated_deal_value", "updated_at"]
    qualified = lead.status == LeadStatus.NEW and result.total >= config.hot_threshold
    if qualified:
        lead.status = LeadStatus.QUALIFIED
        fields.append("status")
    lead.save(update_fields=fields)
    return qualified


def _record_score_change(*, lead: Lead, previous: int, result: ScoreResult, config: ScoringConfig) -> None:
    """Put the new score on the timeline and, when it crosses the hot threshold from below, queue
    the one sales alert of that crossing."""
    summary, data = score_event_values(previous=previous, total=result.total, breakdown=result.breakdown)
    scored = lead_event_record(lead=lead, kind=LeadEventKind.SCORED, summary=summary, data=data)
    if previous < config.hot_threshold <= result.total:
        from ..tasks import lead_hot_alert_task  # leads.tasks imports this package: import late

        # In this transaction, with the score: a worker killed after the COMMIT still leaves
        # the alert queued (an on-commit enqueue would be lost, and a re-run of this job sees
        # no crossing any more).
        enqueue_with_transaction(lead_hot_alert_task, str(lead.pk), scored.pk)
        # Slack / Teams: a job of its own, so a receiver that is down never holds up the e-mail.
        alert_channels_queue(kind=AlertKind.HOT_LEAD, subject_id=lead.pk, key=scored.pk)
        lead_hot_emit(lead=lead, previous_score=previous, threshold=config.hot_threshold)
