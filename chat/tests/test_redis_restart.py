"""Redis restarted in the middle of a chat: both sides resume, and each ends with every message
exactly once, in order (docs/chat-protocol.md, "Delivery guarantees").

The chat runs over the real channels_redis layer, against a private redis-server this test starts
on a free port (never the shared one): it is killed with SIGKILL mid-conversation — the groups
and queued messages it held are gone — and started again on the same port, empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from redis.exceptions import ConnectionError as RedisConnectionError

from chat.models import Message
from enterprise_scanner import redis_clients
from enterprise_scanner.tests.redis_server import REDIS_SERVER, private_redis_server

from .sockets import agent_socket, start, visitor_socket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(REDIS_SERVER).exists(), reason="needs redis-server (apt-get install redis-server)"
    ),
]


@pytest.fixture
def private_redis(tmp_path, settings):
    """Only the channel layer on the private Redis (the cache stays in memory): what is tested is
    the chat's delivery across the restart, not the rate limits' answer to a missing Redis."""
    with private_redis_server(tmp_path) as redis:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [redis_clients.channel_layer_host(redis.url)],
                    "prefix": "es-restart",
                    "capacity": 1000,
                    "expiry": 60,
                },
            }
        }
        yield redis


class ServerUnavailable(Exception):
    """The server refused a new socket for now: Redis is still down."""


class ChatSide:
    """One side of the chat as the widget or the console behaves: it remembers the highest `seq`
    it has shown, drops a stored frame it already has, pings when the line is quiet, and after any
    socket failure reconnects and resumes from that `seq` (docs/chat-protocol.md)."""

    def __init__(self, name: str, conversation_id: str) -> None:
        self.name = name
        self.conversation_id = conversation_id
        self.shown: list[dict[str, Any]] = []  # stored frames, as the user sees them
        self.socket: WebsocketCommunicator | None = None
        self.reconnects = 0
        self.dropped = 0  # stored frames it already had (a resend's answer): not shown again

    @property
    def last_seq(self) -> int:
        return self.shown[-1]["seq"] if self.shown else 0

    async def resume(self) -> WebsocketCommunicator:  # pragma: no cover - overridden
        raise NotImplementedError

    def message_frame(self, body: str, client_id: str) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    async def reconnect(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(RedisConnectionError):
                await self.socket.disconnect()
        self.reconnects += 1
        deadline = time.monotonic() + 20
        while True:  # as the widget does: retry until the server can take the socket again
            try:
                self.socket = await self.resume()
                return
            except ServerUnavailable:
                assert time.monotonic() < deadline, f"{self.name} could not reconnect"
                await asyncio.sleep(0.2)

    async def first_frame(self, socket: WebsocketCommunicator) -> dict[str, Any]:
        """The first frame of a new socket; ServerUnavailable when the server refuses it for
        now (an `unavailable` error, then a 1013 close)."""
        output = await socket.receive_output(timeout=10)
        if output["type"] != "websocket.send":
            raise ServerUnavailable(output)
        frame = json.loads(output["text"])
        if frame.get("code") == "unavailable":
            with contextlib.suppress(Exception):
                await socket.disconnect()
            raise ServerUnavailable(frame)
        return frame

    def _take(self, frame: dict[str, Any]) -> None:
        if frame.get("conversation") == self.conversation_id and "seq" in frame:
            if frame["seq"] > self.last_seq:
                self.shown.append(frame)
            else:
                self.dropped += 1

    async def _next_frame(self) -> dict[str, Any] | None:
        """The next frame, or None after a quiet second (then ping, as the widget's heartbeat
        does), reconnecting first if the socket failed."""
        assert self.socket is not None
        try:
            output = await self.socket.receive_output(timeout=1)
        except TimeoutError:
            await self.socket.send_json_to({"type": "ping"})
            return None
        if output["type"] == "websocket.close":  # after `unavailable`: Redis is down
            await self.reconnect()
            return None
        frame = json.loads(output["text"])
        return None if frame.get("code") == "unavailable" else frame

    async def wait_for(self, predicate, *, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while not predicate():
            assert time.monotonic() < deadline, f"{self.name} is stuck at seq {self.last_seq}"
            frame = await self._next_frame()
            if frame is not None:
                self._take(frame)

    def has(self, client_id: str) -> bool:
        return any(frame.get("client_id") == client_id for frame in self.shown)

    async def say(self, body: str, client_id: str) -> None:
        """Send until the message is shown back with its seq; resending the same client_id after
        a reconnect is safe (the server stores it once)."""
        deadline = time.monotonic() + 20
        while not self.has(client_id):
            assert time.monotonic() < deadline, f"{self.name} could not send {client_id}"
            assert self.socket is not None
            await self.socket.send_json_to(self.message_frame(body, client_id))
            for _ in range(3):
                frame = await self._next_frame()
                if frame is not None:
                    self._take(frame)
                if self.has(client_id):
                    return


class Visitor(ChatSide):
    def __init__(self, website: Any, conversation_id: str, token: str) -> None:
        super().__init__("visitor", conversation_id)
        self.website, self.token = website, token

    async def resume(self) -> WebsocketCommunicator:
        socket = visitor_socket(self.website)
        connected, _ = await socket.connect(timeout=10)
        assert connected
        await socket.send_json_to({"type": "hello", "token": self.token, "last_seq": self.last_seq})
        welcome = await self.first_frame(socket)
        assert welcome["type"] == "welcome", welcome
        return socket

    def message_frame(self, body: str, client_id: str) -> dict[str, Any]:
        return {"type": "message", "body": body, "client_id": client_id}


class Agent(ChatSide):
    def __init__(self, user: Any, conversation_id: str) -> None:
        super().__init__("agent", conversation_id)
        self.user = user

    async def resume(self) -> WebsocketCommunicator:
        socket = await database_sync_to_async(agent_socket)(self.user)
        connected, _ = await socket.connect(timeout=10)
        assert connected
        queue = await self.first_frame(socket)
        assert queue["type"] == "queue", queue
        await socket.send_json_to(
            {"type": "open", "conversation": self.conversation_id, "last_seq": self.last_seq}
        )
        return socket

    def message_frame(self, body: str, client_id: str) -> dict[str, Any]:
        return {"type": "message", "conversation": self.conversation_id, "body": body, "client_id": client_id}


async def test_a_redis_restart_mid_chat_loses_and_doubles_nothing(website, rep, private_redis) -> None:
    # A visitor asks for a person; the agent claims the conversation (all over Redis).
    socket = visitor_socket(website)
    welcome = await start(socket)
    conversation_id = welcome["conversation"]
    visitor = Visitor(website, conversation_id, welcome["token"])
    visitor.socket = socket
    await visitor.say("Can I talk to a person?", "v1")
    agent = Agent(rep, conversation_id)
    agent.socket = await database_sync_to_async(agent_socket)(rep)
    assert (await agent.socket.connect(timeout=10))[0]
    await agent.socket.send_json_to({"type": "claim", "conversation": conversation_id})
    await agent.wait_for(lambda: any(f["type"] == "agent_joined" for f in agent.shown))
    await visitor.wait_for(lambda: any(f["type"] == "agent_joined" for f in visitor.shown))
    await agent.say("Hello, I'm Dana. How can I help?", "a1")
    await visitor.say("We need 40 subsidiaries assessed", "v2")

    private_redis.kill()  # mid-conversation: groups, queued messages and connections are gone
    # Both keep typing while Redis is down; their clients retry until the server is back.
    during = asyncio.gather(visitor.say("Are you still there?", "v3"), agent.say("Yes, one moment", "a2"))
    await asyncio.sleep(1.5)
    await asyncio.to_thread(private_redis.start)  # the same port, empty
    await during

    for turn in range(3):
        await agent.say(f"Question {turn} from the agent", f"a{turn + 3}")
        await visitor.say(f"Answer {turn} from the visitor", f"v{turn + 4}")

    stored = await database_sync_to_async(list)(
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("sequence")
        .values_list("sequence", "client_message_id")
    )
    sequences = [seq for seq, _ in stored]
    assert sequences == list(range(1, len(stored) + 1)), "stored without gaps"
    sent = [client_id for _, client_id in stored if client_id]
    assert sorted(sent) == sorted(["v1", "v2", "v3", "v4", "v5", "v6", "a1", "a2", "a3", "a4", "a5"])
    for side in (visitor, agent):
        await side.wait_for(lambda side=side: side.last_seq >= len(stored))
        assert [frame["seq"] for frame in side.shown] == sequences, side.name
        assert [frame.get("client_id") for frame in side.shown if frame.get("client_id")] == sent, side.name
    assert visitor.reconnects + agent.reconnects >= 1, "the restart was noticed"

    for side in (visitor, agent):
        with contextlib.suppress(RedisConnectionError):
            await side.socket.disconnect()
