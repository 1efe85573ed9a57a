"""The ASGI application bench/chat_latency.py serves with daphne: the real project application
plus the benchmark's reference, an echo consumer at ws/echo/ on the same server, channel layer
and websocket stack. Not used outside the benchmark."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_scanner.settings")

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from enterprise_scanner.asgi import application as project_application
from enterprise_scanner.routing import websocket_urlpatterns


class EchoConsumer(AsyncWebsocketConsumer):
    """The reference: each frame goes out through a channel-layer group and back to its sender,
    the same hop the chat's broadcast of a stored message takes, with none of the chat's work."""

    async def connect(self) -> None:
        self.group = f"echo.{self.channel_name.replace('!', '-')}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.channel_layer.group_send(self.group, {"type": "echo.message", "text": text_data})

    async def echo_message(self, event: dict) -> None:
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter(
    {
        "http": project_application,
        "websocket": URLRouter([path("ws/echo/", EchoConsumer.as_asgi()), *websocket_urlpatterns]),
    }
)
