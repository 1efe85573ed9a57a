"""Reads of the chat domain, scoped to who asks."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from leads.selectors import lead_queryset_for_user, user_is_sales_manager

from . import events
from .models import AgentSession, CannedResponse, Conversation, ConversationStatus, Message, MessageSender

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from analytics.models import Website

#: Most messages sent in one catch-up batch (a client asks again for the rest).
CATCH_UP_BATCH = 200
QUEUE_LIMIT = 100


def token_hash(token: str) -> str:
    """How a resume token is stored: only its hash, so the database never holds a visitor's key."""
    return hashlib.sha256(token.encode()).hexdigest()


def conversation_resume(*, website: Website, token: str) -> Conversation | None:
    """The conversation this token opened on this website, or None (wrong token, other site)."""
    if not token or len(token) > 100:
        return None
    return Conversation.objects.filter(website=website, token_hash=token_hash(token)).first()


def agents_online_count() -> int:
    """People with an agent console open (heartbeat within CHAT_AGENT_ONLINE_SECONDS)."""
    since = timezone.now() - timedelta(seconds=settings.CHAT_AGENT_ONLINE_SECONDS)
    return AgentSession.objects.filter(last_seen_at__gte=since).values("user").distinct().count()


def bot_unanswered_count(*, conversation: Conversation) -> int:
    """How many times the bot said it did not know, in this conversation."""
    return conversation.messages.filter(sender=MessageSender.BOT, metadata__answered=False).count()


def transcripts_sent_count(*, conversation: Conversation) -> int:
    return conversation.messages.filter(metadata__event="transcript_sent").count()


def message_resent(*, conversation: Conversation, client_message_id: str) -> Message | None:
    """The message a client already sent with this id, if this is a resend of a stored one
    (no query when the client gave no id)."""
    if not client_message_id:
        return None
    return conversation.messages.filter(client_message_id=client_message_id).first()


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
    """Conversations `user` may see, in the console and the admin alike. The rule follows the
    lead, because a transcript is the lead's data (name, e-mail, what they said):

    - a manager sees every conversation;
    - a rep sees a conversation whose lead they may see (their own lead or an unassigned one,
      `leads.selectors.lead_queryset_for_user`), whoever claimed the chat;
    - a conversation with no lead yet is the anonymous queue: a rep sees it while nobody has
      claimed it, or when they are its agent;
    - never a conversation whose lead another rep owns, even one the rep claimed before the
      visitor was identified as that lead.
    """
    queryset = Conversation.objects.select_related("lead__company", "assigned_agent", "visitor__company")
    if not (user.is_active and user.is_staff and user.has_perm("chat.view_conversation")):
        return queryset.none()
    if user_is_sales_manager(user):
        return queryset
    anonymous = Q(lead__isnull=True) & (Q(assigned_agent__isnull=True) | Q(assigned_agent=user))
    return queryset.filter(anonymous | (Q(lead__isnull=False) & conversation_lead_visible_q(user=user)))


def conversation_lead_visible_q(*, user: AbstractBaseUser) -> Q:
    """The lead half of the rule above, for claiming: a conversation without a lead, or whose
    lead `user` may see. A rep cannot take over a waiting chat of another rep's lead."""
    if user_is_sales_manager(user):
        return Q()
    return Q(lead__isnull=True) | Q(lead__in=lead_queryset_for_user(user=user).values("pk"))


def conversation_ids_still_visible(*, user: AbstractBaseUser, conversation_ids: list[str]) -> set[str]:
    """Which of the conversations a console has open `user` may still see: a lead linked or
    reassigned since they were opened can take one away (one query for all of them)."""
    if not conversation_ids:
        return set()
    visible = conversation_queryset_for_agent(user=user).filter(pk__in=conversation_ids)
    return {str(pk) for pk in visible.values_list("pk", flat=True)}


def message_queryset_for_agent(*, user: AbstractBaseUser) -> QuerySet[Message]:
    """Messages of the conversations `user` may see (`conversation_queryset_for_agent`)."""
    visible = conversation_queryset_for_agent(user=user).values("pk")
    return Message.objects.filter(conversation__in=visible)


def conversation_for_agent(*, user: AbstractBaseUser, conversation_id: Any) -> Conversation | None:
    try:
        conversation_id = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    return conversation_queryset_for_agent(user=user).filter(pk=conversation_id).first()


def agent_queue(*, user: AbstractBaseUser) -> dict[str, list[dict[str, Any]]]:
    """The console's two lists: conversations waiting for a person (oldest escalation first)
    and the agent's own open ones, both only of conversations `user` may see (a waiting chat
    of another rep's lead is not listed, so its name and e-mail never reach this console). Two
    queries, however long the lists."""
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
    """A queue row and the header of an opened conversation, with its lead card, the visitor's
    current page and the company their visits are attributed to (before they give an address)."""
    lead = conversation.lead
    company = lead.company if lead is not None else None
    visitor_company = (
        conversation.visitor.company if conversation.visitor_id and conversation.visitor else None
    )
    return {
        "id": str(conversation.pk),
        "status": conversation.status,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat() if conversation.updated_at else None,
        "page": {"url": conversation.page_url, "title": conversation.page_title}
        if conversation.page_url
        else None,
        "visitor_company": None
        if visitor_company is None
        else {"name": visitor_company.name, "fortune_rank": visitor_company.fortune_rank},
        "offline": conversation.offline_message,
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


#: Most canned responses sent to a console (the "/" search filters them in the browser).
CANNED_LIMIT = 500


def canned_responses_for_console() -> list[dict[str, str]]:
    """The active canned responses, for the console's "/" search (every agent may use them)."""
    return list(
        CannedResponse.objects.filter(is_active=True)
        .order_by("shortcut")
        .values("shortcut", "title", "body")[:CANNED_LIMIT]
    )
