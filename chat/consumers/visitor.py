"""ws/chat/?key=pk_…: the website visitor's socket.

A visitor's message is acknowledged (sent back stored, with its sequence) as soon as it is
committed; the bot's turn runs after that in a background task of the socket, one turn at a time
and in order, so the visitor never waits for the bot to see their own message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from enterprise_scanner.availability import UNAVAILABLE_ERRORS

from .. import events, selectors, services
from ..bot.respond import bot_respond
from ..errors import ChatError
from ..service_calls import call_service, db
from ..services.hours import availability_payload
from .base import ChatConsumerBase, Handler, frame_sequence

logger = logging.getLogger(__name__)


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
            "offline": self.on_offline,
            "page": self.on_page,
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
        last_seq = frame_sequence(data.get("last_seq"))
        new_token = None
        if token:
            conversation = await db(selectors.conversation_resume, website=self.website, token=token)
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
        welcome["availability"] = await db(availability_payload, website=self.website)
        welcome["offline_sent"] = conversation.offline_message
        await self.send_json(welcome)
        await self.catch_up(self.conversation_id)
        if data.get("page_url"):
            # After the welcome: a page the server refuses is an error of its own, not a failed hello.
            await self.on_page({"url": data.get("page_url"), "title": data.get("page_title") or ""})

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
        active = bool(data.get("active"))
        if self.typing_throttled(self._conversation(), active):
            return
        await self.signal(self._conversation(), {"type": "typing", "from": "visitor", "active": active})

    async def on_page(self, data: dict[str, Any]) -> None:
        await self.call(
            services.conversation_page_set,
            conversation_id=self._conversation(),
            website=self.website,
            url=data.get("url"),
            title=data.get("title") or "",
        )

    async def on_offline(self, data: dict[str, Any]) -> None:
        conversation_id = self._conversation()
        notice, created = await self.call(
            services.offline_message_submit,
            conversation_id=conversation_id,
            email=data.get("email"),
            question=data.get("question"),
        )
        if not created:
            await self.send_json(events.message_payload(notice))
        await self.catch_up(conversation_id)

    async def on_read(self, data: dict[str, Any]) -> None:
        await self.signal(
            self._conversation(), {"type": "read", "from": "visitor", "seq": frame_sequence(data.get("seq"))}
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
