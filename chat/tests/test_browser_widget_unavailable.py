"""The widget honours the server's `retry_after` (real Chromium, real daphne): when the server says
it is unavailable and closes the socket with 4503, the visitor is told when it reconnects, the
widget waits at least that long instead of hammering the server, and the chat then goes on."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import WebSocketRoute, expect

from analytics.services import website_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETRY_AFTER = 4


def test_the_widget_waits_as_long_as_the_server_asks_before_reconnecting(
    asgi_live_server, articles, page
) -> None:
    expect.set_options(timeout=15_000)
    website_create(name="Demo", allowed_origins=[asgi_live_server])
    connected_at: list[float] = []

    def through_the_server(ws: WebSocketRoute) -> None:
        """Pass every frame through to daphne; the first connection ends, right after its
        welcome, the way a server whose database went away ends it."""
        connected_at.append(time.monotonic())
        server = ws.connect_to_server()
        first = len(connected_at) == 1

        def from_server(message: str | bytes) -> None:
            ws.send(message)
            if first and '"welcome"' in str(message):
                ws.send(
                    json.dumps(
                        {
                            "type": "error",
                            "code": "unavailable",
                            "message": "The service is temporarily unavailable. Please try again shortly.",
                            "retry_after": RETRY_AFTER,
                        }
                    )
                )
                ws.close(code=4503, reason="try again later")
                server.close()

        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/ws/chat/"), through_the_server)
    page.goto(f"{asgi_live_server}/")
    page.get_by_role("button", name="Chat with us").click()
    chat = page.get_by_role("dialog", name="Chat with Enterprise Scanner")
    expect(chat).to_contain_text(f"Reconnecting in {RETRY_AFTER} s")

    # Back after the wait: the conversation goes on.
    log = chat.get_by_role("log")
    expect(log).to_contain_text("I'm the Enterprise Scanner assistant")
    message = chat.get_by_label("Your message")
    message.fill("How much does it cost?")
    message.press("Enter")
    expect(log).to_contain_text("Assessments start at $25,000")
    assert len(connected_at) >= 2
    assert connected_at[1] - connected_at[0] >= RETRY_AFTER - 0.5  # not the 0.5–1 s of a plain drop
    expect.set_options(timeout=5_000)
