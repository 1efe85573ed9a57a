"""Protocol additions for the console: the welcome's availability, offline messages over the
visitor's socket, the visitor's current page reaching the agent, throttled typing both ways and
agents shown by their full name."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from chat.models import BusinessHours, Conversation
from leads.models import Lead
from leads.tests.factories import SalesRepFactory

from .sockets import ORIGIN, agent_socket, nothing_more, receive, receive_until, say, start, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def connect_agent(user):
    socket = await database_sync_to_async(agent_socket)(user)
    connected, _ = await socket.connect()
    assert connected
    assert (await receive(socket))["type"] == "queue"
    return socket


async def test_welcome_says_whether_a_person_can_answer(website, rep) -> None:
    visitor = visitor_socket(website)
    welcome = await start(visitor)
    assert welcome["availability"] == {
        "person_available": False,
        "open": True,
        "agents_online": 0,
        "next_opening": None,
        "back_at": "We will get back to you by e-mail as soon as someone is available.",
    }
    assert welcome["offline_sent"] is False
    await visitor.disconnect()

    agent = await connect_agent(rep)
    visitor = visitor_socket(website)
    welcome = await start(visitor)
    assert welcome["availability"]["person_available"] is True and welcome["availability"]["back_at"] == ""
    await database_sync_to_async(BusinessHours.objects.create)(website=website, time_zone="UTC")
    second = visitor_socket(website)
    welcome = await start(second)
    assert welcome["availability"]["open"] is False and welcome["availability"]["person_available"] is False
    for socket in (visitor, second, agent):
        await socket.disconnect()


async def test_an_offline_message_over_the_socket_ends_the_chat_as_a_lead(website) -> None:
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)  # greeting
    await visitor.send_json_to({"type": "offline", "email": "nope", "question": "Hi"})
    error = await receive(visitor)
    assert error["type"] == "error" and error["code"] == "invalid_email"
    await visitor.send_json_to(
        {"type": "offline", "email": "li@initech.example", "question": "Call me about pricing"}
    )
    frames = await receive_until(visitor, "offline_received")
    assert frames[0]["type"] == "message" and frames[0]["body"] == "Call me about pricing"
    assert "li@initech.example" in frames[-1]["body"]
    assert await database_sync_to_async(Lead.objects.filter(email="li@initech.example").exists)()
    # Sent again (no echo heard): answered with the same notice, nothing new stored.
    await visitor.send_json_to(
        {"type": "offline", "email": "li@initech.example", "question": "Call me about pricing"}
    )
    again = await receive(visitor)
    assert again["type"] == "offline_received" and again["seq"] == frames[-1]["seq"]
    await visitor.send_json_to({"type": "message", "body": "hello?", "client_id": "late"})
    assert (await receive(visitor))["code"] == "conversation_closed"
    await visitor.disconnect()


async def test_the_visitors_page_reaches_the_agent_and_foreign_pages_are_refused(website, rep) -> None:
    agent = await connect_agent(rep)
    visitor = visitor_socket(website)
    welcome = await start(visitor, page_url=f"{ORIGIN}/pricing", page_title="Pricing")
    await receive(visitor)  # greeting
    conversation_id = welcome["conversation"]
    # Frames of one socket are handled in order, so once this message is answered the page the
    # hello carried is stored (read from another thread: database work runs on a pool of them).
    await say(visitor, "Can I talk to a person?", "v1")
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert (conversation.page_url, conversation.page_title) == (f"{ORIGIN}/pricing", "Pricing")
    await receive_until(agent, "queue")
    await agent.send_json_to({"type": "open", "conversation": conversation_id})
    header = await receive(agent)
    assert header["type"] == "conversation"
    assert header["page"] == {"url": f"{ORIGIN}/pricing", "title": "Pricing"}

    await visitor.send_json_to({"type": "page", "url": f"{ORIGIN}/security#soc2", "title": "Security"})
    page = await receive_until(agent, "page")
    assert page[-1]["url"] == f"{ORIGIN}/security#soc2" and page[-1]["title"] == "Security"

    for url in ("https://evil.example/x", "javascript:alert(1)", f"{ORIGIN}/" + "a" * 600, 42):
        await visitor.send_json_to({"type": "page", "url": url, "title": "x"})
        assert (await receive_until(visitor, "error"))[-1]["code"] == "invalid_page", url
    await visitor.disconnect()
    await agent.disconnect()


async def test_typing_is_throttled_but_a_change_always_goes_through(website) -> None:
    agent_user = await database_sync_to_async(SalesRepFactory)(
        username="kim", first_name="Kim", last_name="Novak"
    )
    agent = await connect_agent(agent_user)
    visitor = visitor_socket(website)
    welcome = await start(visitor)
    await receive(visitor)
    conversation_id = welcome["conversation"]
    await say(visitor, "Can I talk to a person?", "v1")
    await receive(visitor)  # escalated
    await agent.send_json_to({"type": "claim", "conversation": conversation_id})
    await receive_until(agent, "agent_joined")
    joined = await receive_until(visitor, "agent_joined")
    assert (
        joined[-1]["agent"] == "Kim Novak"
        and joined[-1]["body"] == "Kim Novak from our team has joined the chat."
    )

    for _ in range(5):
        await visitor.send_json_to({"type": "typing", "active": True})
    await visitor.send_json_to({"type": "typing", "active": False})
    frames = [frame for frame in await receive_until(agent, "typing") if frame["type"] == "typing"]
    assert frames[-1]["active"] is True
    stopped = await receive(agent)
    assert stopped["type"] == "typing" and stopped["active"] is False
    assert await nothing_more(agent)

    for _ in range(5):
        await agent.send_json_to({"type": "typing", "conversation": conversation_id, "active": True})
    typing = await receive(visitor)
    assert typing == {
        "type": "typing",
        "conversation": conversation_id,
        "from": "agent",
        "active": True,
        "agent": "Kim Novak",
    }
    assert await nothing_more(visitor)
    await visitor.disconnect()
    await agent.disconnect()
