"""`make run PORT=…` on a port other than 8000: after `seed_demo --port`, the landing page served
by daphne on that port loads the website kit (chat button, working forms) in real Chromium."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots/import"))


def test_landing_page_is_live_on_a_port_other_than_8000(asgi_live_server, page) -> None:
    port = urlsplit(asgi_live_server).port
    assert port != 8000
    call_command("seed_demo", verbosity=0)  # as before the fix: the demo website allows 8000 only
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(asgi_live_server)
    expect(page.locator(".hint")).to_contain_text(f"seed_demo --port {port}")
    expect(page.get_by_role("button", name="Chat with us")).to_have_count(0)

    call_command("seed_demo", "--port", str(port), verbosity=0)  # what `make run PORT=…` runs
    page.goto(asgi_live_server)
    expect(page.get_by_role("button", name="Chat with us")).to_be_visible(timeout=15_000)
    expect(page.locator(".hint")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "landing-non-8000-port-1366.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "landing-non-8000-port-390.png"))
