"""ws/agent/: a staff member's console — the queue, and the conversations they open."""

from __future__ import annotations

import uuid
from typing import Any

from .. import events, selectors, services
from ..errors import ChatError
from ..service_calls import db
from .base import ChatConsumerBase, Handler, frame_sequence


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
        return await db(selectors.agents_online_count)

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
        await self._open(conversation_id, frame_sequence(data.get("last_seq")))

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
        active = bool(data.get("active"))
        try:
            conversation_id = str(uuid.UUID(str(data.get("conversation"))))
        except ValueError:
            raise ChatError("not_found", "No such conversation in your queue.") from None
        if self.typing_throttled(conversation_id, active):
            return  # checked before the database: typing is the most frequent frame
        await self._visible(data)
        await self.signal(
            conversation_id,
            {
                "type": "typing",
                "from": "agent",
                "active": active,
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
