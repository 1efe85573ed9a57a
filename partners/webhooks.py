"""commission.approved: the version-1 payload (docs/webhooks.md), emitted by `commission_approve`.

Reps cannot see commissions, so it goes to managers' endpoints only."""

from __future__ import annotations

from typing import Any

from enterprise_scanner.webhooks.models import WebhookEventType
from enterprise_scanner.webhooks.services import webhook_emit

from .models import Commission


def commission_payload(commission: Commission) -> dict[str, Any]:
    return {
        "id": commission.pk,
        "partner": {"id": commission.partner_id, "name": commission.partner.name},
        "lead_id": str(commission.lead_id) if commission.lead_id else None,
        "deal_value": str(commission.deal_value),
        "rate": str(commission.rate),
        "amount": str(commission.amount),
        "status": commission.status,
        "approved_at": commission.approved_at,
        "approved_by": commission.approved_by.get_username() if commission.approved_by else None,
    }


def commission_approved_emit(*, commission: Commission) -> None:
    webhook_emit(
        event_type=WebhookEventType.COMMISSION_APPROVED,
        lead=commission.lead,
        managers_only=True,
        data=lambda: {"commission": commission_payload(commission)},
    )
