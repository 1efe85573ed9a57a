"""Reads of monitoring: who may see which watched targets, a target's history up to a scan, the
diff of a scan against the one before it, and the targets due for a re-scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from leads.selectors import lead_queryset_for_user, user_is_sales_manager

from ..models import AssessmentStatus, Finding, MonitoredTarget, SecurityAssessment
from .diff import FindingLike, FindingsDiff, diff_findings
from .history import HistoryPoint, history_headline

#: Scans of a target that are not finished yet: the schedule does not queue another on top.
IN_FLIGHT = (AssessmentStatus.PENDING_APPROVAL, AssessmentStatus.QUEUED, AssessmentStatus.RUNNING)


def monitored_target_queryset_for_user(*, user: Any) -> QuerySet[MonitoredTarget]:
    """Watched targets of the leads `user` may see (the leads' scoping rule; a manager: all)."""
    if user_is_sales_manager(user):
        return MonitoredTarget.objects.all()
    return MonitoredTarget.objects.filter(lead__in=lead_queryset_for_user(user=user).values("pk"))


def monitored_target_for(*, host: str, lead_id: Any) -> MonitoredTarget | None:
    """The watched target a scan of `host` for this lead belongs to, if any."""
    return MonitoredTarget.objects.filter(host=host, lead_id=lead_id).first()


def due_target_ids(*, now: datetime, limit: int) -> list[Any]:
    """Watched targets whose next scan is due, longest overdue first, at most `limit`."""
    return list(
        MonitoredTarget.objects.filter(is_active=True, next_scan_at__lte=now)
        .order_by("next_scan_at")
        .values_list("pk", flat=True)[:limit]
    )


def target_has_scan_in_flight(*, target: MonitoredTarget) -> bool:
    return (
        SecurityAssessment.objects.filter(monitored_target=target, status__in=IN_FLIGHT).exists()
        or SecurityAssessment.objects.filter(
            target_host=target.host, lead_id=target.lead_id, status__in=IN_FLIGHT
        ).exists()
    )


def _earlier_completed(assessment: SecurityAssessment) -> QuerySet[SecurityAssessment]:
    """Completed scans of the same target finished before `assessment` (itself excluded)."""
    queryset = SecurityAssessment.objects.filter(
        monitored_target_id=assessment.monitored_target_id, status=AssessmentStatus.COMPLETED
    ).exclude(pk=assessment.pk)
    if assessment.completed_at is not None:
        queryset = queryset.filter(completed_at__lt=assessment.completed_at)
    return queryset


def history_until(assessment: SecurityAssessment) -> list[HistoryPoint]:
    """Grade and risk of the target's completed scans up to and including `assessment` (which may
    be being completed right now, not yet saved), oldest first."""
    if assessment.monitored_target_id is None:
        return []
    rows = (
        _earlier_completed(assessment)
        .order_by("completed_at")
        .values_list("pk", "completed_at", "grade", "risk_score")
    )
    points = [HistoryPoint(str(pk), at, grade, risk) for pk, at, grade, risk in rows]
    if assessment.grade:
        points.append(
            HistoryPoint(
                str(assessment.pk),
                assessment.completed_at or timezone.now(),
                assessment.grade,
                assessment.risk_score,
            )
        )
    return points


def previous_scan(assessment: SecurityAssessment) -> SecurityAssessment | None:
    """The target's completed scan just before `assessment`."""
    if assessment.monitored_target_id is None:
        return None
    return _earlier_completed(assessment).order_by("-completed_at").first()


def scan_diff(
    assessment: SecurityAssessment, *, findings: list[FindingLike] | None = None
) -> FindingsDiff | None:
    """What changed since the target's previous completed scan; None for a first or one-off scan."""
    previous = previous_scan(assessment)
    if previous is None:
        return None
    current = findings if findings is not None else list(assessment.findings.all())
    return diff_findings(
        previous=list(Finding.objects.filter(assessment=previous)),
        previous_results=previous.results,
        current=current,
        current_results=assessment.results,
        previous_grade=previous.grade,
        current_grade=assessment.grade,
        previous_risk=previous.risk_score,
        current_risk=assessment.risk_score,
    )


@dataclass(frozen=True)
class MonitoringSummary:
    """What the admin page and the PDF show of a watched target's scan."""

    host: str
    watched: bool
    interval_days: int
    history: list[HistoryPoint]
    diff: FindingsDiff | None

    @property
    def headline(self) -> str:
        return history_headline(self.history)


def monitoring_summary(
    assessment: SecurityAssessment, *, findings: list[FindingLike] | None = None
) -> MonitoringSummary | None:
    """History and diff of a scan of a watched target; None when the scan belongs to no target."""
    target = assessment.monitored_target
    if target is None:
        return None
    return MonitoringSummary(
        host=target.host,
        watched=target.is_active,
        interval_days=target.interval_days,
        history=history_until(assessment),
        diff=scan_diff(assessment, findings=findings),
    )
