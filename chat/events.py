"""What goes over the chat sockets: group names, the JSON shape of a stored message, and
broadcasting after commit.

A broadcast is only a nudge that something new exists: every stored message carries its
conversation's sequence number, and a consumer that sees a gap (a group message dropped by a full
channel, a Redis restart) re-reads the missing messages from the database. So a lost broadcast
delays a message by one event at most; it never loses it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import Message, MessageSender

logger = logging.getLogger(__name__)

#: Every agent console listens here for "the queue changed".
AGENTS_GROUP = "chat.agents"

#: Stored system messages that are events of their own type in the protocol.
SYSTEM_EVENTS = frozenset({"escalated", "agent_joined", "closed", "rated", "transcript_sent"})


def conversation_group(conversation_id: uuid.UUID | str) -> str:
    return f"chat.conversation.{uuid.UUID(str(conversation_id)).hex}"


def agent_display_name(user: Any) -> str:
    """What the visitor sees of an agent: first name, else username (never the e-mail)."""
    if user is None:
        return ""
    return (getattr(user, "first_name", "") or user.get_username())[:50]


def message_payload(message: Message) -> dict[str, Any]:
    """One stored message as sent to visitors and agents (see docs/chat-protocol.md)."""
    event = message.metadata.get("event", "")
    payload: dict[str, Any] = {
        "type": event if event in SYSTEM_EVENTS else "message",
        "conversation": str(message.conversation_id),
        "seq": message.sequence,
        "sender": message.sender,
        "body": message.body,
        "sent_at": message.created_at.isoformat(),
    }
    if message.client_message_id:
        payload["client_id"] = message.client_message_id
    if message.sender == MessageSender.AGENT or event == "agent_joined":
        payload["agent"] = message.metadata.get("agent_name", "")
    if sources := _sources(message.metadata.get("sources")):
        payload["sources"] = sources
    if event == "escalated":
        payload["reason"] = message.metadata.get("reason", "")
        payload["agents_online"] = message.metadata.get("agents_online", 0)
    if event == "rated":
        payload["rating"] = message.metadata.get("rating")
    return payload


def _sources(raw: Any) -> list[dict[str, str]]:
    """The bot's sources as [{"title", "slug"}]; older rows (the demo data) store bare slugs."""
    if not isinstance(raw, list):
        return []
    sources = []
    for item in raw:
        if isinstance(item, str):
            sources.append({"title": item, "slug": item})
        elif isinstance(item, dict):
            sources.append({"title": str(item.get("title", "")), "slug": str(item.get("slug", ""))})
    return sources


def group_send(
    group: str, payload: dict[str, Any], *, handler: str = "chat.event", stored: bool = True
) -> None:
    """Send now (from sync code). A channel-layer failure is logged, not raised: the database
    already has the message and clients catch up by sequence number."""
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always configured
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": handler, "event": payload, "stored": stored})
    except Exception:
        logger.warning("Chat broadcast to %s failed; clients will catch up", group, exc_info=True)


def broadcast_on_commit(group: str, payload: dict[str, Any], *, handler: str = "chat.event") -> None:
    """Broadcast once the current transaction has committed, so nobody hears of a message that
    could still be rolled back."""
    transaction.on_commit(lambda: group_send(group, payload, handler=handler))


def queue_changed_on_commit() -> None:
    """Tell every agent console to re-read its queue (a conversation waits, was claimed or closed)."""
    broadcast_on_commit(AGENTS_GROUP, {}, handler="queue.changed")
