"""Reads of the chat domain, scoped to who asks."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from leads.selectors import user_is_sales_manager

from . import events
from .models import Conversation, ConversationStatus, Message

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

#: Most messages sent in one catch-up batch (a client asks again for the rest).
CATCH_UP_BATCH = 200
QUEUE_LIMIT = 100


def messages_after(
    *, conversation_id: uuid.UUID | str, after: int, limit: int = CATCH_UP_BATCH
) -> list[Message]:
    """The conversation's messages with a sequence number above `after`, oldest first."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, sequence__gt=max(after, 0)).order_by(
            "sequence"
        )[:limit]
    )


def conversation_queryset_for_agent(*, user: AbstractBaseUser) -> QuerySet[Conversation]:
    """Conversations an agent may open: unassigned ones and their own; a manager's, all."""
    queryset = Conversation.objects.select_related("lead__company", "assigned_agent")
    if not (user.is_active and user.is_staff and user.has_perm("chat.view_conversation")):
        return queryset.none()
    if user_is_sales_manager(user):
        return queryset
    return queryset.filter(Q(assigned_agent__isnull=True) | Q(assigned_agent=user))


def conversation_for_agent(*, user: AbstractBaseUser, conversation_id: Any) -> Conversation | None:
    try:
        conversation_id = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    return conversation_queryset_for_agent(user=user).filter(pk=conversation_id).first()


def agent_queue(*, user: AbstractBaseUser) -> dict[str, list[dict[str, Any]]]:
    """The console's two lists: conversations waiting for a person (oldest escalation first)
    and the agent's own open ones. Two queries, however long the lists."""
    queryset = conversation_queryset_for_agent(user=user)
    waiting = queryset.filter(status=ConversationStatus.WAITING, assigned_agent__isnull=True).order_by(
        "escalated_at"
    )[:QUEUE_LIMIT]
    mine = queryset.filter(status=ConversationStatus.ACTIVE, assigned_agent=user).order_by("-updated_at")[
        :QUEUE_LIMIT
    ]
    return {
        "waiting": [conversation_summary(c) for c in waiting],
        "mine": [conversation_summary(c) for c in mine],
    }


def conversation_summary(conversation: Conversation) -> dict[str, Any]:
    """A queue row and the header of an opened conversation, with its lead card."""
    lead = conversation.lead
    company = lead.company if lead is not None else None
    return {
        "id": str(conversation.pk),
        "status": conversation.status,
        "reason": conversation.get_escalation_reason_display() if conversation.escalation_reason else "",
        "escalated_at": conversation.escalated_at.isoformat() if conversation.escalated_at else None,
        "fortune_500": conversation.fortune_500_detected,
        "high_value": conversation.high_value_opportunity,
        "agent": events.agent_display_name(conversation.assigned_agent),
        "last_seq": conversation.last_sequence,
        "lead": None
        if lead is None
        else {
            "id": str(lead.pk),
            "email": lead.email,
            "name": lead.full_name,
            "job_title": lead.job_title,
            "score": lead.score,
            "status": lead.get_status_display(),
            "company": company.name if company else lead.company_name,
            "fortune_rank": company.fortune_rank if company else None,
            "url": f"/admin/leads/lead/{lead.pk}/change/",
        },
    }
