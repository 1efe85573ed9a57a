"""The deployed shape at its edges (issue 12, defects 1, 3 and 6): idle chat sockets over Redis,
Redis lost and back, and forwarding headers a client makes up.

Everything goes over real HTTPS and secure websockets to the stack's daphne; Redis is the stack's
private redis-server, killed and started again here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from .stack import Stack

#: How long the sockets sit idle. The widget itself pings every 25 s and the console every 30 s;
#: here the clients send nothing at all, so only the server's side can keep them open.
IDLE_SECONDS = 60
LEAD = {"first_name": "Ada", "form": "contact", "message": "Smoke check"}


async def visitor(stack: Stack) -> ClientConnection:
    return await connect(
        f"{stack.ws_url}/ws/chat/?key={stack.site_key}",
        origin=stack.origin,
        ssl=stack.ssl_context(),
        ping_interval=None,  # no client pings: nothing but what the server asks for
        open_timeout=15,
    )


async def frame(socket: ClientConnection, timeout: float = 15) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def frames_until(socket: ClientConnection, kind: str, timeout: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        seen.append(await frame(socket, max(0.1, deadline - time.monotonic())))
        if seen[-1]["type"] == kind:
            return seen


async def test_idle_sockets_over_redis_stay_open_then_chat(stack: Stack) -> None:
    staff = stack.staff_login("edge-agent")
    cookie = stack.cookie_header(staff)
    staff.close()
    console = await connect(
        f"{stack.ws_url}/ws/agent/",
        origin=stack.url,
        additional_headers={"Cookie": cookie},
        ssl=stack.ssl_context(),
        ping_interval=None,
        open_timeout=15,
    )
    assert (await frame(console))["type"] == "queue"
    visitors = [await visitor(stack) for _ in range(6)]
    welcomes = []
    for n, socket in enumerate(visitors):
        await socket.send(json.dumps({"type": "hello", "visitor_id": f"smoke-idle-{n:02d}"}))
        welcomes.append((await frames_until(socket, "welcome"))[-1])

    await asyncio.sleep(IDLE_SECONDS)

    for socket in [console, *visitors]:
        assert socket.close_code is None, f"closed while idle: {socket.close_code} {socket.close_reason}"
    # Still served, not just not yet noticed closed: every socket answers a ping.
    for socket in [console, *visitors]:
        await socket.send(json.dumps({"type": "ping"}))
        assert (await frames_until(socket, "pong"))[-1]["type"] == "pong"

    await visitors[0].send(
        json.dumps({"type": "message", "body": "Can I talk to a person?", "client_id": "smoke-1"})
    )
    await frames_until(visitors[0], "escalated")
    deadline = time.monotonic() + 20
    while True:
        queue = (await frames_until(console, "queue", timeout=max(0.1, deadline - time.monotonic())))[-1]
        if welcomes[0]["conversation"] in {item["id"] for item in queue["waiting"]}:
            break
    for socket in [console, *visitors]:
        await socket.close()


def intake(client: httpx.Client, stack: Stack, n: int, **headers: str) -> httpx.Response:
    return client.post(
        "/api/v1/leads/",
        json={**LEAD, "email": f"edge{n}@smoke-edge.example"},
        headers=stack.site_headers(**headers),
    )


async def chat_answer(stack: Stack) -> tuple[dict[str, Any], int | None]:
    """The first frame a new visitor socket gets after hello, and its close code if it closed."""
    socket = await visitor(stack)
    try:
        # With Redis down the server may say `unavailable` and close before the hello is sent.
        with contextlib.suppress(ConnectionClosed):
            await socket.send(json.dumps({"type": "hello", "visitor_id": "smoke-redis-down"}))
        first = await frame(socket)
        if first.get("code") == "unavailable":
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait_for(socket.recv(), 10)
        return first, socket.close_code
    finally:
        await socket.close()


async def test_redis_down_is_503_and_unavailable_then_recovers_without_restart(stack: Stack) -> None:
    daphne_pid = stack.daphne.pid
    stack.redis.kill()
    try:
        with stack.client() as client:
            lead = intake(client, stack, 1)
            api = client.get("/api/v1/leads/", headers=stack.api_headers())
        for response in (lead, api):
            assert response.status_code == 503, response.text
            assert int(response.headers["Retry-After"]) > 0
            assert response.headers["Content-Type"] == "application/json"
            assert "unavailable" in response.json()["detail"]
        first, close_code = await chat_answer(stack)
        assert first["type"] == "error" and first["code"] == "unavailable", first
        assert first["retry_after"] > 0
        assert close_code == 4503
    finally:
        stack.redis.start()

    def lead_accepted() -> bool:
        with stack.client() as client:
            return intake(client, stack, 2).status_code == 201

    stack.wait_until(lead_accepted, timeout=30, what="intake to work again once Redis is back")
    with stack.client() as client:
        assert client.get("/api/v1/leads/", headers=stack.api_headers()).status_code == 200
    first, _ = await chat_answer(stack)
    assert first["type"] == "welcome", first
    assert stack.daphne.pid == daphne_pid  # recovered without a restart


def test_rotating_forwarding_headers_do_not_lift_the_intake_limit(stack: Stack) -> None:
    stack.clear_cache()
    try:
        with stack.client() as client:
            statuses = Counter(
                intake(
                    client,
                    stack,
                    100 + n,
                    **{
                        "X-Forwarded-For": f"10.1.{n}.7, 192.0.2.{n + 1}",
                        "X-Real-IP": f"10.2.{n}.7",
                        "Forwarded": f"for=10.3.{n}.7",
                    },
                ).status_code
                for n in range(35)
            )
        assert statuses[201] == 30, statuses
        assert statuses[429] == 5, statuses
    finally:
        stack.clear_cache()  # the checks after this one start with the whole budget
