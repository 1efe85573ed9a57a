"""Refuse, before any view runs, request input no view should have to think about.

- **NUL characters** (U+0000) anywhere a user controls a string that views pass to queries: the
  path, query parameters (API filters, `search`, `ordering`; the admin's `q`, list filters and
  autocomplete `term`), form fields, cookies and headers. PostgreSQL cannot store or compare a
  string holding NUL (psycopg raises DataError: a 500 with a traceback), and no legitimate input
  contains one, so refusing it at the door covers every current and future filter at once.
  JSON bodies are checked by their parser (`enterprise_scanner.untrusted_json`).
- **API bodies over DATA_UPLOAD_MAX_MEMORY_SIZE**, by their Content-Length, with a JSON 413, before
  anything reads them (Django's own check raises only when a view reads the body, and its page is
  HTML). The admin keeps Django's per-field check: its CSV imports are file uploads, which that
  limit does not count.

The API answers `{"detail": …, "<parameter>": [...]}` (400) or `{"detail": …}` (413); other paths
a short HTML page with the same message. Websocket handshakes (`WebsocketNulGuard`) are refused
(403) for a NUL in their path, query string (the chat's `?key=`) or cookies (the agent's session).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.cookie import parse_cookie
from django.utils.html import escape

from .api.error_pages import too_large
from .untrusted_json import NUL

#: Form bodies are checked field by field; other bodies (JSON) by their parser.
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestGuardMiddleware:
    """Answer 400 for a NUL character in user input and 413 for an oversized API body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path_info.startswith("/api/")
        if is_api and _declared_length(request) > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or float("inf")):
            return too_large(request)
        place = next(_places_with_nul(request), None)
        if place is not None:
            return _refuse_nul(request, place=place, is_api=is_api)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _places_with_nul(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """(kind, name) of each piece of user input holding a NUL character."""
    if NUL in request.path_info:
        yield "path", request.path_info
    yield from _in_pairs("query parameter", request.GET.lists())
    yield from _in_pairs("cookie", ((name, [value]) for name, value in request.COOKIES.items()))
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            yield "header", key[5:].replace("_", "-").title()
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_CONTENT_TYPES:
        yield from _in_pairs("form field", request.POST.lists())


def _in_pairs(kind: str, pairs: Iterator[tuple[str, list[str]]]) -> Iterator[tuple[str, str]]:
    for name, values in pairs:
        if NUL in name or any(NUL in value for value in values):
            yield kind, name


def _refuse_nul(request: HttpRequest, *, place: tuple[str, str], is_api: bool) -> HttpResponse:
    kind, name = place
    shown = name.replace(NUL, "\\u0000")[:100]
    message = f"The {kind} '{shown}' contains a NUL character (\\u0000), which is not allowed."
    if is_api:
        body: dict[str, object] = {"detail": message}
        if kind in ("query parameter", "form field"):
            body[shown] = ["NUL characters (\\u0000) are not allowed."]
        return JsonResponse(body, status=400)
    return HttpResponse(
        f"<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{escape(message)}</p>",
        status=400,
    )


class WebsocketNulGuard:
    """ASGI middleware for websockets: refuse the handshake (403) when the path, a query
    parameter or a cookie holds a NUL character, before any route looks it up in the database."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "websocket" and _scope_has_nul(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)


def _scope_has_nul(scope: dict[str, Any]) -> bool:
    texts = [unquote(scope.get("path", ""))]
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    texts += [text for pair in query for text in pair]
    for name, value in scope.get("headers", []):
        header = value.decode("latin-1")
        texts.append(header)
        if name == b"cookie":
            texts += [text for pair in parse_cookie(header).items() for text in pair]
    return any(NUL in text for text in texts)
