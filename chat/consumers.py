"""The chat websockets: thin async consumers that validate frames, call the chat services
in database threads (chat.service_calls), and relay stored messages in sequence order.

Delivery rule (both consumers): a client has seen every message up to `last_sent` of a
conversation. A stored message with the next sequence number is sent — whether it comes back
from a service this socket called or as a broadcast —; an older one is dropped as a duplicate; a
newer one means something was missed (a full channel, a Redis restart), so the missing messages
are re-read from the database. Reconnecting clients say which sequence they saw last and receive
everything after it. See docs/chat-protocol.md.

A visitor's message is acknowledged (sent back stored, with its sequence) as soon as it is
committed; the bot's turn runs after that in a background task of the socket, one turn at a time
and in order, so the visitor never waits for the bot to see their own message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from enterprise_scanner import availability
from enterprise_scanner.availability import UNAVAILABLE_ERRORS
from enterprise_scanner.untrusted_json import UntrustedJSONError, parse_untrusted_json

from . import events, selectors, services
from .bot.respond import bot_respond
from .models import Message
from .service_calls import call_service, db
from .services import ChatError

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]

#: Frames of any kind allowed per minute, as a multiple of the message limit (typing, read …).
FRAMES_PER_MESSAGE_LIMIT = 6


def _sequence(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ChatError("invalid_last_seq", "last_seq must be a whole number, 0 or more.")
    return value


class ChatConsumerBase(AsyncWebsocketConsumer):
    """Frame checks, per-connection rate limits and in-order delivery shared by both sockets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_sent: dict[str, int] = {}
        self.message_times: deque[float] = deque()
        self.frame_times: deque[float] = deque()
        # Frames out of order are impossible only if one coroutine at a time delivers stored
        # messages: the socket's dispatch loop (broadcasts) and its bot task both do.
        self.delivering = asyncio.Lock()
        self.background: set[asyncio.Task[None]] = set()
        self.closed = False

    # --- The channel layer's side ---

    # channels' AsyncConsumer.__call__ sets `channel_receive` to the layer's receive and awaits it
    # beside the client's frames; a Redis error there would end the consumer before it could say
    # anything (daphne then closes with 1011, or answers the handshake with 500). The setter keeps
    # the layer's receive and the consumer awaits a guarded one, which turns that error into a
    # `layer.unavailable` event handled like any other, in order with the client's frames.
    layer_error: Exception | None = None
    accepted = False

    @property
    def channel_receive(self) -> Callable[[], Awaitable[dict[str, Any]]]:
        return self._receive_from_layer

    @channel_receive.setter
    def channel_receive(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._layer_receive = receive

    async def _receive_from_layer(self) -> dict[str, Any]:
        if self.layer_error is not None:  # reported once; the socket is closing
            await asyncio.Future()
        try:
            return await self._layer_receive()
        except UNAVAILABLE_ERRORS as exc:
            self.layer_error = exc
            return {"type": "layer.unavailable"}

    async def layer_unavailable(self, message: dict[str, Any]) -> None:
        if self.accepted:  # otherwise websocket_connect reports it once the socket is open
            await self.end_unavailable(self.layer_error or RuntimeError("channel layer"))

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        await super().accept(subprotocol, headers)
        self.accepted = True

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        await super().websocket_connect(message)
        if self.accepted and self.layer_error is not None:
            await self.end_unavailable(self.layer_error)

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
        if not self._within_limits(is_message=data["type"] == "message"):
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

    def _within_limits(self, *, is_message: bool) -> bool:
        now = time.monotonic()
        limit = settings.CHAT_MESSAGES_PER_MINUTE
        for times, maximum, counts in (
            (self.frame_times, limit * FRAMES_PER_MESSAGE_LIMIT, True),
            (self.message_times, limit, is_message),
        ):
            while times and now - times[0] > 60:
                times.popleft()
            if counts and len(times) >= maximum:
                return False
        self.frame_times.append(now)
        if is_message:
            self.message_times.append(now)
        return True

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

    async def signal(self, conversation_id: str, payload: dict[str, Any]) -> None:
        """Typing and read signals are not stored: lost ones do not matter."""
        events_payload = {"conversation": conversation_id, **payload}
        with contextlib.suppress(Exception):  # a full channel or Redis hiccup: not worth an error
            await self.channel_layer.group_send(
                events.conversation_group(conversation_id),
                {"type": "chat.event", "event": events_payload, "stored": False},
            )


class VisitorConsumer(ChatConsumerBase):
    """ws/chat/?key=pk_…: one website visitor and their one conversation."""

    conversation_id: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bot_turns = asyncio.Lock()

    def handlers(self) -> dict[str, Handler]:
        return {
            "hello": self.on_hello,
            "message": self.on_message,
            "typing": self.on_typing,
            "read": self.on_read,
            "close": self.on_close,
            "rate": self.on_rate,
            "transcript": self.on_transcript,
            "ping": self.on_ping,
        }

    async def connect(self) -> None:
        self.website = self.scope["website"]
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.conversation_id is not None:
            await self.channel_layer.group_discard(
                events.conversation_group(self.conversation_id), self.channel_name
            )

    def _conversation(self) -> str:
        if self.conversation_id is None:
            raise ChatError("no_conversation", 'Send "hello" first to start or resume a conversation.')
        return self.conversation_id

    async def on_hello(self, data: dict[str, Any]) -> None:
        if self.conversation_id is not None:
            raise ChatError("already_started", "This socket already has a conversation.")
        token, visitor_id = data.get("token") or "", data.get("visitor_id") or ""
        if not isinstance(token, str) or not isinstance(visitor_id, str) or len(visitor_id) > 64:
            raise ChatError("bad_frame", "token and visitor_id must be strings (visitor_id ≤ 64).")
        last_seq = _sequence(data.get("last_seq"))
        new_token = None
        if token:
            conversation = await db(services.conversation_resume, website=self.website, token=token)
            if conversation is None:
                raise ChatError(
                    "unknown_conversation", "That conversation cannot be resumed; start a new one."
                )
        else:
            conversation, new_token = await self.call(
                services.conversation_start, website=self.website, visitor_id=visitor_id
            )
            last_seq = 0
        self.conversation_id = str(conversation.pk)
        self.last_sent[self.conversation_id] = min(last_seq, conversation.last_sequence)
        await self.channel_layer.group_add(events.conversation_group(conversation.pk), self.channel_name)
        welcome: dict[str, Any] = {
            "type": "welcome",
            "conversation": self.conversation_id,
            "status": conversation.status,
            "last_seq": conversation.last_sequence,
            "rated": conversation.csat_rating is not None,
        }
        if new_token:
            welcome["token"] = new_token
        await self.send_json(welcome)
        await self.catch_up(self.conversation_id)

    async def on_message(self, data: dict[str, Any]) -> None:
        conversation_id = self._conversation()
        (message, created), broadcasts = await call_service(
            services.visitor_message_post,
            conversation_id=conversation_id,
            body=data.get("body"),
            client_message_id=data.get("client_id"),
        )
        if not created:
            # A resend: answer with the stored message so the client can mark it delivered.
            await self.send_json(events.message_payload(message))
            return
        await self.deliver_stored(message)  # the ack: committed, so the visitor may see it
        await events.send_broadcasts(self.channel_layer, broadcasts)
        self.in_background(self.bot_turn(conversation_id, message.pk))

    async def bot_turn(self, conversation_id: str, message_id: int) -> None:
        """The bot's answer to one visitor message. Turns run one at a time, in order (the lock
        is fair), so answers come in the order of the questions."""
        async with self.bot_turns:
            try:
                reply, broadcasts = await bot_respond(conversation_id=conversation_id, message_id=message_id)
            except UNAVAILABLE_ERRORS as exc:
                await self.end_unavailable(exc)
                return
            except Exception:
                logger.exception("The bot's turn in conversation %s failed", conversation_id)
                await self.send_error("server_error", "Something went wrong on our side. Please try again.")
                return
            if reply is not None:
                await self.deliver_stored(reply)
            await events.send_broadcasts(self.channel_layer, broadcasts)

    async def on_typing(self, data: dict[str, Any]) -> None:
        await self.signal(
            self._conversation(), {"type": "typing", "from": "visitor", "active": bool(data.get("active"))}
        )

    async def on_read(self, data: dict[str, Any]) -> None:
        await self.signal(
            self._conversation(), {"type": "read", "from": "visitor", "seq": _sequence(data.get("seq"))}
        )

    async def on_close(self, data: dict[str, Any]) -> None:
        conversation_id = self._conversation()
        await self.call(services.conversation_close, conversation_id=conversation_id)
        await self.catch_up(conversation_id)

    async def on_rate(self, data: dict[str, Any]) -> None:
        conversation_id = self._conversation()
        await self.call(
            services.conversation_rate,
            conversation_id=conversation_id,
            rating=data.get("rating"),
            comment=data.get("comment") or "",
        )
        await self.catch_up(conversation_id)

    async def on_transcript(self, data: dict[str, Any]) -> None:
        conversation_id = self._conversation()
        await self.call(
            services.transcript_send, conversation_id=conversation_id, email=data.get("email") or ""
        )
        await self.catch_up(conversation_id)

    async def on_ping(self, data: dict[str, Any]) -> None:
        if self.conversation_id is not None:
            # The widget pings every 25 s. Re-joining the group is idempotent and heals a
            # membership lost to a Redis restart or to channels_redis' group expiry; the catch-up
            # delivers whatever was missed meanwhile.
            await self.channel_layer.group_add(
                events.conversation_group(self.conversation_id), self.channel_name
            )
            await self.catch_up(self.conversation_id)
        await self.send_json({"type": "pong"})

    def wants_signal(self, payload: dict[str, Any]) -> bool:
        return payload.get("from") != "visitor"


class AgentConsumer(ChatConsumerBase):
    """ws/agent/: a staff member's console — the queue, and the conversations they open."""

    def handlers(self) -> dict[str, Handler]:
        return {
            "queue": self.on_queue,
            "open": self.on_open,
            "claim": self.on_claim,
            "message": self.on_message,
            "typing": self.on_typing,
            "close": self.on_close,
            "ping": self.on_ping,
        }

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        allowed = await db(self._may_work)
        if not allowed:
            await self.close(code=4403)
            return
        await self.accept()
        await self.channel_layer.group_add(events.AGENTS_GROUP, self.channel_name)
        await db(services.agent_session_open, user=self.user, channel_name=self.channel_name)
        await self.send_queue()

    def _may_work(self) -> bool:
        user = self.user
        return bool(
            user is not None
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and user.has_perm("chat.change_conversation")
        )

    async def disconnect(self, code: int) -> None:
        if not getattr(self, "user", None) or not self.user.is_authenticated:
            return
        await self.channel_layer.group_discard(events.AGENTS_GROUP, self.channel_name)
        for conversation_id in self.last_sent:
            await self.channel_layer.group_discard(
                events.conversation_group(conversation_id), self.channel_name
            )
        await db(services.agent_session_close, channel_name=self.channel_name)

    async def send_queue(self) -> None:
        queue = await db(selectors.agent_queue, user=self.user)
        await self.send_json({"type": "queue", **queue, "agents_online": await self._online()})

    async def _online(self) -> int:
        return await db(services.agents_online_count)

    async def queue_changed(self, event: dict[str, Any]) -> None:
        await self.drop_hidden_conversations()
        await self.send_queue()

    async def drop_hidden_conversations(self) -> None:
        """Stop following the open conversations this agent may no longer see (the visitor was
        identified as another rep's lead, or the lead was reassigned): no more of their messages
        reach this console, which is told with a `not_visible` error per conversation."""
        opened = list(self.last_sent)
        if not opened:
            return
        visible = await db(selectors.conversation_ids_still_visible, user=self.user, conversation_ids=opened)
        for conversation_id in opened:
            if conversation_id in visible:
                continue
            async with self.delivering:
                self.last_sent.pop(conversation_id, None)
            await self.channel_layer.group_discard(
                events.conversation_group(conversation_id), self.channel_name
            )
            await self.send_error(
                "not_visible",
                "This conversation's lead belongs to another rep now.",
                {"conversation": conversation_id},
            )

    async def _visible(self, data: dict[str, Any]) -> str:
        conversation = await db(
            selectors.conversation_for_agent, user=self.user, conversation_id=data.get("conversation")
        )
        if conversation is None:
            raise ChatError("not_found", "No such conversation in your queue.")
        return str(conversation.pk)

    async def _open(self, conversation_id: str, last_seq: int = 0) -> None:
        conversation = await db(
            selectors.conversation_for_agent, user=self.user, conversation_id=conversation_id
        )
        if conversation is None:  # pragma: no cover - checked by the caller just before
            raise ChatError("not_found", "No such conversation in your queue.")
        summary = await db(selectors.conversation_summary, conversation=conversation)
        if conversation_id not in self.last_sent:
            self.last_sent[conversation_id] = min(last_seq, conversation.last_sequence)
            await self.channel_layer.group_add(events.conversation_group(conversation_id), self.channel_name)
        mine = conversation.assigned_agent_id == self.user.pk
        await self.send_json(
            {"type": "conversation", **summary, "conversation": conversation_id, "mine": mine}
        )
        await self.catch_up(conversation_id)

    async def on_queue(self, data: dict[str, Any]) -> None:
        await self.send_queue()

    async def on_open(self, data: dict[str, Any]) -> None:
        conversation_id = await self._visible(data)
        await self._open(conversation_id, _sequence(data.get("last_seq")))

    async def on_claim(self, data: dict[str, Any]) -> None:
        # No visibility check first: the claim itself only succeeds on an unassigned conversation
        # (which every agent may see), and the loser of a race should hear "already claimed".
        try:
            conversation_id = str(uuid.UUID(str(data.get("conversation"))))
        except ValueError:
            raise ChatError("not_found", "No such conversation in your queue.") from None
        await self.call(services.conversation_claim, conversation_id=conversation_id, agent=self.user)
        await self.send_json({"type": "claimed", "conversation": conversation_id})
        await self._open(conversation_id, self.last_sent.get(conversation_id, 0))

    async def on_message(self, data: dict[str, Any]) -> None:
        conversation_id = await self._visible(data)
        message, created = await self.call(
            services.agent_reply,
            conversation_id=conversation_id,
            agent=self.user,
            body=data.get("body"),
            client_message_id=data.get("client_id"),
        )
        if conversation_id not in self.last_sent:
            await self._open(conversation_id)
        elif not created:
            await self.send_json(events.message_payload(message))
        else:
            await self.deliver_stored(message)

    async def on_typing(self, data: dict[str, Any]) -> None:
        conversation_id = await self._visible(data)
        await self.signal(
            conversation_id,
            {
                "type": "typing",
                "from": "agent",
                "active": bool(data.get("active")),
                "agent": events.agent_display_name(self.user),
            },
        )

    async def on_close(self, data: dict[str, Any]) -> None:
        conversation_id = await self._visible(data)
        await self.call(services.conversation_close, conversation_id=conversation_id, agent=self.user)
        if conversation_id in self.last_sent:
            await self.catch_up(conversation_id)

    async def on_ping(self, data: dict[str, Any]) -> None:
        """The console's heartbeat (every 30 s): still online; re-join the groups (see the
        visitor's ping) and deliver anything missed."""
        await db(services.agent_session_touch, channel_name=self.channel_name)
        await self.drop_hidden_conversations()
        await self.channel_layer.group_add(events.AGENTS_GROUP, self.channel_name)
        for conversation_id in list(self.last_sent):
            await self.channel_layer.group_add(events.conversation_group(conversation_id), self.channel_name)
            await self.catch_up(conversation_id)
        await self.send_json({"type": "pong"})

    def wants_signal(self, payload: dict[str, Any]) -> bool:
        return payload.get("from") != "agent"
