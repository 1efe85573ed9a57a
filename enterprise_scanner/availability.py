"""When a server the product depends on (PostgreSQL, Redis) is down: a 503 with Retry-After.

Redis holds the cache (rate-limit counters, cached site keys) and the channel layer; PostgreSQL
everything else. Neither failing is a bug in the request, so the client is told to come back
shortly, never sent a 500: JSON on the API, a plain page elsewhere (the admin included), and on a
chat websocket an `error` frame with code `unavailable` before a 4503 close (docs/chat-protocol.md).
Every one of those answers is built from the definitions here, and nothing needs restarting once
the server is back: each request or socket connects afresh.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: Errors meaning "a server we depend on cannot be reached right now" (redis-py's ConnectionError
#: covers refused connections, resets, a Redis still loading its data and a full pool).
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
)
#: Seconds a client should wait before retrying.
RETRY_AFTER_SECONDS = 5
DETAIL = "The service is temporarily unavailable. Please retry shortly."
#: Close code of a websocket ended for the same reason: HTTP's 503 in the private-use range, as
#: 4403 is 403. RFC 6455's own "Try Again Later" (1013) cannot be sent: daphne's websocket
#: library (autobahn) lets an application close only with 1000 or 3000-4999.
WEBSOCKET_CLOSE_CODE = 4503


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE_ERRORS)


def unavailable_response(request: HttpRequest | None) -> HttpResponse:
    """503 with Retry-After: JSON under /api/ (and without a request), a page elsewhere."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request is None or request.path.startswith("/api/"):
        return JsonResponse({"detail": DETAIL}, status=503, headers=headers)
    # Rendered without the request: context processors could need the very server that is down.
    page = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    return HttpResponse(page, status=503, headers=headers)


def websocket_error_frame() -> dict[str, Any]:
    """The chat's `error` frame for the same situation; the socket is closed with 4503 after it."""
    return {"type": "error", "code": "unavailable", "message": DETAIL, "retry_after": RETRY_AFTER_SECONDS}


class ServiceUnavailableMiddleware:
    """Turns an unavailable database or Redis in any view into the 503 above.

    DRF views handle their own exceptions (enterprise_scanner.api.exceptions uses the same
    response); this covers the admin and every other Django view. Kept near the top of
    MIDDLEWARE: `process_exception` only sees what views raise, which is where the cache and the
    database are used (the site-key lookups in middleware fall back to the database)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None
        logger.error("%s unavailable while serving %s: %s", _server_of(exception), request.path, exception)
        return unavailable_response(request)


def _server_of(exc: BaseException) -> str:
    return "Redis" if isinstance(exc, (RedisConnectionError, RedisTimeoutError)) else "Database"
