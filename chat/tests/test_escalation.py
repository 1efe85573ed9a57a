"""Escalation to a person on each trigger, the sales alert e-mail, the lead made from the chat,
and what the visitor is told when nobody is online."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.core import mail

from chat import services
from chat.models import Conversation, EscalationReason
from leads.models import Lead, LeadEventKind, LeadSource
from leads.tests.factories import CompanyFactory, Fortune500CompanyFactory, LeadFactory

from .sockets import agent_socket, nothing_more, receive, receive_until, say, start, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def conversation() -> Conversation:
    return Conversation.objects.select_related("lead__company").get()


@database_sync_to_async
def lead_event_kinds(lead: Lead) -> list[str]:
    return list(lead.events.order_by("created_at", "id").values_list("kind", flat=True))


async def online_agent(user):
    socket = await database_sync_to_async(agent_socket)(user)
    assert (await socket.connect())[0]
    queue = await receive(socket)
    assert queue["type"] == "queue" and queue["waiting"] == []
    return socket


async def test_fortune_500_email_escalates_alerts_sales_and_reaches_waiting_agents(website, rep) -> None:
    await database_sync_to_async(Fortune500CompanyFactory)()
    agent = await online_agent(rep)
    visitor = visitor_socket(website)
    await start(visitor, visitor_id="v-1")
    await receive(visitor)

    await say(visitor, "Hi, I'm jordan.lee@jpmorganchase.com, we need a pentest", "c1")
    escalated = await receive(visitor)
    assert escalated["type"] == "escalated" and escalated["sender"] == "system"
    assert escalated["reason"] == "fortune_500" and escalated["agents_online"] == 1
    assert "colleague" in escalated["body"]
    assert await nothing_more(visitor)  # the bot steps aside

    queue = await receive_until(agent, "queue")
    waiting = queue[-1]["waiting"]
    assert len(waiting) == 1
    assert waiting[0]["fortune_500"] is True and waiting[0]["high_value"] is True
    assert waiting[0]["lead"]["email"] == "jordan.lee@jpmorganchase.com"
    assert waiting[0]["lead"]["company"] == "JPMorgan Chase"
    assert waiting[0]["lead"]["fortune_rank"] == 11

    chat = await conversation()
    assert chat.status == "waiting"
    assert (chat.fortune_500_detected, chat.high_value_opportunity) == (True, True)
    assert chat.escalation_reason == EscalationReason.FORTUNE_500 and chat.escalated_at is not None
    assert chat.lead.source == LeadSource.CHAT and chat.lead.is_fortune_500
    kinds = await lead_event_kinds(chat.lead)
    assert LeadEventKind.SUBMITTED in kinds and LeadEventKind.COMPANY_MATCHED in kinds
    assert kinds.count(LeadEventKind.CHAT) == 2  # identified, escalated
    assert (await database_sync_to_async(chat.lead.events.get)(kind=LeadEventKind.SUBMITTED)).data[
        "form"
    ] == "chat"

    alerts = [
        m for m in mail.outbox if m.to == ["sales@enterprisescanner.test"] and "chat" in m.subject.lower()
    ]
    assert len(alerts) == 1
    assert alerts[0].subject.startswith("Fortune 500 visitor: chat needs a person")
    assert "jordan.lee@jpmorganchase.com" in alerts[0].subject
    assert "/admin/chat/conversation/console/#" in alerts[0].body
    html = alerts[0].alternatives[0][0]
    assert "Fortune 500 #11" in html
    await visitor.disconnect()
    await agent.disconnect()


async def test_high_score_lead_escalates_as_a_high_value_opportunity(website, rep) -> None:
    await database_sync_to_async(
        lambda: LeadFactory(
            email="alex@acme-corp.com", score=92, company=CompanyFactory(domain="acme-corp.com", name="Acme")
        )
    )()
    agent = await online_agent(rep)
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "alex@acme-corp.com", "c1")
    escalated = await receive(visitor)
    assert escalated["reason"] == "high_score"
    chat = await conversation()
    assert (chat.fortune_500_detected, chat.high_value_opportunity) == (False, True)
    assert await database_sync_to_async(Lead.objects.count)() == 1  # the known lead, not a new one
    await visitor.disconnect()
    await agent.disconnect()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Can I talk to a person please?", EscalationReason.ASKED_FOR_HUMAN),
        ("I want to speak with someone from sales", EscalationReason.ASKED_FOR_HUMAN),
        ("This is useless, nothing works", EscalationReason.UNHAPPY),
        ("WHY IS THIS SO COMPLICATED", EscalationReason.UNHAPPY),
    ],
)
async def test_asking_for_a_person_or_being_unhappy_escalates(website, rep, text: str, reason: str) -> None:
    agent = await online_agent(rep)
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, text, "c1")
    escalated = await receive(visitor)
    assert (escalated["type"], escalated["reason"]) == ("escalated", reason)
    chat = await conversation()
    assert chat.escalation_reason == reason and chat.status == "waiting"
    assert not chat.fortune_500_detected
    assert [m.subject for m in mail.outbox] == ["Chat needs a person"]
    await visitor.disconnect()
    await agent.disconnect()


async def test_the_second_unanswered_question_escalates(website, articles, rep) -> None:
    agent = await online_agent(rep)
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "Do you support quantum key distribution?", "c1")
    assert (await receive(visitor))["body"] == services.DONT_KNOW
    await say(visitor, "How much does it cost?", "c2")  # answered: does not count
    assert (await receive(visitor))["sources"][0]["slug"] == "pricing"
    assert (await conversation()).escalated_at is None
    await say(visitor, "What about lattice cryptography audits?", "c3")
    assert (await receive(visitor))["body"] == services.DONT_KNOW
    escalated = await receive(visitor)
    assert escalated["reason"] == EscalationReason.BOT_FAILED
    await visitor.disconnect()
    await agent.disconnect()


async def test_with_nobody_online_the_bot_says_so_and_the_email_becomes_a_lead_with_an_alert(website) -> None:
    visitor = visitor_socket(website)
    await start(visitor, visitor_id="v-9")
    await receive(visitor)
    await say(visitor, "I need to talk to a human", "c1")
    escalated = await receive(visitor)
    assert escalated["agents_online"] == 0
    assert "Nobody from our team is online" in escalated["body"] and "e-mail" in escalated["body"]
    assert len(mail.outbox) == 1 and "not left an e-mail address" in mail.outbox[0].body

    await say(visitor, "sure, it's jane@acme-corp.com", "c2")
    thanks = await receive(visitor)
    assert thanks["sender"] == "bot" and "noted your e-mail" in thanks["body"]
    lead = await database_sync_to_async(Lead.objects.select_related("company", "visitor").get)()
    assert lead.email == "jane@acme-corp.com" and lead.source == LeadSource.CHAT
    assert lead.company.domain == "acme-corp.com" and lead.visitor.anonymous_id == "v-9"
    assert lead.scored_at is not None  # scored like a form lead
    offline = [m for m in mail.outbox if m.subject.startswith("Chat lead while nobody was online")]
    assert len(offline) == 1 and "jane@acme-corp.com" in offline[0].subject
    await visitor.disconnect()


async def test_alert_html_escapes_what_the_visitor_wrote(website) -> None:
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "<script>alert(1)</script> let me talk to a person", "c1")
    await receive(visitor)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in mail.outbox[0].body  # plain text stays as written
    await visitor.disconnect()
