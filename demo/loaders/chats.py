"""Demo chats, played through the chat services message by message.

`conversation_start` (with its greeting), `visitor_message_post`, `message_post` for the bot's
and the agent's scripted lines, `conversation_escalate` (which flags Fortune 500 and high value
from the lead and tells the visitor), `conversation_close` and `conversation_rate`. Agent lines go
through `message_post` rather than `agent_reply`, which needs a staff agent who claimed the chat:
the seed has no staff users. Times are moved afterwards (demo.loaders.clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from analytics.models import Website
from chat.models import Conversation, MessageSender
from chat.services import (
    conversation_close,
    conversation_escalate,
    conversation_rate,
    conversation_start,
    message_post,
    visitor_message_post,
)
from demo.specs.chats import ConversationSpec, MessageSpec

from .clock import backdated

MESSAGE_GAP = timedelta(seconds=40)


def _post(conversation: Conversation, message: MessageSpec) -> None:
    if message.sender == MessageSender.VISITOR:
        visitor_message_post(conversation_id=conversation.pk, body=message.body)
    else:
        message_post(
            conversation_id=conversation.pk,
            sender=message.sender,
            body=message.body,
            metadata=dict(message.metadata),
        )


def load_conversation(
    spec: ConversationSpec, *, website: Website, visitor_id: str, started: datetime
) -> None:
    with backdated(started):
        conversation, _token = conversation_start(website=website, visitor_id=visitor_id)
    at = started
    escalated_at = closed_at = None
    for number, message in enumerate(spec.messages, start=1):
        at += MESSAGE_GAP
        with backdated(at):
            _post(conversation, message)
            if number == spec.escalated_after_message:
                conversation_escalate(conversation_id=conversation.pk, reason=spec.escalation_reason)
                escalated_at = at
    if spec.csat_rating is not None:
        closed_at = at + timedelta(minutes=2)
        with backdated(closed_at):
            conversation_close(conversation_id=conversation.pk)
            conversation_rate(
                conversation_id=conversation.pk, rating=spec.csat_rating, comment=spec.csat_comment
            )
    # Post-step (times only): the conversation's own timestamps at the story's moments.
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=started,
        updated_at=closed_at or at,
        escalated_at=escalated_at,
        closed_at=closed_at,
    )
    if (status := Conversation.objects.get(pk=conversation.pk).status) != spec.status:
        raise ValueError(f"Demo chat ended {status}, the story says {spec.status}")
