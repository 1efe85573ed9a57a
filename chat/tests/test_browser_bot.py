"""The bot in real Chromium, as a buyer meets it on the demo page with the demo knowledge base:
a question answered with one passage and a link to its help page, a word like "agent" in another
sense answered (not escalated), and a demo request collected for sales step by step. Screenshots
go to SHOTS_DIR (default /work/shots/bot) for review."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.services import website_create
from chat.models import Conversation, KnowledgeArticle
from chat.services import knowledge_synonyms_seed
from demo.specs.chats import ARTICLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots/bot"))


def _shot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name))


@pytest.fixture
def demo_knowledge_base(transactional_db) -> None:
    knowledge_synonyms_seed()
    for spec in ARTICLES:
        KnowledgeArticle.objects.create(
            slug=spec.slug,
            title=spec.title,
            questions="\n".join(spec.questions),
            answer=spec.answer,
            keywords=spec.keywords,
        )


@pytest.fixture(autouse=True)
def _patient_expectations():
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def test_buyer_gets_a_passage_with_its_source_and_books_a_demo(
    asgi_live_server, demo_knowledge_base, page
) -> None:
    website_create(name="Demo", allowed_origins=[asgi_live_server])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{asgi_live_server}/")
    page.get_by_role("button", name="Chat with us").click()
    chat = page.get_by_role("dialog", name="Chat with Enterprise Scanner")
    log = chat.get_by_role("log")
    message = chat.get_by_label("Your message")

    message.fill("We're a bank in Frankfurt. Can our data stay in Europe?")
    message.press("Enter")
    expect(log).to_contain_text("Customer data is hosted in the EU (Frankfurt)")
    source = log.get_by_role("link", name="Where your data is hosted")
    expect(source).to_have_attribute(
        "href", f"{os.environ.get('SITE_URL', 'http://localhost:8000')}/help/data-residency/"
    )
    expect(log).not_to_contain_text("A data processing agreement")  # one passage, not the GDPR article

    message.fill("Do we need to install an agent on our servers?")
    message.press("Enter")
    expect(log).to_contain_text("there is no agent or software to install")
    assert Conversation.objects.get().escalated_at is None
    _shot(page, "01-widget-answers-with-source-1366.png")

    message.fill("Great. Could you show us the product next Tuesday at 3pm?")
    message.press("Enter")
    expect(log).to_contain_text("What's your work e-mail address")
    message.fill("priya.shah@northwind.example")
    message.press("Enter")
    expect(log).to_contain_text("Which company are you with?")
    message.fill("Northwind Traders")
    message.press("Enter")
    expect(log).to_contain_text("I've passed your request for a demo to our sales team")
    expect(log).to_contain_text("next Tuesday at 3pm")
    _shot(page, "02-widget-demo-request-collected-1366.png")
    chat_row = Conversation.objects.select_related("lead").get()
    assert chat_row.high_value_opportunity and chat_row.lead.company_name == "Northwind Traders"

    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "03-widget-demo-request-390.png")

    # The source link's page on the server, desktop and phone
    page.goto(f"{asgi_live_server}/help/data-residency/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where your data is hosted")
    _shot(page, "04-help-article-390.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    _shot(page, "05-help-article-1366.png")
    page.goto(f"{asgi_live_server}/help/")
    expect(page.get_by_role("link", name="Single sign-on (SSO)")).to_be_visible()
    _shot(page, "06-help-index-1366.png")


def test_synonym_groups_in_the_admin(asgi_live_server, demo_knowledge_base, page) -> None:
    from django.contrib.auth import get_user_model

    from leads.tests.factories import TEST_PASSWORD

    get_user_model().objects.create_superuser("morgan", "morgan@example.com", TEST_PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{asgi_live_server}/admin/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{asgi_live_server}/admin/chat/knowledgesynonym/")
    expect(page.get_by_role("link", name="SSO, SAML, single sign-on, single sign on")).to_be_visible()
    _shot(page, "07-admin-synonym-groups-1366.png")
    page.goto(f"{asgi_live_server}/admin/chat/knowledgesynonym/add/")
    page.get_by_label("Terms").fill("MSSP")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("at least two", exact=False).first).to_be_visible()
    _shot(page, "08-admin-synonym-validation-1366.png")
