"""What both chat sockets share: frame checks, errors, and in-order delivery of stored messages.

Delivery rule: a client has seen every message up to `last_sent` of a conversation. A stored
message with the next sequence number is sent — whether it comes back from a service this socket
called or as a broadcast —; an older one is dropped as a duplicate; a newer one means something
was missed (a full channel, a Redis restart), so the missing messages are re-read from the
database. See docs/chat-protocol.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

from enterprise_scanner import availability
from enterprise_scanner.availability import UNAVAILABLE_ERRORS
from enterprise_scanner.untrusted_json import UntrustedJSONError, parse_untrusted_json

from .. import events, selectors
from ..errors import ChatError
from ..models import Message
from ..service_calls import call_service, db
from .guards import FrameRateLimit, LayerGuardedConsumer

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]

#: Seconds within which a repeated typing state is not passed on (see `typing_throttled`).
TYPING_INTERVAL = 2.0


def frame_sequence(value: Any) -> int:
    """A sequence number from a frame (`last_seq`, `seq`): absent is 0."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ChatError("invalid_last_seq", "last_seq must be a whole number, 0 or more.")
    return value


class ChatConsumerBase(LayerGuardedConsumer):
    """Frame checks, per-connection rate limits and in-order delivery shared by both sockets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_sent: dict[str, int] = {}
        self.rate_limit = FrameRateLimit()
        # Frames out of order are impossible only if one coroutine at a time delivers stored
        # messages: the socket's dispatch loop (broadcasts) and its bot task both do.
        self.delivering = asyncio.Lock()
        self.background: set[asyncio.Task[None]] = set()
        self.closed = False
        #: conversation → (last typing state passed on, when): see `typing_throttled`.
        self.typing_sent: dict[str, tuple[bool, float]] = {}

    # --- Frames in ---

    def handlers(self) -> dict[str, Handler]:  # pragma: no cover - overridden
        raise NotImplementedError

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            return await self.send_error("bad_frame", "Send JSON text frames, not binary ones.")
        if len(text_data.encode()) > settings.CHAT_MAX_FRAME_BYTES:
            return await self.send_error(
                "frame_too_large", f"Frames can be at most {settings.CHAT_MAX_FRAME_BYTES} bytes."
            )
        try:
            data = parse_untrusted_json(text_data)
        except UntrustedJSONError as error:
            return await self.send_error("bad_json", f"That frame is not JSON we accept. {error}")
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return await self.send_error("bad_frame", 'A frame is a JSON object with a "type".')
        handler = self.handlers().get(data["type"])
        if handler is None:
            return await self.send_error("unknown_type", f"Unknown frame type {data['type'][:40]!r}.")
        if not self.rate_limit.allow(is_message=data["type"] == "message"):
            return await self.send_error(
                "rate_limited", "You are sending too fast. Wait a moment and try again.", data
            )
        try:
            await handler(data)
        except ChatError as error:
            await self.send_error(error.code, error.message, data)
        except UNAVAILABLE_ERRORS as exc:
            await self.end_unavailable(exc)
        except Exception:
            logger.exception("Chat frame of type %r failed", data["type"])
            await self.send_error("server_error", "Something went wrong on our side. Please try again.", data)

    # --- Frames out ---

    async def send_json(self, payload: dict[str, Any]) -> None:
        if self.closed:  # a background task finishing after the visitor left
            return
        await self.send(text_data=json.dumps(payload))

    async def end_unavailable(self, exc: Exception) -> None:
        """The database or Redis is down: nothing this socket does can work until it is back.
        Tell the client (`unavailable`, with `retry_after`) and close with 4503 ("try again
        later"); it reconnects and resumes by sequence (docs/chat-protocol.md)."""
        if self.closed:
            return
        logger.warning("Chat socket %s closed, a server is unavailable: %r", self.channel_name, exc)
        await self.send_json(availability.websocket_error_frame())
        self.closed = True
        await self.close(code=availability.WEBSOCKET_CLOSE_CODE)

    async def send_error(self, code: str, message: str, frame: dict[str, Any] | None = None) -> None:
        payload: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if frame is not None:
            for key in ("client_id", "conversation"):
                if isinstance(frame.get(key), str) and len(frame[key]) <= 64:
                    payload[key] = frame[key]
        await self.send_json(payload)

    async def catch_up(self, conversation_id: str) -> None:
        """Send every stored message after the last one this client has, in order."""
        async with self.delivering:
            await self._catch_up(conversation_id)

    async def _catch_up(self, conversation_id: str) -> None:
        while True:
            batch = await db(
                selectors.messages_after,
                conversation_id=conversation_id,
                after=self.last_sent[conversation_id],
            )
            for message in batch:
                if message.sequence > self.last_sent[conversation_id]:
                    self.last_sent[conversation_id] = message.sequence
                    await self.send_json(events.message_payload(message))
            if len(batch) < selectors.CATCH_UP_BATCH:
                return

    async def deliver(self, conversation_id: str, seq: int, payload: dict[str, Any]) -> None:
        """A stored message (its sequence and frame) this socket should have: sent if it is the
        next one, dropped if already sent, and after a gap the gap is re-read first."""
        async with self.delivering:
            last = self.last_sent.get(conversation_id)
            if last is None or seq <= last:
                return
            if seq == last + 1:
                self.last_sent[conversation_id] = seq
                await self.send_json(payload)
            else:
                await self._catch_up(conversation_id)

    async def deliver_stored(self, message: Message) -> None:
        """A message a service of this socket stored: sent without waiting for its broadcast."""
        await self.deliver(str(message.conversation_id), message.sequence, events.message_payload(message))

    async def call(self, function: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run a service, then send the broadcasts it made after commit."""
        result, broadcasts = await call_service(function, **kwargs)
        await events.send_broadcasts(self.channel_layer, broadcasts)
        return result

    def in_background(self, coroutine: Awaitable[None]) -> None:
        """Run `coroutine` beside the socket's frames; a disconnect waits for it to finish."""
        task = asyncio.ensure_future(coroutine)
        self.background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[None]) -> None:
        """Forget a finished background task, logging what it raised: nobody awaits it, so an
        error would otherwise surface only as asyncio's "Task exception was never retrieved"
        when it is garbage-collected, without saying which socket it belonged to."""
        self.background.discard(task)
        if task.cancelled() or task.exception() is None:
            return
        logger.error("Background work of chat socket %s failed", self.channel_name, exc_info=task.exception())

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        # Work already started (a bot answer being written) finishes before the consumer ends:
        # what it stores reaches the visitor on resume, and nothing runs on after the socket.
        self.closed = True
        if self.background:
            await asyncio.gather(*self.background, return_exceptions=True)
        await super().websocket_disconnect(message)

    async def chat_event(self, event: dict[str, Any]) -> None:
        """A broadcast to a conversation group: a stored message (with seq) or a typing/read
        signal (without). Stored ones are delivered in order, exactly once."""
        payload = event["event"]
        conversation_id = payload.get("conversation", "")
        if conversation_id not in self.last_sent:
            return
        if not event.get("stored"):
            if self.wants_signal(payload):
                await self.send_json(payload)
            return
        await self.deliver(conversation_id, payload["seq"], payload)

    def wants_signal(self, payload: dict[str, Any]) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def typing_throttled(self, conversation_id: str, active: bool) -> bool:
        """Whether to drop this typing frame: the same state was passed on less than
        TYPING_INTERVAL seconds ago. A change (started → stopped) always goes through, so the
        other side never keeps showing "typing…" after it ended; clients repeat `active: true`
        every few seconds while typing, which is what the interval lets through."""
        now = time.monotonic()
        previous = self.typing_sent.get(conversation_id)
        if previous is not None and previous[0] == active and now - previous[1] < TYPING_INTERVAL:
            return True
        self.typing_sent[conversation_id] = (active, now)
        return False

    async def signal(self, conversation_id: str, payload: dict[str, Any]) -> None:
        """Typing and read signals are not stored: lost ones do not matter."""
        events_payload = {"conversation": conversation_id, **payload}
        with contextlib.suppress(Exception):  # a full channel or Redis hiccup: not worth an error
            await self.channel_layer.group_send(
                events.conversation_group(conversation_id),
                {"type": "chat.event", "event": events_payload, "stored": False},
            )
