"""Who may open which chat socket, checked before the socket is accepted.

- ws/chat/ (visitors): the publishable site key in the query string (`?key=pk_…`) must belong to
  an active Website, and the Origin header must be exactly one of that Website's origins — the
  same rule as the intake API, so a key copied onto another site is useless there.
- ws/agent/ (staff): the Origin must be this site itself (same host and port as the request, or
  one of CSRF_TRUSTED_ORIGINS), so no other page can ride on a logged-in agent's session cookie.

A refused socket gets an HTTP 403 at the handshake.

Outermost on both routes, SocketFailureGuard makes sure a socket never dies silently: when the
database or Redis is down (at the handshake or later) the client gets an `error` frame with code
`unavailable` and `retry_after`, then a 4503 close ("try again later"); any other failure a
`server_error` frame and 4500. A websocket cannot carry an HTTP status once accepted, and before
it is accepted daphne can only answer 403 or 500, hence accept-then-close; and daphne lets an
application close only with 1000 or 3000-4999, hence HTTP's codes in the private-use range.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings

from analytics.selectors import website_for_key
from enterprise_scanner import availability

logger = logging.getLogger(__name__)

#: Close code for a failure of ours: HTTP's 500 in the private-use range (see the module doc).
INTERNAL_ERROR_CLOSE_CODE = 4500


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _deny(scope: dict[str, Any], receive: Any, send: Any) -> None:
    denier = WebsocketDenier()
    await denier(scope, receive, send)


class SiteKeyOriginGuard:
    """Admit a visitor socket only with an active site key from one of that site's origins."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        key = (query.get("key") or [""])[0].strip()
        origin = _header(scope, b"origin")
        website = await database_sync_to_async(website_for_key)(key) if key else None
        if website is None or not website.is_active or origin not in website.allowed_origins:
            return await _deny(scope, receive, send)
        return await self.app(dict(scope, website=website), receive, send)


def same_site_origin(origin: str, host: str) -> bool:
    """True when `origin` is the site serving the page: same host:port, or a trusted origin."""
    if not origin:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


class SameSiteOriginGuard:
    """Admit a staff socket only from pages of this site."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not same_site_origin(_header(scope, b"origin"), _header(scope, b"host")):
            return await _deny(scope, receive, send)
        return await self.app(scope, receive, send)


class SocketFailureGuard:
    """Turn an exception escaping a socket's application (its consumer, the auth and origin
    checks) into a last frame and a close the client can act on, logged once, instead of
    daphne's bare 1011 (or 500 at the handshake)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        state = {"accepted": False, "closed": False}

        async def tracked_send(message: dict[str, Any]) -> None:
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception as exc:
            if availability.is_unavailable(exc):
                logger.warning("Chat socket %s ended, a server is unavailable: %r", scope.get("path"), exc)
                frame, code = availability.websocket_error_frame(), availability.WEBSOCKET_CLOSE_CODE
            else:
                logger.exception("Chat socket %s failed", scope.get("path"))
                frame = {
                    "type": "error",
                    "code": "server_error",
                    "message": "Something went wrong on our side.",
                }
                code = INTERNAL_ERROR_CLOSE_CODE
            if state["closed"]:
                return
            with contextlib.suppress(Exception):  # the client may be gone already
                if not state["accepted"]:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.send", "text": json.dumps(frame)})
                await send({"type": "websocket.close", "code": code})
