"""End to end in real Chromium: a visitor on the demo page chats with the widget, gives a
Fortune 500 e-mail address, an agent answers from the console in the admin, and the visitor sees
the reply, also after reloading the page. Served by a real daphne process (HTTP and websockets) against the test database."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from analytics.services import website_create
from chat.models import Conversation, ConversationStatus
from leads.tests.factories import TEST_PASSWORD, Fortune500CompanyFactory, SalesRepFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_expectations():
    """Wait up to 15 s for each expectation (Playwright's default is 5 s): on a loaded CI machine
    a socket may need a reconnect, which the widget and console do on their own."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def test_visitor_chats_escalates_as_fortune_500_and_an_agent_answers(
    asgi_live_server, articles, page
) -> None:
    website_create(name="Demo", allowed_origins=[asgi_live_server])
    Fortune500CompanyFactory()
    SalesRepFactory(username="dana", first_name="Dana")

    # The agent logs into the admin and opens the console in a browser of their own.
    agent_context = page.context.browser.new_context()
    agent = agent_context.new_page()
    agent.set_default_timeout(15_000)
    agent.goto(f"{asgi_live_server}/admin/")
    agent.get_by_label("Username").fill("dana")
    agent.get_by_label("Password").fill(TEST_PASSWORD)
    agent.get_by_role("button", name="Log in").click()
    expect(
        agent.locator("#nav-sidebar-apps").get_by_role("link", name="Leads", exact=True)
    ).to_be_visible()  # signed in: the sidebar
    agent.goto(f"{asgi_live_server}/admin/chat/conversation/console/")
    expect(agent.locator("#chat-status")).to_contain_text("Connected")
    expect(agent.locator("#chat-waiting")).to_contain_text("Nobody is waiting.")

    # The visitor opens the chat on the demo page and asks the bot.
    page.goto(f"{asgi_live_server}/")
    page.get_by_role("button", name="Chat with us").click()
    chat = page.get_by_role("dialog", name="Chat with Enterprise Scanner")
    log = chat.get_by_role("log")
    expect(log).to_contain_text("I'm the Enterprise Scanner assistant")
    message = chat.get_by_label("Your message")
    expect(message).to_be_focused()
    message.fill("How much does it cost?")
    message.press("Enter")
    expect(log).to_contain_text("Assessments start at $25,000")
    expect(log).to_contain_text("Source: Pricing")

    message.fill("I'm jordan.lee@jpmorganchase.com and we need an assessment")
    chat.get_by_role("button", name="Send").click()
    expect(log).to_contain_text("I've asked a colleague to join this chat")

    # The agent sees the Fortune 500 visitor waiting, claims the chat and answers.
    waiting = agent.locator("#chat-waiting").get_by_role("button")
    expect(waiting).to_contain_text("Fortune 500")
    expect(waiting).to_contain_text("jordan.lee@jpmorganchase.com")
    waiting.click()
    expect(agent.locator("#chat-lead-card")).to_contain_text("JPMorgan Chase (Fortune 500 #11)")
    expect(agent.locator("#chat-transcript")).to_contain_text("we need an assessment")
    agent.get_by_role("button", name="Claim").click()
    reply = agent.get_by_label("Reply")
    expect(reply).to_be_enabled()
    reply.fill("Hello Jordan, this is Dana. Happy to help with the assessment.")
    agent.get_by_role("button", name="Send").click()

    # The visitor sees the agent join and the reply.
    expect(log).to_contain_text("Dana from our team has joined the chat.")
    expect(log).to_contain_text("Hello Jordan, this is Dana. Happy to help with the assessment.")
    agent_context.close()

    # Reloading the page resumes the same conversation: the whole history, each message once.
    page.reload()
    log = page.get_by_role("dialog", name="Chat with Enterprise Scanner").get_by_role("log")
    expect(log.get_by_text("Hello Jordan, this is Dana. Happy to help with the assessment.")).to_have_count(1)
    expect(log.get_by_text("How much does it cost?")).to_have_count(1)

    conversation = Conversation.objects.select_related("assigned_agent", "lead").get()
    assert conversation.status == ConversationStatus.ACTIVE
    assert conversation.assigned_agent.username == "dana"
    assert conversation.fortune_500_detected and conversation.lead.email == "jordan.lee@jpmorganchase.com"
