"""Idle chat sockets over Redis stay open (issue 12, defect 1).

With `REDIS_URL` set, the channel layer is channels_redis, whose receive blocks in Redis for up
to 5 s at a time. redis-py 8's default 5 s read timeout made that read fail on every idle socket
(`redis.exceptions.TimeoutError`), and the socket was closed with 1011 within seconds. The
in-memory layer cannot show this, so these tests run the channel layer the project's settings
build from `REDIS_URL`, against a private redis-server.
"""

from __future__ import annotations

import asyncio
import runpy
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from enterprise_scanner import settings as project_settings
from enterprise_scanner.tests.redis_server import REDIS_SERVER, private_redis_server

from .sockets import agent_socket, receive, receive_until, start, visitor_socket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(REDIS_SERVER).exists(), reason="needs redis-server (apt-get install redis-server)"
    ),
]

#: Longer than two of channels_redis' 5 s blocking receives, and than redis-py's 5 s default.
IDLE_SECONDS = 12


def channel_layers_for(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """CHANNEL_LAYERS exactly as settings.py builds it when REDIS_URL is set."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("CHANNELS_PREFIX", "es-idle")
    return runpy.run_path(project_settings.__file__)["CHANNEL_LAYERS"]


@pytest.fixture
def redis_layer(tmp_path, settings, monkeypatch):
    with private_redis_server(tmp_path) as redis:
        settings.CHANNEL_LAYERS = channel_layers_for(redis.url, monkeypatch)
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
        yield redis


async def test_idle_visitor_and_agent_sockets_stay_open_and_then_chat(website, rep, redis_layer) -> None:
    visitors = [visitor_socket(website) for _ in range(3)]
    welcomes = [await start(socket, visitor_id=f"idle-visitor-{n}") for n, socket in enumerate(visitors)]
    for socket in visitors:
        await receive(socket)  # the bot's greeting
    console = await database_sync_to_async(agent_socket)(rep)
    assert (await console.connect(timeout=10))[0]
    assert (await receive(console))["type"] == "queue"

    # Nobody sends anything: the widget's own heartbeat (every 25 s) is not needed to stay open.
    await asyncio.sleep(IDLE_SECONDS)

    for socket in [*visitors, console]:
        assert await socket.receive_nothing(timeout=0.1), "the server sent something while idle"
        await socket.send_json_to({"type": "ping"})
        assert (await receive(socket))["type"] == "pong"  # still open: an error would raise here

    # And the chat works: a visitor asks for a person, the idle console hears of it.
    await visitors[0].send_json_to({"type": "message", "body": "Can I talk to a person?", "client_id": "c1"})
    frames = await receive_until(visitors[0], "escalated")
    assert any(frame.get("client_id") == "c1" for frame in frames)
    queue = await receive_until(console, "queue")
    assert welcomes[0]["conversation"] in {item["id"] for item in queue[-1]["waiting"]}

    for socket in [*visitors, console]:
        await socket.disconnect()
