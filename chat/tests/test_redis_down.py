"""Redis down at the chat's handshake: the socket is accepted only to say `unavailable` (with
`retry_after`) and closed with 4503 ("try again later"), never a bare 500/1011; once Redis is back the
same process serves chats again (issue 12, defect 6; docs/chat-protocol.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from enterprise_scanner.tests.redis_server import REDIS_SERVER

from .sockets import agent_socket, receive, start, visitor_socket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(REDIS_SERVER).exists(), reason="needs redis-server (apt-get install redis-server)"
    ),
]


async def assert_unavailable(socket) -> None:
    error = await receive(socket)
    assert error["type"] == "error" and error["code"] == "unavailable", error
    assert error["retry_after"] > 0
    closed = await socket.receive_output(timeout=10)
    assert closed == {"type": "websocket.close", "code": 4503}


async def test_chat_sockets_say_unavailable_without_redis_and_work_once_it_is_back(
    website, rep, private_redis
) -> None:
    open_socket = visitor_socket(website)
    await start(open_socket)
    await receive(open_socket)  # the greeting

    private_redis.kill()
    # A socket that was open hears it too, instead of a bare 1011.
    await assert_unavailable(open_socket)
    # The handshake of a new visitor socket, and of a console.
    visitor = visitor_socket(website)
    connected, _ = await visitor.connect(timeout=10)
    assert connected
    await visitor.send_json_to({"type": "hello"})
    await assert_unavailable(visitor)
    console = await database_sync_to_async(agent_socket)(rep)
    connected, _ = await console.connect(timeout=10)
    assert connected
    await assert_unavailable(console)

    await asyncio.to_thread(private_redis.start)
    visitor = visitor_socket(website)
    welcome = await start(visitor)
    assert welcome["token"]
    console = await database_sync_to_async(agent_socket)(rep)
    assert (await console.connect(timeout=10))[0]
    assert (await receive(console))["type"] == "queue"
    await visitor.disconnect()
    await console.disconnect()
