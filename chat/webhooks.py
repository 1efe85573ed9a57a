"""chat.escalated: the version-1 payload (docs/webhooks.md), emitted by `conversation_escalate`."""

from __future__ import annotations

from typing import Any

from enterprise_scanner.webhooks.models import WebhookEventType
from enterprise_scanner.webhooks.services import webhook_emit
from leads.webhooks import lead_payload

from .models import Conversation


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    """The conversation's state, not its messages (a transcript is read in the admin)."""
    return {
        "id": str(conversation.pk),
        "status": conversation.status,
        "escalation_reason": conversation.escalation_reason,
        "escalated_at": conversation.escalated_at,
        "fortune_500_detected": conversation.fortune_500_detected,
        "high_value_opportunity": conversation.high_value_opportunity,
        "created_at": conversation.created_at,
    }


def conversation_escalated_emit(*, conversation: Conversation) -> None:
    """A chat without a lead (an anonymous visitor) reaches managers' endpoints only."""
    lead = conversation.lead
    webhook_emit(
        event_type=WebhookEventType.CHAT_ESCALATED,
        lead=lead,
        data=lambda: {
            "conversation": conversation_payload(conversation),
            "lead": lead_payload(lead) if lead is not None else None,
        },
    )
