"""State changes of monitoring: watch and unwatch a target, link each completed scan to its
target and schedule the next, queue the due re-scans (`rescan_watched_targets`), and alert the
lead owner once when a watched prospect gets worse.

Re-scans are ordinary assessments queued through `assessments.services`
(`assessment_create_scheduled`: the same scan job, the same job recovery) and count against the
per-domain rate limit like any request. The alert is a job queued with the scan's results
(transactional outbox) and sent through `send_once`, so a re-run of the job sends nothing twice.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from enterprise_scanner.alert_channels.models import AlertKind
from enterprise_scanner.alert_channels.services import alert_channels_queue
from enterprise_scanner.jobs.mail import send_once
from enterprise_scanner.task_queue import enqueue_with_transaction
from leads.models import Lead, LeadEventKind
from leads.services import lead_event_record

from ..models import AssessmentStatus, MonitoredTarget, SecurityAssessment, WatchSource
from ..selectors import assessments_requested_recently
from . import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from .diff import FindingsDiff

logger = logging.getLogger(__name__)

#: How long a re-scan held back by the per-domain rate limit waits before the schedule tries again.
RATE_LIMITED_RETRY = timedelta(hours=1)


def _actor(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None


def _next_scan_after_last(target: MonitoredTarget) -> datetime | None:
    """The next scan is one interval after the target's last completed scan; none before a first
    scan has completed (that scan is what approves the target: a consent given with a request for
    a foreign domain must wait for staff approval like the request itself)."""
    last = (
        SecurityAssessment.objects.filter(
            target_host=target.host, lead_id=target.lead_id, status=AssessmentStatus.COMPLETED
        )
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    return None if last is None else last + timedelta(days=target.interval_days)


@transaction.atomic
def monitor_watch(
    *,
    lead: Lead,
    host: str,
    target_url: str,
    source: WatchSource,
    actor: AbstractBaseUser | None = None,
    interval_days: int | None = None,
) -> MonitoredTarget:
    """Watch `host` for `lead`: re-scan it every `interval_days` (default
    ASSESSMENT_MONITOR_INTERVAL_DAYS). `host` is the normalised host of an assessment
    (`target_normalise`). A host already watched keeps its lead while it is watched; a stopped
    watch is taken over by the lead that watches it again. Earlier scans of the host for the lead
    join the target's history. Idempotent: watching a watched target changes nothing."""
    if interval_days is not None and not 1 <= interval_days <= 365:
        raise ValidationError({"interval_days": "Between 1 and 365 days."})
    target = MonitoredTarget.objects.select_for_update().filter(host=host).first()
    if target is not None and target.is_active:
        return target
    created = target is None
    if target is None:
        target = MonitoredTarget(host=host)
    target.target_url = target_url
    target.lead = lead
    target.company_id = lead.company_id
    target.is_active = True
    target.source = source
    target.watched_since = timezone.now()
    target.watched_by = _actor(actor)
    if interval_days is not None:
        target.interval_days = interval_days
    target.next_scan_at = _next_scan_after_last(target)
    target.save()
    SecurityAssessment.objects.filter(target_host=host, lead=lead, monitored_target__isnull=True).update(
        monitored_target=target
    )
    how = "at the prospect's request" if source == WatchSource.CONSENT else "staff choice"
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"{host} watched ({how}): re-scanned every {target.interval_days} day(s)",
        data={"monitored_target": str(target.pk), "host": host, "source": source, "created": created},
        actor=_actor(actor),
        actor_label="system" if actor is None else "staff",
    )
    return target


def monitor_watch_assessment(
    *, assessment: SecurityAssessment, source: WatchSource, actor: AbstractBaseUser | None = None
) -> MonitoredTarget:
    """Watch the target of an assessment, for the assessment's lead."""
    return monitor_watch(
        lead=assessment.lead,
        host=assessment.target_host,
        target_url=assessment.target_url,
        source=source,
        actor=actor,
    )


@transaction.atomic
def monitor_update(
    *,
    target: MonitoredTarget,
    is_active: bool,
    interval_days: int,
    actor: AbstractBaseUser | None,
) -> MonitoredTarget:
    """Turn the watch on or off and set its interval (the admin's toggle); a timeline entry says so."""
    if not 1 <= interval_days <= 365:
        raise ValidationError({"interval_days": "Between 1 and 365 days."})
    target = MonitoredTarget.objects.select_for_update().get(pk=target.pk)
    if (target.is_active, target.interval_days) == (is_active, interval_days):
        return target
    resumed = is_active and not target.is_active
    target.is_active = is_active
    target.interval_days = interval_days
    if resumed:
        target.watched_since = timezone.now()
        target.watched_by = _actor(actor)
    target.next_scan_at = _next_scan_after_last(target) if is_active else None
    target.save()
    if is_active:
        summary = f"{target.host} watched: re-scanned every {interval_days} day(s)"
    else:
        summary = f"{target.host} no longer watched (its scan history is kept)"
    lead_event_record(
        lead=target.lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=summary,
        data={"monitored_target": str(target.pk), "is_active": is_active, "interval_days": interval_days},
        actor=_actor(actor),
    )
    return target


