"""The agent console's websocket: who may connect, the queue, the claim race, replies reaching
the visitor, closing with a rating and a transcript, and scoping between agents."""

from __future__ import annotations

import asyncio
import functools

import pytest
from channels.db import database_sync_to_async
from django.core import mail

from chat import services
from chat.models import AgentSession, Conversation, ConversationStatus, Message
from chat.services import ChatError
from enterprise_scanner.tests.concurrency import run_at_once
from leads.models import LeadEventKind
from leads.tests.factories import UserFactory

from .sockets import agent_socket, nothing_more, receive, receive_until, say, start, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def connect_agent(user, **kwargs):
    socket = await database_sync_to_async(agent_socket)(user, **kwargs)
    connected, _ = await socket.connect()
    assert connected
    assert (await receive(socket))["type"] == "queue"
    return socket


async def waiting_visitor(website):
    """A visitor who asked for a person; returns the socket and the conversation id."""
    visitor = visitor_socket(website)
    welcome = await start(visitor)
    await receive(visitor)
    await say(visitor, "Can I talk to a person?", "v1")
    assert (await receive(visitor))["type"] == "escalated"
    return visitor, welcome["conversation"]


async def test_anonymous_and_unauthorised_users_and_foreign_origins_are_refused(rep) -> None:
    socket = await database_sync_to_async(agent_socket)(None)
    assert not (await socket.connect())[0]
    customer = await database_sync_to_async(UserFactory)(username="customer", is_staff=False)
    socket = await database_sync_to_async(agent_socket)(customer)
    assert not (await socket.connect())[0]
    staff_without_chat = await database_sync_to_async(UserFactory)(username="accountant")
    socket = await database_sync_to_async(agent_socket)(staff_without_chat)
    assert not (await socket.connect())[0]
    for origin in (
        "https://evil.example",
        "https://www.enterprisescanner.com",
        "http://testserver.evil.example",
    ):
        socket = await database_sync_to_async(agent_socket)(rep, origin=origin)
        assert not (await socket.connect())[0], origin
    assert await database_sync_to_async(AgentSession.objects.count)() == 0


async def test_agent_claims_replies_and_closes_and_the_visitor_rates_and_gets_the_transcript(
    website, rep
) -> None:
    agent = await connect_agent(rep)
    assert await database_sync_to_async(services.agents_online_count)() == 1
    visitor, conversation_id = await waiting_visitor(website)
    queue = (await receive_until(agent, "queue"))[-1]
    assert [c["id"] for c in queue["waiting"]] == [conversation_id] and queue["mine"] == []

    # Replying before claiming is refused.
    await agent.send_json_to(
        {"type": "message", "conversation": conversation_id, "body": "Hi", "client_id": "a0"}
    )
    assert (await receive(agent))["code"] == "not_yours"

    await agent.send_json_to({"type": "claim", "conversation": conversation_id})
    frames = await receive_until(agent, "conversation")
    assert {"type": "claimed", "conversation": conversation_id} in frames
    header = frames[-1]
    assert header["mine"] is True and header["status"] == "active" and header["agent"] == "Dana"
    transcript = [await receive(agent) for _ in range(4)]
    assert [m["seq"] for m in transcript] == [1, 2, 3, 4]
    assert transcript[-1]["type"] == "agent_joined"
    joined = await receive(visitor)
    assert (joined["type"], joined["agent"]) == ("agent_joined", "Dana")
    assert joined["body"] == "Dana from our team has joined the chat."

    await agent.send_json_to(
        {
            "type": "message",
            "conversation": conversation_id,
            "body": "Hello, I'm Dana. How can I help?",
            "client_id": "a1",
        }
    )
    reply = await receive(visitor)
    assert (reply["sender"], reply["agent"], reply["seq"]) == ("agent", "Dana", 5)
    frames = await say(visitor, "We need an assessment of 40 subsidiaries", "v2")
    assert frames[-1]["seq"] == 6
    assert await nothing_more(visitor)  # the bot stays quiet once an agent has the chat
    seen = await receive_until(agent, "message")
    while seen[-1]["seq"] != 6:
        seen = await receive_until(agent, "message")
    assert seen[-1]["body"] == "We need an assessment of 40 subsidiaries"

    await agent.send_json_to({"type": "close", "conversation": conversation_id})
    closed = await receive(visitor)
    assert closed["type"] == "closed"
    await visitor.send_json_to({"type": "message", "body": "one more thing", "client_id": "v3"})
    assert (await receive(visitor))["code"] == "conversation_closed"

    await visitor.send_json_to({"type": "rate", "rating": 9})
    assert (await receive(visitor))["code"] == "invalid_rating"
    await visitor.send_json_to({"type": "rate", "rating": 5, "comment": "Very quick, thanks"})
    rated = await receive(visitor)
    assert (rated["type"], rated["rating"]) == ("rated", 5)
    await visitor.send_json_to({"type": "rate", "rating": 1})
    assert (await receive(visitor))["code"] == "already_rated"

    await visitor.send_json_to({"type": "transcript"})
    assert (await receive(visitor))["code"] == "email_required"
    await visitor.send_json_to({"type": "transcript", "email": "not an address"})
    assert (await receive(visitor))["code"] == "invalid_email"
    await visitor.send_json_to({"type": "transcript", "email": "pat@globex-corp.com"})
    assert (await receive(visitor))["type"] == "transcript_sent"

    chat = await database_sync_to_async(Conversation.objects.select_related("lead").get)(pk=conversation_id)
    assert chat.status == ConversationStatus.CLOSED and chat.closed_at is not None
    assert (chat.csat_rating, chat.csat_comment) == (5, "Very quick, thanks")
    assert chat.lead.email == "pat@globex-corp.com"
    transcripts = [m for m in mail.outbox if m.to == ["pat@globex-corp.com"]]
    assert len(transcripts) == 1
    assert "Dana: Hello, I'm Dana. How can I help?" in transcripts[0].body
    assert "Visitor: We need an assessment of 40 subsidiaries" in transcripts[0].body
    kinds = await database_sync_to_async(list)(chat.lead.events.values_list("kind", flat=True))
    assert LeadEventKind.CHAT in kinds

    await visitor.disconnect()
    await agent.disconnect()
    assert await database_sync_to_async(AgentSession.objects.count)() == 0


