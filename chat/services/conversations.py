"""A conversation's life: opened by a visitor, linked to a lead when they give an address,
closed by either side and rated by the visitor."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from .. import events
from ..errors import ChatError
from ..models import Conversation, ConversationStatus, MessageSender
from ..selectors import token_hash
from .crm import BOT_ACTOR, chat_event_record, lead_from_chat, visitor_for_chat
from .escalation import agent_may_work, alert_on_commit
from .messages import message_post
from .rollups import rollup_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from analytics.models import Website

GREETING = (
    "Hi! I'm the Enterprise Scanner assistant. Ask me about our security assessments, pricing or "
    "integrations, or ask to talk to a person."
)


@transaction.atomic
def conversation_start(*, website: Website, visitor_id: str = "") -> tuple[Conversation, str]:
    """Open a conversation for a visitor of `website`; returns it and its resume token.

    The token is shown to the visitor once and stored only as a hash: it is the visitor's only
    key to the conversation, so one visitor can never read another's chat.
    """
    token = secrets.token_urlsafe(32)
    visitor = visitor_for_chat(website=website, anonymous_id=visitor_id) if visitor_id else None
    conversation = Conversation.objects.create(
        website=website,
        visitor=visitor,
        lead=visitor.lead if visitor is not None else None,
        token_hash=token_hash(token),
    )
    chat_event_record(
        conversation=conversation, summary="Started a chat on the website", actor_label=BOT_ACTOR
    )
    message_post(conversation_id=conversation.pk, sender=MessageSender.BOT, body=GREETING)
    conversation.refresh_from_db()
    return conversation, token


@transaction.atomic
def conversation_identify(*, conversation: Conversation, email: str) -> Conversation:
    """The visitor gave an e-mail address: make or find the lead exactly as the intake API does
    (company resolution, Fortune 500 flag, duplicates, scoring), link it to the conversation and
    put the chat on the lead's timeline."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("website", "visitor")
        .get(pk=conversation.pk)
    )
    lead, created = lead_from_chat(
        email=email,
        website=conversation.website,
        visitor_id=conversation.visitor.anonymous_id if conversation.visitor else "",
    )
    conversation.lead = lead
    conversation.save(update_fields=["lead", "updated_at"])
    chat_event_record(
        conversation=conversation,
        summary="Identified in a chat conversation" + (" (new lead)" if created else ""),
        data={"identified": True},
        actor_label=BOT_ACTOR,
    )
    if conversation.escalated_at and conversation.assigned_agent_id is None:
        # Nobody took the chat: it is now a lead like an offline form, and sales hear of it.
        alert_on_commit(conversation.pk, "offline_lead")
    # The lead decides who may see the chat now: consoles re-read their queues and drop it
    # where it is no longer theirs (chat.selectors.conversation_queryset_for_agent).
    events.queue_changed_on_commit()
    return Conversation.objects.select_related("lead__company").get(pk=conversation.pk)


@transaction.atomic
def conversation_close(
    *, conversation_id: uuid.UUID | str, agent: AbstractBaseUser | None = None
) -> Conversation:
    """End the chat (by its agent, or by the visitor when `agent` is None) and ask for a rating."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",)).select_related("lead").get(pk=conversation_id)
    )
    if agent is not None:
        agent_may_work(agent)
        if conversation.assigned_agent_id != agent.pk:
            raise ChatError("not_yours", "Only the agent who claimed the chat can close it.")
    if conversation.status == ConversationStatus.CLOSED:
        return conversation
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_at", "updated_at"])
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body="This chat has ended. How did we do? Rate us from 1 to 5.",
        metadata={"event": "closed", "by": "agent" if agent is not None else "visitor"},
    )
    chat_event_record(
        conversation=conversation,
        summary=f"Chat closed after {conversation.last_sequence} messages",
        actor=agent,
        actor_label="visitor" if agent is None else "system",
    )
    events.queue_changed_on_commit()
    rollup_on_commit(conversation)
    return conversation


def clean_page(*, website: Website, url: Any, title: Any) -> tuple[str, str]:
    """The visitor's current page, if it is a page of this website: an http(s) address of one of
    the website's allowed origins (the socket's own origin was checked at the handshake, so
    anything else is a forged frame), at most 500 characters; the title at most 200."""
    if not isinstance(url, str) or not isinstance(title if title is not None else "", str):
        raise ChatError("invalid_page", "page_url and page_title must be strings.")
    title = (title or "").strip()[:200]
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if (
        len(url) > 500
        or parts.scheme not in ("http", "https")
        or origin not in (website.allowed_origins or [])
    ):
        raise ChatError("invalid_page", "page_url must be an address on this website.")
    return url, title


@transaction.atomic
def conversation_page_set(
    *, conversation_id: uuid.UUID | str, website: Website, url: Any, title: Any = ""
) -> Conversation:
    """Remember the page the visitor is chatting from (shown in the agent console) and tell the
    agents following the conversation. Not stored as a message: it is context, not chat."""
    url, title = clean_page(website=website, url=url, title=title)
    conversation = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation_id)
    if (conversation.page_url, conversation.page_title) != (url, title):
        conversation.page_url, conversation.page_title = url, title
        conversation.save(update_fields=["page_url", "page_title", "updated_at"])
        transaction.on_commit(
            lambda: events.group_send(
                events.conversation_group(conversation.pk),
                {
                    "type": "page",
                    "conversation": str(conversation.pk),
                    "from": "visitor",
                    "url": url,
                    "title": title,
                },
                stored=False,
            )
        )
    return conversation


def _clean_rating(rating: Any, comment: Any) -> tuple[int, str]:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ChatError("invalid_rating", "Give a rating from 1 to 5.")
    if comment is None:
        comment = ""
    if not isinstance(comment, str) or len(comment) > 2000:
        raise ChatError("invalid_comment", "The comment must be text of at most 2000 characters.")
    return rating, comment.strip()


@transaction.atomic
def conversation_rate(*, conversation_id: uuid.UUID | str, rating: Any, comment: Any = "") -> Conversation:
    """The visitor's satisfaction rating (1–5, optional comment), once, after the chat ended."""
    rating, comment = _clean_rating(rating, comment)
    conversation = (
        Conversation.objects.select_for_update(of=("self",)).select_related("lead").get(pk=conversation_id)
    )
    if conversation.status != ConversationStatus.CLOSED:
        raise ChatError("not_closed", "You can rate the chat once it has ended.")
    if conversation.csat_rating is not None:
        raise ChatError("already_rated", "You have already rated this chat. Thank you!")
    conversation.csat_rating, conversation.csat_comment = rating, comment
    conversation.save(update_fields=["csat_rating", "csat_comment", "updated_at"])
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body="Thank you for your feedback!",
        metadata={"event": "rated", "rating": rating},
    )
    chat_event_record(
        conversation=conversation,
        summary=f"Rated the chat {rating}/5",
        data={"rating": rating, "comment": comment},
        actor_label="visitor",
    )
    rollup_on_commit(conversation)
    return conversation
