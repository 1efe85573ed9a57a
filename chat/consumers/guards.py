"""What protects a chat socket before a frame is handled: the channel layer's errors turned into
an event, and the per-connection rate limits."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from enterprise_scanner.availability import UNAVAILABLE_ERRORS

#: Frames of any kind allowed per minute, as a multiple of the message limit (typing, read …).
FRAMES_PER_MESSAGE_LIMIT = 6


class FrameRateLimit:
    """Per connection, within any 60 seconds: at most CHAT_MESSAGES_PER_MINUTE messages and
    FRAMES_PER_MESSAGE_LIMIT times as many frames of any kind."""

    def __init__(self) -> None:
        self.message_times: deque[float] = deque()
        self.frame_times: deque[float] = deque()

    def allow(self, *, is_message: bool) -> bool:
        """Whether this frame is within the limits; counted only when it is."""
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


class LayerGuardedConsumer(AsyncWebsocketConsumer):
    """A consumer that hears of a channel-layer (Redis) failure as an event, not a crash.

    channels' AsyncConsumer.__call__ sets `channel_receive` to the layer's receive and awaits it
    beside the client's frames; a Redis error there would end the consumer before it could say
    anything (daphne then closes with 1011, or answers the handshake with 500). The setter keeps
    the layer's receive and the consumer awaits a guarded one, which turns that error into a
    `layer.unavailable` event handled like any other, in order with the client's frames.
    """

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

    async def end_unavailable(self, exc: Exception) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

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
