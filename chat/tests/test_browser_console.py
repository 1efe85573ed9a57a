"""The agent console and the widget in real Chromium (daphne serving HTTP and websockets against
the test database): a new waiting chat raises the unread count, a sound and a desktop
notification; canned responses come with "/"; outside business hours the widget takes an
offline message that becomes a lead; the managers' chat report renders its rollups.
Screenshots go to /work/shots/console/ (SHOTS_DIR) for a person to look at."""

from __future__ import annotations

import os
import re
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from analytics.services import website_create
from chat.models import BusinessHours, CannedResponse, Conversation, Holiday, OpeningPeriod
from chat.services.rollups import chat_rollup_day
from leads.models import Lead, LeadEventKind, LeadSource
from leads.tests.factories import TEST_PASSWORD, SalesManagerFactory, SalesRepFactory

from .test_report import chat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots/console"))

#: Records each desktop notification the page raises, then shows it as the browser would.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  if (!Real) { return; }
  window.__notifications = [];
  function Recorded(title, options) {
    window.__notifications.push({ title: title, body: (options || {}).body || "" });
    return new Real(title, options);
  }
  Recorded.requestPermission = Real.requestPermission.bind(Real);
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  window.Notification = Recorded;
})();
"""


@pytest.fixture(autouse=True)
def _patient_expectations():
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def log_in(browser_page, server: str, username: str) -> None:
    browser_page.goto(f"{server}/admin/")
    browser_page.get_by_label("Username").fill(username)
    browser_page.get_by_label("Password").fill(TEST_PASSWORD)
    browser_page.get_by_role("button", name="Log in").click()
    expect(browser_page).not_to_have_url(re.compile(r"/login/"))  # signed in, whatever the theme


def test_new_waiting_chat_notifies_and_canned_responses_insert_with_slash(asgi_live_server, page) -> None:
    website_create(name="Demo", allowed_origins=[asgi_live_server])
    SalesRepFactory(username="dana", first_name="Dana", last_name="Reyes")
    CannedResponse.objects.create(
        shortcut="pricing", title="Pricing overview", body="Assessments start at $25,000 a year."
    )
    CannedResponse.objects.create(
        shortcut="demo", title="Book a demo", body="Pick a time at example.com/demo."
    )

    agent_context = page.context.browser.new_context(viewport={"width": 1366, "height": 768})
    agent_context.grant_permissions(["notifications"], origin=asgi_live_server)
    agent_context.add_init_script(RECORD_NOTIFICATIONS)
    agent = agent_context.new_page()
    agent.set_default_timeout(15_000)
    log_in(agent, asgi_live_server, "dana")
    agent.goto(f"{asgi_live_server}/admin/chat/conversation/console/")
    expect(agent.locator("#chat-status")).to_contain_text("Connected")
    expect(agent.locator("#chat-waiting")).to_contain_text("Nobody is waiting.")
    expect(agent.locator("#chat-unread-total")).to_be_hidden()
    # Notifications are granted in this context, so the console does not offer to ask.
    expect(agent.get_by_role("button", name="Enable desktop alerts")).to_be_hidden()

    page.goto(f"{asgi_live_server}/")
    page.get_by_role("button", name="Chat with us").click()
    widget = page.get_by_role("dialog", name="Chat with Enterprise Scanner")
    log = widget.get_by_role("log")
    expect(log).to_contain_text("I'm the Enterprise Scanner assistant")
    message = widget.get_by_label("Your message")
    message.fill("Can I talk to a person please?")
    message.press("Enter")
    expect(log).to_contain_text("I've asked a colleague to join this chat")

    waiting = agent.locator("#chat-waiting").get_by_role("button")
    expect(waiting).to_contain_text("Anonymous visitor")
    expect(waiting).to_contain_text("waiting")
    expect(agent.locator("#chat-unread-total")).to_have_text("1 unread")
    expect(agent).to_have_title(re.compile(r"^\(1\) Live chat console"))
    expect(agent.locator("#chat-waiting [data-badge]")).to_have_text("1")
    notes = agent.evaluate("window.__notifications")
    assert [n["title"] for n in notes] == ["New chat waiting"]
    assert "Anonymous visitor" in notes[0]["body"]
    shot(agent, "console-waiting-1366.png")

    waiting.click()
    expect(agent.locator("#chat-unread-total")).to_be_hidden()
    side = agent.locator("#chat-lead-card")
    expect(side).to_contain_text("Current page")
    expect(side.get_by_role("link", name="Enterprise Scanner")).to_have_attribute(
        "href", f"{asgi_live_server}/"
    )
    expect(agent.locator("#chat-transcript")).to_contain_text("Can I talk to a person please?")
    expect(agent.locator("#chat-transcript time").first).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    agent.get_by_role("button", name="Claim").click()
    reply = agent.get_by_label("Reply")
    expect(reply).to_be_enabled()
    expect(agent.locator("#chat-pane-sub")).to_contain_text("Assigned to you")

    # Typing reaches the visitor with the agent's full name.
    reply.press_sequentially("/pri")
    expect(widget.get_by_role("status")).to_contain_text("Dana Reyes is typing…")
    options = agent.get_by_role("listbox", name="Canned responses").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("/pricing")
    shot(agent, "console-canned-1366.png")
    reply.press("Enter")
    expect(reply).to_have_value("Assessments start at $25,000 a year.")
    expect(agent.get_by_role("listbox", name="Canned responses")).to_be_hidden()
    reply.press("Enter")
    expect(log).to_contain_text("Dana Reyes from our team has joined the chat.")
    expect(log).to_contain_text("Assessments start at $25,000 a year.")
    expect(agent.locator("#chat-transcript")).to_contain_text("You")

    # The visitor types: the agent sees it; the visitor's message is shown with its time.
    page.get_by_label("Your message").press_sequentially("Great, and")
    expect(agent.locator("#chat-typing")).to_have_text("The visitor is typing…")
    shot(agent, "console-conversation-1366.png")

    # Close is in the header, asks first; dismissing keeps the chat open.
    agent.once("dialog", lambda dialog: dialog.dismiss())
    agent.get_by_role("button", name="Close chat").click()
    expect(agent.get_by_role("button", name="Close chat")).to_be_visible()
    agent.once("dialog", lambda dialog: dialog.accept())
    agent.get_by_role("button", name="Close chat").click()
    expect(log).to_contain_text("This chat has ended. How did we do?")
    widget.get_by_role("button", name="Rate 4 out of 5").click()
    widget.get_by_role("button", name="Send rating").click()
    expect(log).to_contain_text("Thank you for your feedback!")
    agent_context.close()
    assert Conversation.objects.get().csat_rating == 4


def test_outside_business_hours_the_widget_takes_an_offline_message_that_becomes_a_lead(
    asgi_live_server, page
) -> None:
    website = website_create(name="Demo", allowed_origins=[asgi_live_server])
    schedule = BusinessHours.objects.create(website=website, time_zone="Europe/Berlin")
    for weekday in range(7):
        OpeningPeriod.objects.create(schedule=schedule, weekday=weekday, opens=time(9), closes=time(17))
    today = timezone.now().astimezone(ZoneInfo("Europe/Berlin")).date()
    Holiday.objects.create(schedule=schedule, date=today, name="Company day")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{asgi_live_server}/")
    page.get_by_role("button", name="Chat with us").click()
    widget = page.get_by_role("dialog", name="Chat with Enterprise Scanner")
    offline = widget.get_by_role("form", name="Leave us a message")
    expect(offline).to_contain_text("Our team is back tomorrow at 09:00 (Europe/Berlin).")
    expect(widget.get_by_role("log")).to_contain_text("I'm the Enterprise Scanner assistant")
    shot(page, "widget-offline-390.png")

    offline.get_by_label("Your work e-mail").fill("not an address")
    offline.get_by_label("Your question").fill("Can you quote a pilot for our three plants?")
    offline.get_by_role("button", name="Leave message").click()
    expect(widget.get_by_role("status")).to_contain_text("Please enter your e-mail address.")
    offline.get_by_label("Your work e-mail").fill("mia.keller@globex.example")
    offline.get_by_role("button", name="Leave message").click()
    log = widget.get_by_role("log")
    expect(log).to_contain_text("We have your question and will answer you at mia.keller@globex.example.")
    expect(log).to_contain_text("Can you quote a pilot for our three plants?")
    expect(offline).to_be_hidden()
    expect(widget.get_by_label("Your message")).to_be_hidden()
    expect(widget.get_by_role("button", name="Send rating")).to_be_hidden()
    shot(page, "widget-offline-sent-390.png")

    lead = Lead.objects.get(email="mia.keller@globex.example")
    assert lead.source == LeadSource.CHAT
    event = lead.events.get(kind=LeadEventKind.CHAT, data__offline=True)
    assert "three plants" in event.summary and event.data["transcript"]
    assert Conversation.objects.get().offline_message


def test_the_chat_report_renders_rollups_for_a_manager(asgi_live_server, page) -> None:
    SalesManagerFactory(username="morgan", first_name="Morgan")
    dana = SalesRepFactory(username="dana", first_name="Dana", last_name="Reyes")
    lee = SalesRepFactory(username="lee", first_name="Lee", last_name="Chen")
    today = timezone.localdate()
    for offset in range(0, 35, 2):
        day = today - timedelta(days=offset)
        chat(day, close_after=3, rating=5)
        chat(
            day, agent=dana, escalate=True, reply_after=1 + offset % 4, close_after=18, rating=4 + offset % 2
        )
        if offset % 3 == 0:
            chat(day, agent=lee, escalate=True, reply_after=6, close_after=35, rating=2 + offset % 3)
        chat_rollup_day(day=day)

    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, asgi_live_server, "morgan")
    page.goto(f"{asgi_live_server}/admin/chat/conversation/")
    page.locator("#nav-sidebar-apps").get_by_role("link", name="Chat report").click()  # the sidebar
    expect(page).to_have_title(re.compile(r"^Chat report"))
    expect(page.locator("#kpi-csat")).to_contain_text("/ 5")
    agents = page.locator("#chat-report-agents")
    expect(agents).to_contain_text("Dana Reyes")
    expect(agents).to_contain_text("Lee Chen")
    expect(agents).to_contain_text("Bot / no agent")
    expect(page.locator("#chat-report-weeks-table tbody tr")).to_have_count(8)
    shot(page, "chat-report-1366.png")
    page.get_by_label("Period").select_option("4")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#chat-report-weeks-table tbody tr")).to_have_count(4)
