"""assessment.completed: the version-1 payload (docs/webhooks.md), emitted by `assessment_complete`."""

from __future__ import annotations

from typing import Any

from enterprise_scanner.webhooks.models import WebhookEventType
from enterprise_scanner.webhooks.services import webhook_emit
from leads.webhooks import lead_payload

from .models import SecurityAssessment


def assessment_payload(assessment: SecurityAssessment) -> dict[str, Any]:
    """The result a rep sees on the assessment's page (no report download link: it is private)."""
    return {
        "id": str(assessment.pk),
        "target_url": assessment.target_url,
        "target_host": assessment.target_host,
        "assessment_type": assessment.assessment_type,
        "status": assessment.status,
        "grade": assessment.grade,
        "risk_score": assessment.risk_score,
        "observatory_score": assessment.observatory_score,
        "requested_at": assessment.requested_at,
        "completed_at": assessment.completed_at,
    }


def assessment_completed_emit(*, assessment: SecurityAssessment) -> None:
    webhook_emit(
        event_type=WebhookEventType.ASSESSMENT_COMPLETED,
        lead=assessment.lead,
        data=lambda: {"assessment": assessment_payload(assessment), "lead": lead_payload(assessment.lead)},
    )
