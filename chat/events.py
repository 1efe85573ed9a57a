"""What goes over the chat sockets: group names, the JSON shape of a stored message, and
broadcasting after commit.

A broadcast is only a nudge that something new exists: every stored message carries its
conversation's sequence number, and a consumer that sees a gap (a group message dropped by a full
channel, a Redis restart) re-reads the missing messages from the database. So a lost broadcast
delays a message by one event at most; it never loses it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from .models import Message, MessageSender

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: A channel-layer group message waiting to be sent: (group, message).
Broadcast = tuple[str, dict[str, Any]]

#: Where `group_send` puts broadcasts while `collecting_broadcasts` is active in this thread.
_outbox = threading.local()

#: Every agent console listens here for "the queue changed".
AGENTS_GROUP = "chat.agents"

#: Stored system messages that are events of their own type in the protocol.
SYSTEM_EVENTS = frozenset(
    {"escalated", "agent_joined", "closed", "rated", "transcript_sent", "offline_received"}
)


def conversation_group(conversation_id: uuid.UUID | str) -> str:
    return f"chat.conversation.{uuid.UUID(str(conversation_id)).hex}"


def agent_display_name(user: Any) -> str:
    """What visitors and colleagues see of an agent: the full name, else the username (never the
    e-mail) — a person, not a login."""
    if user is None:
        return ""
    full_name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return (full_name or user.get_username())[:80]


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
        payload["offline"] = bool(message.metadata.get("offline", False))
    if event == "rated":
        payload["rating"] = message.metadata.get("rating")
    return payload


def _sources(raw: Any) -> list[dict[str, str]]:
    """The bot's sources as [{"title", "slug", "url"}] (url only when it is one of our help
    pages); older rows (the demo data) store bare slugs."""
    if not isinstance(raw, list):
        return []
    sources = []
    for item in raw:
        if isinstance(item, str):
            sources.append({"title": item, "slug": item})
        elif isinstance(item, dict):
            source = {"title": str(item.get("title", "")), "slug": str(item.get("slug", ""))}
            url = item.get("url")
            if isinstance(url, str) and url.startswith(settings.SITE_URL + "/help/"):
                source["url"] = url
            sources.append(source)
    return sources


def group_send(
    group: str, payload: dict[str, Any], *, handler: str = "chat.event", stored: bool = True
) -> None:
    """Send now (from sync code), or hand the broadcast to the surrounding
    `collecting_broadcasts` block. A channel-layer failure is logged, not raised: the database
    already has the message and clients catch up by sequence number."""
    message = {"type": handler, "event": payload, "stored": stored}
    collected: list[Broadcast] | None = getattr(_outbox, "broadcasts", None)
    if collected is not None:
        collected.append((group, message))
        return
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always configured
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.warning("Chat broadcast to %s failed; clients will catch up", group, exc_info=True)


@contextmanager
def collecting_broadcasts() -> Iterator[list[Broadcast]]:
    """Collect the broadcasts made in this thread instead of sending them.

    A consumer runs services in a worker thread; a broadcast sent from there would hold that
    thread (and with it the database work of every other socket) until the channel layer
    answered. Inside this block the broadcasts are only collected, and the consumer sends them
    from its event loop with `send_broadcasts` once the service has returned (they still go out
    only after commit: `broadcast_on_commit` adds them when the transaction commits)."""
    previous = getattr(_outbox, "broadcasts", None)
    _outbox.broadcasts = collected = []
    try:
        yield collected
    finally:
        _outbox.broadcasts = previous


def with_collected_broadcasts(function: Callable[..., T]) -> Callable[..., tuple[T, list[Broadcast]]]:
    """`function` returning (its result, the broadcasts it made), for database_sync_to_async."""

    def run(*args: Any, **kwargs: Any) -> tuple[T, list[Broadcast]]:
        with collecting_broadcasts() as collected:
            return function(*args, **kwargs), collected

    return run


async def send_broadcasts(layer: Any, broadcasts: list[Broadcast]) -> None:
    """Send collected broadcasts in order; failures are logged as in `group_send`."""
    for group, message in broadcasts:
        try:
            await layer.group_send(group, message)
        except Exception:
            logger.warning("Chat broadcast to %s failed; clients will catch up", group, exc_info=True)


def broadcast_on_commit(group: str, payload: dict[str, Any], *, handler: str = "chat.event") -> None:
    """Broadcast once the current transaction has committed, so nobody hears of a message that
    could still be rolled back."""
    transaction.on_commit(lambda: group_send(group, payload, handler=handler))


def queue_changed_on_commit() -> None:
    """Tell every agent console to re-read its queue (a conversation waits, was claimed or closed)."""
    broadcast_on_commit(AGENTS_GROUP, {}, handler="queue.changed")
