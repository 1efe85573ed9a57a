"""The bot over the real websocket, as a buyer meets it: buying intents collected for sales and
recorded on the lead, words like "agent" or "human" in other senses left alone (no escalation,
no e-mail, nothing in the agents' queue), and requests for a person in everyday words heard."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.core import mail
from django.test import override_settings

from chat import services
from chat.models import Conversation, EscalationReason, KnowledgeArticle, KnowledgeSynonym
from leads.models import LeadEventKind, LeadSource

from .sockets import agent_socket, nothing_more, receive, say, start, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def conversation() -> Conversation:
    return Conversation.objects.select_related("lead__company").get()


async def online_agent(user):
    socket = await database_sync_to_async(agent_socket)(user)
    assert (await socket.connect())[0]
    assert (await receive(socket))["type"] == "queue"
    return socket


@pytest.fixture
def deployment_article(articles) -> KnowledgeArticle:
    return KnowledgeArticle.objects.create(
        title="Deployment",
        slug="deployment",
        questions="Do we need to install anything?",
        answer="It is a hosted service: there is no agent or software to install.\n\n"
        "Results reach your SIEM through the REST API.",
        keywords="install, agent, deploy, hosted",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Is there agent software to install?",
        "Our human resources team wants to know: do we need to install anything?",
        "Does your product talk to Splunk?",
        "Can I get a representative sample of your SIEM results?",
        "Do you have an agent-based option?",
    ],
)
async def test_agent_human_representative_in_other_senses_do_not_escalate(
    website, deployment_article, rep, text
) -> None:
    await database_sync_to_async(services.knowledge_synonyms_seed)()
    agent = await online_agent(rep)
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, text, "c1")
    reply = await receive(visitor)
    assert reply["sender"] == "bot" and reply.get("type") != "escalated"
    assert await nothing_more(visitor)
    chat = await conversation()
    assert chat.escalated_at is None and chat.status == "bot"
    assert mail.outbox == []  # no escalation e-mail
    assert await nothing_more(agent)  # and nothing in the console's queue
    await visitor.disconnect()
    await agent.disconnect()


@pytest.mark.parametrize(
    "text",
    [
        "Could one of your consultants get in touch with me?",
        "I'd like to speak with somebody from your team",
        "can i speak to someone",
    ],
)
async def test_a_person_asked_for_in_everyday_words_escalates(website, articles, rep, text) -> None:
    agent = await online_agent(rep)
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, text, "c1")
    escalated = await receive(visitor)
    assert (escalated["type"], escalated["reason"]) == ("escalated", EscalationReason.ASKED_FOR_HUMAN)
    assert [m.subject for m in mail.outbox] == ["Chat needs a person"]
    await visitor.disconnect()
    await agent.disconnect()


@override_settings(CHAT_MEETING_URL="https://meet.example.com/sales")
async def test_a_demo_request_is_collected_recorded_on_the_lead_and_alerted(website, articles) -> None:
    visitor = visitor_socket(website)
    await start(visitor, visitor_id="v-9")
    await receive(visitor)

    await say(visitor, "Could you show us the product next Tuesday at 3pm?", "c1")
    ask_email = await receive(visitor)
    assert "demo" in ask_email["body"] and "work e-mail" in ask_email["body"]
    await say(visitor, "sure, priya.shah@gmail.com", "c2")
    ask_company = await receive(visitor)
    assert ask_company["body"] == "Which company are you with?"
    await say(visitor, "We're Northwind Traders", "c3")
    done = await receive(visitor)
    assert "priya.shah@gmail.com" in done["body"] and "next Tuesday at 3pm" in done["body"]
    assert "https://meet.example.com/sales" in done["body"]
    assert await nothing_more(visitor)

    chat = await conversation()
    assert chat.high_value_opportunity and chat.escalated_at is None
    lead = chat.lead
    assert lead.company_name == "Northwind Traders"
    submitted = await database_sync_to_async(
        lambda: list(lead.events.filter(kind=LeadEventKind.SUBMITTED).values_list("data", flat=True))
    )()
    assert sorted(d["form"] for d in submitted) == [LeadSource.CHAT, LeadSource.DEMO_REQUEST]
    summaries = await database_sync_to_async(
        lambda: list(lead.events.filter(kind=LeadEventKind.CHAT).values_list("summary", flat=True))
    )()
    assert "Asked for a demo in the chat (preferred time: next Tuesday at 3pm)" in summaries
    alerts = [m for m in mail.outbox if m.subject.startswith("Hot: chat visitor")]
    assert len(alerts) == 1 and "priya.shah@gmail.com" in alerts[0].subject
    assert "follow up now" in alerts[0].body
    await visitor.disconnect()


async def test_pricing_answers_from_the_article_then_collects_and_a_known_lead_skips_questions(
    website, articles
) -> None:
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "What would this cost for 1,800 people? I'm dana@globex.example", "c1")
    first = await receive(visitor)
    assert first["body"].startswith("Assessments start at $25,000")  # the pricing passage
    assert first["sources"][0]["slug"] == "pricing"
    assert first["body"].endswith("Which company are you with?")  # e-mail already given
    await say(visitor, "no thanks", "c2")
    declined = await receive(visitor)
    assert declined["body"].startswith("No problem")
    chat = await conversation()
    assert not chat.high_value_opportunity
    await visitor.disconnect()


async def test_a_question_instead_of_an_answer_stops_collecting_and_is_answered(website, articles) -> None:
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "Can we get a quote?", "c1")
    assert "work e-mail" in (await receive(visitor))["body"]
    await say(visitor, "First: do you integrate with Azure Sentinel?", "c2")
    answer = await receive(visitor)
    assert answer["sources"][0]["slug"] == "sentinel"
    assert answer["sources"][0]["url"] == settings.SITE_URL + "/help/sentinel/"  # its source, linked
    await visitor.disconnect()


@pytest.mark.django_db
def test_synonyms_edited_in_the_admin_are_used_at_once(articles) -> None:
    from chat.bot import retrieval

    assert retrieval.search("Do you hook up with Sentinel?")[0].article.slug == "sentinel"
    assert retrieval.search("Can findings go to our security event warehouse?") == []
    KnowledgeSynonym.objects.create(terms="SIEM, security event warehouse")
    assert retrieval.search("Can findings go to our security event warehouse?")[0].article.slug == "sentinel"


async def test_a_buyer_who_moves_on_after_giving_their_address_still_reaches_sales(website, articles) -> None:
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "Can we run a pilot? I'm sam@initech.example", "c1")
    assert "Which company" in (await receive(visitor))["body"]
    await say(visitor, "Do you integrate with Azure Sentinel?", "c2")
    assert (await receive(visitor))["sources"][0]["slug"] == "sentinel"
    chat = await conversation()
    assert chat.high_value_opportunity
    summaries = await database_sync_to_async(
        lambda: list(chat.lead.events.filter(kind=LeadEventKind.CHAT).values_list("summary", flat=True))
    )()
    assert "Asked for a trial or pilot in the chat (preferred time: not given)" in summaries
    assert len([m for m in mail.outbox if m.subject.startswith("Hot: chat visitor")]) == 1
    await visitor.disconnect()
