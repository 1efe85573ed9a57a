"""The leads domain's webhook events (lead.created, lead.qualified, lead.status_changed,
lead.assigned, lead.hot): their version-1 payloads, documented in docs/webhooks.md.

Each `*_emit` is one line in the service that makes the change, inside its transaction; the
payload is built only if some endpoint receives the event (`webhook_emit` takes a callable).
"""

from __future__ import annotations

from typing import Any

from enterprise_scanner.webhooks.models import WebhookEventType
from enterprise_scanner.webhooks.services import webhook_emit

from .models import Lead, LeadStatus


def lead_payload(lead: Lead) -> dict[str, Any]:
    """What every lead event says about the lead: what a rep sees on its page, no internals."""
    company = lead.company
    owner = lead.owner
    return {
        "id": str(lead.pk),
        "email": lead.email,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "job_title": lead.job_title,
        "seniority": lead.seniority,
        "phone": lead.phone,
        "company": (
            {
                "id": str(company.pk),
                "name": company.name,
                "domain": company.domain,
                "fortune_rank": company.fortune_rank,
            }
            if company is not None
            else None
        ),
        "company_name": lead.company_name,
        "source": lead.source,
        "status": lead.status,
        "score": lead.score,
        "is_fortune_500": lead.is_fortune_500,
        "owner": {"id": owner.pk, "username": owner.get_username(), "email": owner.email} if owner else None,
        "created_at": lead.created_at,
    }


def lead_created_emit(*, lead: Lead) -> None:
    webhook_emit(
        event_type=WebhookEventType.LEAD_CREATED, lead=lead, data=lambda: {"lead": lead_payload(lead)}
    )


def lead_status_changed_emit(*, lead: Lead, previous: str, reason: str = "") -> None:
    """lead.status_changed, and lead.qualified as well when the lead moved to Qualified."""
    webhook_emit(
        event_type=WebhookEventType.LEAD_STATUS_CHANGED,
        lead=lead,
        data=lambda: {"lead": lead_payload(lead), "from": previous, "to": lead.status, "reason": reason},
    )
    if lead.status == LeadStatus.QUALIFIED:
        webhook_emit(
            event_type=WebhookEventType.LEAD_QUALIFIED,
            lead=lead,
            data=lambda: {"lead": lead_payload(lead), "from": previous, "reason": reason},
        )


def lead_assigned_emit(*, lead: Lead, previous_owner_id: int | None) -> None:
    webhook_emit(
        event_type=WebhookEventType.LEAD_ASSIGNED,
        lead=lead,
        data=lambda: {"lead": lead_payload(lead), "previous_owner_id": previous_owner_id},
    )


def lead_hot_emit(*, lead: Lead, previous_score: int, threshold: int) -> None:
    webhook_emit(
        event_type=WebhookEventType.LEAD_HOT,
        lead=lead,
        data=lambda: {"lead": lead_payload(lead), "previous_score": previous_score, "threshold": threshold},
    )