def monitor_unwatch(*, target: MonitoredTarget, actor: AbstractBaseUser | None) -> MonitoredTarget:
    return monitor_update(target=target, is_active=False, interval_days=target.interval_days, actor=actor)


# --- Each completed scan -------------------------------------------------------------------------


def monitor_link_scan(*, assessment: SecurityAssessment) -> None:
    """Attach a scan being completed to the watched target of its host and lead, if there is one
    (on the instance; the caller saves `monitored_target` with the results)."""
    if assessment.monitored_target_id is None and assessment.target_host:
        target = selectors.monitored_target_for(host=assessment.target_host, lead_id=assessment.lead_id)
        if target is not None:
            assessment.monitored_target = target


def monitor_after_scan(*, assessment: SecurityAssessment) -> None:
    """After a watched target's scan completed (same transaction): schedule the next scan one
    interval later and queue the alert check against the previous scan."""
    if assessment.monitored_target_id is None:
        return
    target = MonitoredTarget.objects.select_for_update().get(pk=assessment.monitored_target_id)
    if not target.is_active:
        return
    target.next_scan_at = (assessment.completed_at or timezone.now()) + timedelta(days=target.interval_days)
    target.save(update_fields=["next_scan_at"])
    if selectors.previous_scan(assessment) is not None:
        from ..tasks import assessment_monitor_alert_task

        enqueue_with_transaction(assessment_monitor_alert_task, str(assessment.pk))
        # Slack / Teams: a job of its own that makes the same check, so a receiver that is down
        # never holds up the e-mail (and a failing e-mail never holds up the channel).
        alert_channels_queue(kind=AlertKind.WATCHED_ASSESSMENT, subject_id=assessment.pk)


# --- The schedule --------------------------------------------------------------------------------


@dataclass
class RescanReport:
    queued: list[str] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)
    rate_limited: list[str] = field(default_factory=list)


def monitor_rescan_due(*, now: datetime | None = None, limit: int | None = None) -> RescanReport:
    """Queue a scan of every watched target that is due, at most `limit` (default
    ASSESSMENT_MONITOR_BATCH_SIZE) per call; run it again for the next batch.

    Idempotent and safe to run concurrently: each target is handled in its own transaction under
    a row lock and re-checked there, and queuing moves its `next_scan_at` one interval on, so a
    second run finds nothing due. A target whose scan is still queued or running gets no second
    one (its next scan moves on an interval). A target whose registrable domain has had
    ASSESSMENT_DOMAIN_RATE_LIMIT_PER_HOUR scans in the last hour waits an hour."""
    now = now or timezone.now()
    limit = limit or settings.ASSESSMENT_MONITOR_BATCH_SIZE
    report = RescanReport()
    for target_id in selectors.due_target_ids(now=now, limit=limit):
        with transaction.atomic():
            target = (
                MonitoredTarget.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=target_id, is_active=True, next_scan_at__lte=now)
                .select_related("lead")
                .first()
            )
            if target is None:  # another run took it, or it was changed meanwhile
                continue
            if selectors.target_has_scan_in_flight(target=target):
                target.next_scan_at = now + timedelta(days=target.interval_days)
                target.save(update_fields=["next_scan_at"])
                report.in_flight.append(target.host)
                continue
            if (
                assessments_requested_recently(host=target.host)
                >= settings.ASSESSMENT_DOMAIN_RATE_LIMIT_PER_HOUR
            ):
                target.next_scan_at = now + RATE_LIMITED_RETRY
                target.save(update_fields=["next_scan_at"])
                report.rate_limited.append(target.host)
                continue
            from ..services import assessment_create_scheduled  # cycle: services.requests imports this module

            assessment_create_scheduled(target=target)
            target.next_scan_at = now + timedelta(days=target.interval_days)
            target.last_scan_queued_at = now
            target.save(update_fields=["next_scan_at", "last_scan_queued_at"])
            report.queued.append(target.host)
    return report


# --- The alert -----------------------------------------------------------------------------------


def _alert_recipient(lead: Lead) -> str:
    owner = lead.owner
    if owner is not None and owner.is_active and owner.email:
        return owner.email
    return settings.SALES_ALERT_EMAIL


