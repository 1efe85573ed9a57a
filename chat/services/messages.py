"""Storing messages: sequence numbers without gaps or duplicates, safe resends, and the checks
on what a visitor or agent typed."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import events, selectors
from ..errors import ChatError
from ..models import Conversation, ConversationStatus, Message, MessageSender

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def clean_body(body: Any) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ChatError("invalid_message", "A message needs some text.")
    body = body.strip()
    if len(body) > settings.CHAT_MESSAGE_MAX_LENGTH:
        raise ChatError(
            "message_too_long",
            f"Messages can be at most {settings.CHAT_MESSAGE_MAX_LENGTH} characters long.",
        )
    return body


def clean_client_id(client_id: Any) -> str:
    if client_id in (None, ""):
        return ""
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise ChatError("invalid_client_id", "client_id must be 1–64 letters, digits or _.:-")
    return client_id


@transaction.atomic
def message_post(
    *,
    conversation_id: uuid.UUID | str,
    sender: MessageSender | str,
    body: str,
    client_message_id: str = "",
    agent: AbstractBaseUser | None = None,
    metadata: dict[str, Any] | None = None,
) -> tuple[Message, bool]:
    """Store a message with the conversation's next sequence number, then broadcast it.

    Returns (message, created). A resend with a `client_message_id` already stored returns the
    stored message and stores nothing, so a client that did not hear the echo can safely resend.
    The conversation row is locked while the number is taken, so sequence numbers have no gaps
    and no duplicates whatever the concurrency.
    """
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if (
        resent := selectors.message_resent(conversation=conversation, client_message_id=client_message_id)
    ) is not None:
        return resent, False
    return message_store_locked(
        conversation=conversation,
        sender=sender,
        body=body,
        client_message_id=client_message_id,
        agent=agent,
        metadata=metadata,
    ), True


def message_store_locked(
    *,
    conversation: Conversation,
    sender: MessageSender | str,
    body: str,
    client_message_id: str = "",
    agent: AbstractBaseUser | None = None,
    metadata: dict[str, Any] | None = None,
) -> Message:
    """message_post's write, for callers that already hold the conversation's row lock (taken
    in this transaction with select_for_update) and have checked for a resend: two queries."""
    sequence = conversation.last_sequence + 1
    conversation.last_sequence, conversation.updated_at = sequence, timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(
        last_sequence=sequence, updated_at=conversation.updated_at
    )
    message = Message.objects.create(
        conversation=conversation,
        sequence=sequence,
        sender=sender,
        agent=agent,
        body=body,
        client_message_id=client_message_id,
        metadata=metadata or {},
    )
    events.broadcast_on_commit(events.conversation_group(conversation.pk), events.message_payload(message))
    return message


def visitor_message_post(
    *, conversation_id: uuid.UUID | str, body: Any, client_message_id: Any = ""
) -> tuple[Message, bool]:
    """A visitor's message, validated; refused once the conversation is closed (except a resend
    of a message already stored, which is answered with the stored one). This is the path a
    visitor waits on, so it is kept to four queries: lock, resend check, sequence, insert."""
    body, client_id = clean_body(body), clean_client_id(client_message_id)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if (
            resent := selectors.message_resent(conversation=conversation, client_message_id=client_id)
        ) is not None:
            return resent, False
        if conversation.status == ConversationStatus.CLOSED:
            raise ChatError("conversation_closed", "This chat has ended; start a new one to write again.")
        message = message_store_locked(
            conversation=conversation, sender=MessageSender.VISITOR, body=body, client_message_id=client_id
        )
        return message, True
