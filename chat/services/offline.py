"""Offline messages: outside business hours, or with nobody online, the widget collects an
e-mail address and a question instead of promising a colleague. The message becomes a lead (the
intake path, source live chat) with the chat's transcript on its timeline, and sales get one
alert e-mail for it."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .. import events
from ..errors import ChatError
from ..models import Conversation, ConversationStatus, Message, MessageSender
from .crm import BOT_ACTOR, chat_event_record, lead_from_offline_message
from .escalation import alert_on_commit
from .hours import back_at_text, website_availability
from .messages import clean_body, message_store_locked
from .rollups import rollup_on_commit

#: Transcript lines kept on the lead's timeline entry (the whole chat is in the admin).
TIMELINE_TRANSCRIPT_LINES = 50


def clean_offline_email(email: Any) -> str:
    if not isinstance(email, str) or not email.strip():
        raise ChatError("email_required", "Leave your e-mail address so that we can answer you.")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ChatError("invalid_email", "That does not look like an e-mail address.") from None
    if len(email) > 254:
        raise ChatError("invalid_email", "That does not look like an e-mail address.")
    return email


def _transcript_lines(conversation: Conversation) -> list[str]:
    """The chat so far as "who: text" lines, for the lead's timeline."""
    labels = {MessageSender.VISITOR: "Visitor", MessageSender.BOT: "Bot", MessageSender.SYSTEM: "—"}
    lines = []
    messages = Message.objects.filter(conversation=conversation).order_by("sequence")
    for message in messages[:TIMELINE_TRANSCRIPT_LINES]:
        who = message.metadata.get("agent_name") or labels.get(message.sender, message.sender)
        lines.append(f"{who}: {message.body}")
    return lines


@transaction.atomic
def offline_message_submit(
    *, conversation_id: uuid.UUID | str, email: Any, question: Any
) -> tuple[Message, bool]:
    """Store the visitor's offline question, make the lead, put the transcript on its timeline,
    alert sales once, and end the chat with a notice saying when a person is back.

    Returns (the notice, created). A second submission in the same conversation stores nothing
    and answers with the first notice (a double click, a resend after a reconnect)."""
    email, question = clean_offline_email(email), clean_body(question)
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("website", "visitor")
        .get(pk=conversation_id)
    )
    if conversation.offline_message:
        notice = (
            conversation.messages.filter(metadata__event="offline_received").order_by("-sequence").first()
        )
        if notice is not None:
            return notice, False
    if conversation.status == ConversationStatus.CLOSED:
        raise ChatError("conversation_closed", "This chat has ended; start a new one to write again.")
    message_store_locked(
        conversation=conversation,
        sender=MessageSender.VISITOR,
        body=question,
        metadata={"offline": True, "email": email},
    )
    lead, created = lead_from_offline_message(
        email=email,
        website=conversation.website,
        visitor_id=conversation.visitor.anonymous_id if conversation.visitor else "",
        question=question,
        page_url=conversation.page_url,
    )
    conversation.lead = lead
    conversation.offline_message = True
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["lead", "offline_message", "status", "closed_at", "updated_at"])
    chat_event_record(
        conversation=conversation,
        summary=f"Left an offline chat message: {question[:300]}",
        data={"offline": True, "identified": True, "transcript": _transcript_lines(conversation)},
        actor_label=BOT_ACTOR,
    )
    back = back_at_text(website_availability(conversation.website))
    notice = message_store_locked(
        conversation=conversation,
        sender=MessageSender.SYSTEM,
        body=f"Thank you! We have your question and will answer you at {email}. {back}",
        metadata={"event": "offline_received", "new_lead": created},
    )
    alert_on_commit(conversation.pk, "offline_message")
    events.queue_changed_on_commit()
    rollup_on_commit(conversation)
    return notice, True