@transaction.atomic
def monitor_send_alert(*, assessment_id: uuid.UUID | str) -> bool:
    """E-mail the lead owner (SALES_ALERT_EMAIL when unassigned) once when a watched target's scan
    shows a lower grade or a new critical finding than the scan before, and put it on the lead's
    timeline as a sales trigger. False when there is nothing to send or it was sent already.

    Lock, check, record, send last (`send_once`), commit: a re-run of the job finds
    `monitor_alert_sent_at` set, or the ledger's key taken."""
    assessment = _alert_candidate(assessment_id)
    if assessment is None:
        return False
    diff = selectors.scan_diff(assessment)
    if diff is None or not diff.got_worse:
        return False
    to = _alert_recipient(assessment.lead)
    reasons = _alert_reasons(diff)
    _alert_record(assessment, diff=diff, reasons=reasons, to=to)
    if not send_once(
        _alert_message(assessment, diff=diff, reasons=reasons, to=to), key=f"monitor-alert:{assessment.pk}"
    ):
        transaction.set_rollback(True)  # sent before (ledger), whatever the row says
        return False
    return True


def _alert_candidate(assessment_id: uuid.UUID | str) -> SecurityAssessment | None:
    """The completed scan of an actively watched target, locked, unless its alert went out."""
    assessment = (
        SecurityAssessment.objects.select_for_update(of=("self",))
        .select_related("lead", "lead__owner", "lead__company", "monitored_target")
        .filter(pk=assessment_id)
        .first()
    )
    if (
        assessment is None
        or assessment.status != AssessmentStatus.COMPLETED
        or assessment.monitor_alert_sent_at is not None
        or assessment.monitored_target is None
        or not assessment.monitored_target.is_active
    ):
        return None
    return assessment


def _alert_reasons(diff: FindingsDiff) -> list[str]:
    """Why the target got worse, in words: the grade drop and the new critical findings."""
    reasons = []
    if diff.grade_dropped:
        reasons.append(f"grade {diff.previous_grade} → {diff.current_grade}")
    if diff.new_critical:
        titles = "; ".join(c.shown.title for c in diff.new_critical[:3])
        reasons.append(f"{len(diff.new_critical)} new critical finding(s): {titles}")
    return reasons


def _alert_record(assessment: SecurityAssessment, *, diff: FindingsDiff, reasons: list[str], to: str) -> None:
    """Mark the alert as sent and put the sales trigger on the lead's timeline (before sending,
    inside the caller's transaction, so a failed send rolls both back)."""
    summary = f"Watched site {assessment.target_host} got worse: " + ", ".join(reasons)
    assessment.monitor_alert_sent_at = timezone.now()
    assessment.save(update_fields=["monitor_alert_sent_at"])
    lead_event_record(
        lead=assessment.lead,
        kind=LeadEventKind.SALES_TRIGGER,
        summary=f"{summary} (alert e-mailed to {to})"[:500],
        data={
            "assessment": str(assessment.pk),
            "monitored_target": str(assessment.monitored_target_id),
            "grade_from": diff.previous_grade,
            "grade_to": diff.current_grade,
            "new_critical": [c.shown.check_id for c in diff.new_critical],
            "to": to,
        },
    )


def _alert_message(
    assessment: SecurityAssessment, *, diff: FindingsDiff, reasons: list[str], to: str
) -> EmailMultiAlternatives:
    """The alert e-mail (text and HTML) with links to the assessment and the lead in the admin."""
    lead = assessment.lead
    company = lead.company.name if lead.company else assessment.target_host
    context = {
        "assessment": assessment,
        "lead": lead,
        "company": company,
        "diff": diff,
        "reasons": reasons,
        "admin_url": settings.SITE_URL
        + reverse("admin:assessments_securityassessment_change", args=[assessment.pk]),
        "lead_url": settings.SITE_URL + reverse("admin:leads_lead_change", args=[lead.pk]),
    }
    message = EmailMultiAlternatives(
        subject=f"Sales trigger: {company}'s site {assessment.target_host} got worse ({', '.join(reasons)})".replace(
            "\n", " "
        )[:200],
        body=render_to_string("assessments/email/monitor_alert.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string("assessments/email/monitor_alert.html", context), "text/html")
    return message


def monitor_watch_lead_targets(*, lead: Lead, actor: AbstractBaseUser | None) -> list[MonitoredTarget]:
    """Watch every website assessed for `lead` (staff choice from the lead list): the hosts of its
    assessments that were approved (not those still awaiting target approval)."""
    seen: dict[str, SecurityAssessment] = {}
    for assessment in (
        SecurityAssessment.objects.filter(lead=lead)
        .exclude(status=AssessmentStatus.PENDING_APPROVAL)
        .exclude(target_host="")
        .order_by("-requested_at")
    ):
        seen.setdefault(assessment.target_host, assessment)
    return [
        monitor_watch_assessment(assessment=assessment, source=WatchSource.STAFF, actor=actor)
        for assessment in seen.values()
    ]