async def test_two_agents_claiming_at_once_only_one_wins(website, rep, rep2) -> None:
    dana, sam = await connect_agent(rep), await connect_agent(rep2)
    visitor, conversation_id = await waiting_visitor(website)
    await dana.send_json_to({"type": "claim", "conversation": conversation_id})
    await sam.send_json_to({"type": "claim", "conversation": conversation_id})

    async def outcome(socket) -> str:
        while True:
            frame = await receive(socket)
            if frame["type"] == "claimed":
                return "won"
            if frame["type"] == "error":
                assert frame["code"] == "already_claimed"
                return "lost"

    results = await asyncio.gather(outcome(dana), outcome(sam))
    assert sorted(results) == ["lost", "won"]
    winner = rep if results[0] == "won" else rep2
    chat = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert chat.assigned_agent_id == winner.pk
    joins = await database_sync_to_async(Message.objects.filter(metadata__event="agent_joined").count)()
    assert joins == 1
    for socket in (visitor, dana, sam):
        await socket.disconnect()


def test_claim_race_in_threads_has_exactly_one_winner(website, rep, rep2) -> None:
    conversation, _ = services.conversation_start(website=website)
    services.conversation_escalate(conversation_id=conversation.pk, reason="asked_for_human")
    outcomes = []

    def claim(agent) -> None:
        try:
            services.conversation_claim(conversation_id=conversation.pk, agent=agent)
            outcomes.append(("won", agent.pk))
        except ChatError as error:
            outcomes.append((error.code, agent.pk))

    run_at_once([functools.partial(claim, agent) for agent in (rep, rep2)])
    assert sorted(code for code, _ in outcomes) == ["already_claimed", "won"]
    winner = next(pk for code, pk in outcomes if code == "won")
    assert Conversation.objects.get(pk=conversation.pk).assigned_agent_id == winner


async def test_an_agent_cannot_open_or_touch_another_agents_conversation_but_a_manager_can(
    website, rep, rep2, manager
) -> None:
    dana = await connect_agent(rep)
    visitor, conversation_id = await waiting_visitor(website)
    await dana.send_json_to({"type": "claim", "conversation": conversation_id})
    await receive_until(dana, "claimed")

    sam = await connect_agent(rep2)
    await sam.send_json_to({"type": "claim", "conversation": conversation_id})
    assert (await receive(sam))["code"] == "already_claimed"
    for frame in (
        {"type": "open", "conversation": conversation_id},
        {"type": "message", "conversation": conversation_id, "body": "hijack", "client_id": "s1"},
        {"type": "close", "conversation": conversation_id},
        {"type": "open", "conversation": "not-a-uuid"},
    ):
        await sam.send_json_to(frame)
        reply = await receive(sam)
        assert (reply["type"], reply["code"]) == ("error", "not_found"), frame

    morgan = await connect_agent(manager)
    await morgan.send_json_to({"type": "open", "conversation": conversation_id})
    header = (await receive_until(morgan, "conversation"))[-1]
    assert header["mine"] is False and header["agent"] == "Dana"
    await morgan.send_json_to(
        {"type": "message", "conversation": conversation_id, "body": "x", "client_id": "m1"}
    )
    assert (await receive_until(morgan, "error"))[-1]["code"] == "not_yours"
    for socket in (visitor, dana, sam, morgan):
        await socket.disconnect()


async def test_the_agents_own_resend_is_not_stored_twice(website, rep) -> None:
    dana = await connect_agent(rep)
    visitor, conversation_id = await waiting_visitor(website)
    await dana.send_json_to({"type": "claim", "conversation": conversation_id})
    await receive_until(dana, "agent_joined")
    frame = {"type": "message", "conversation": conversation_id, "body": "Hello!", "client_id": "a1"}

    async def echo() -> dict:
        while (reply := await receive(dana)).get("client_id") != "a1":
            assert reply["type"] in ("queue", "conversation", "claimed", "message", "agent_joined")
        return reply

    await dana.send_json_to(frame)
    first = await echo()
    await dana.send_json_to(frame)
    again = await echo()
    assert first["seq"] == again["seq"] == 5
    assert await database_sync_to_async(Message.objects.filter(sender="agent").count)() == 1
    await visitor.disconnect()
    await dana.disconnect()


async def test_hostile_json_frames_on_the_agent_socket_get_an_error_and_it_stays_open(rep) -> None:
    socket = await connect_agent(rep)
    await socket.send_to(text_data="[" * 10_000)
    reply = await receive(socket)
    assert (reply["type"], reply["code"]) == ("error", "bad_json")
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"
    await socket.disconnect()
