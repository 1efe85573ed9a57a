"""Websocket clients for the chat tests, talking to the real ASGI application
(enterprise_scanner.asgi: routing, origin guards, session auth) as a browser would."""

from __future__ import annotations

from typing import Any

from channels.testing import WebsocketCommunicator
from django.test import Client

from enterprise_scanner.asgi import application

ORIGIN = "https://www.enterprisescanner.com"
ADMIN_ORIGIN = "http://testserver"
TIMEOUT = 10


def visitor_socket(website: Any, *, origin: str = ORIGIN, key: str | None = None) -> WebsocketCommunicator:
    key = website.publishable_key if key is None else key
    headers = [(b"origin", origin.encode()), (b"host", b"chat.enterprisescanner.com")]
    return WebsocketCommunicator(application, f"/ws/chat/?key={key}", headers=headers)


def agent_socket(user: Any | None, *, origin: str = ADMIN_ORIGIN) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if user is not None:
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return WebsocketCommunicator(application, "/ws/agent/", headers=headers)


async def receive(socket: WebsocketCommunicator) -> dict[str, Any]:
    return await socket.receive_json_from(timeout=TIMEOUT)


async def receive_until(socket: WebsocketCommunicator, kind: str) -> list[dict[str, Any]]:
    """Frames up to and including the first of type `kind`."""
    frames = []
    while True:
        frame = await receive(socket)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


async def start(socket: WebsocketCommunicator, **hello: Any) -> dict[str, Any]:
    """Connect, say hello and return the welcome (the greeting and any history follow)."""
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    await socket.send_json_to({"type": "hello", **hello})
    welcome = await receive(socket)
    assert welcome["type"] == "welcome", welcome
    return welcome


async def say(socket: WebsocketCommunicator, body: str, client_id: str) -> list[dict[str, Any]]:
    """Send a message and return the frames up to its echo."""
    await socket.send_json_to({"type": "message", "body": body, "client_id": client_id})
    frames = []
    while True:
        frame = await receive(socket)
        frames.append(frame)
        if frame.get("client_id") == client_id or frame["type"] == "error":
            return frames


async def nothing_more(socket: WebsocketCommunicator) -> bool:
    return await socket.receive_nothing(timeout=0.3)
