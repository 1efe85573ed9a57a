"""The visitor's websocket as the widget uses it: start, chat with the bot, resume after a
disconnect without losing or doubling anything, and every refusal (bad frames, foreign origins,
other people's conversations)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from analytics.services import website_create, website_update
from chat import services
from chat.consumers import VisitorConsumer
from chat.models import Conversation, Message, MessageSender

from .sockets import nothing_more, receive, say, start, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_full_conversation_with_bot_answers_and_sources(website, articles) -> None:
    socket = visitor_socket(website)
    welcome = await start(socket, visitor_id="v-123")
    assert welcome["status"] == "bot" and welcome["token"]
    greeting = await receive(socket)
    assert (greeting["type"], greeting["seq"], greeting["sender"]) == ("message", 1, "bot")

    frames = await say(socket, "How much does it cost?", "c1")
    assert [f["seq"] for f in frames] == [2]
    assert frames[0]["sender"] == "visitor" and frames[0]["body"] == "How much does it cost?"
    answer = await receive(socket)
    assert answer["sender"] == "bot" and answer["seq"] == 3
    assert "$25,000" in answer["body"]
    # the source's help page, absolute: the widget runs on the customer's site
    url = settings.SITE_URL + "/help/pricing/"
    assert answer["sources"][0] == {"title": "Pricing", "slug": "pricing", "url": url}

    await say(socket, "Can findings go to Azure Sentinel?", "c2")
    answer = await receive(socket)
    assert answer["sources"][0]["title"] == "Microsoft Sentinel integration"

    await say(socket, "What is the secret roadmap?", "c3")  # only in an unpublished article
    answer = await receive(socket)
    assert answer["body"] == services.DONT_KNOW and "sources" not in answer
    assert await nothing_more(socket)
    await socket.disconnect()

    conversation = await database_sync_to_async(Conversation.objects.select_related("visitor").get)()
    assert conversation.last_sequence == 7
    assert conversation.visitor.anonymous_id == "v-123"
    bodies = await database_sync_to_async(list)(conversation.messages.values_list("sequence", "sender"))
    assert bodies == [
        (1, "bot"),
        (2, "visitor"),
        (3, "bot"),
        (4, "visitor"),
        (5, "bot"),
        (6, "visitor"),
        (7, "bot"),
    ]


async def test_reconnect_resumes_after_the_last_sequence_without_loss_or_duplicates(
    website, articles
) -> None:
    first = visitor_socket(website)
    welcome = await start(first)
    token = welcome["token"]
    await receive(first)  # greeting, seq 1
    await say(first, "How much does it cost?", "c1")
    await receive(first)  # bot answer, seq 3
    await first.disconnect()

    # While the visitor is away, the conversation goes on (an agent's reply, stored and broadcast
    # to nobody).
    conversation_id = welcome["conversation"]
    await database_sync_to_async(services.message_post)(
        conversation_id=conversation_id, sender=MessageSender.AGENT, body="Still there? I can help."
    )

    second = visitor_socket(website)
    resumed = await start(second, token=token, last_seq=2)
    assert resumed["conversation"] == conversation_id and "token" not in resumed
    assert resumed["last_seq"] == 4
    missed = [await receive(second), await receive(second)]
    assert [m["seq"] for m in missed] == [3, 4]
    assert missed[1]["body"] == "Still there? I can help."

    # The client never heard the echo of c1 and resends it: same message, nothing new stored.
    frames = await say(second, "How much does it cost?", "c1")
    assert [f["seq"] for f in frames] == [2]
    assert await nothing_more(second)
    await second.disconnect()
    assert await database_sync_to_async(Message.objects.filter(client_message_id="c1").count)() == 1
    assert await database_sync_to_async(Message.objects.count)() == 4


async def test_a_dropped_broadcast_is_recovered_from_the_database(website) -> None:
    socket = visitor_socket(website)
    welcome = await start(socket)
    await receive(socket)  # greeting, seq 1

    def store_without_broadcast() -> None:
        # What a full channel or a Redis restart does: the message is stored, its broadcast lost.
        conversation = Conversation.objects.get(pk=welcome["conversation"])
        Message.objects.create(conversation=conversation, sequence=2, sender="agent", body="Lost broadcast")
        Conversation.objects.filter(pk=conversation.pk).update(last_sequence=2)

    await database_sync_to_async(store_without_broadcast)()
    await database_sync_to_async(services.message_post)(
        conversation_id=welcome["conversation"], sender=MessageSender.AGENT, body="Next one"
    )
    frames = [await receive(socket), await receive(socket)]
    assert [(f["seq"], f["body"]) for f in frames] == [(2, "Lost broadcast"), (3, "Next one")]
    assert await nothing_more(socket)
    await socket.disconnect()


async def test_a_failure_in_background_work_is_logged_with_its_socket_and_the_chat_goes_on(
    website, monkeypatch, caplog
) -> None:
    async def failing_bot_turn(self, conversation_id: str, message_id: int) -> None:
        raise RuntimeError("the bot's delivery broke")

    monkeypatch.setattr(VisitorConsumer, "bot_turn", failing_bot_turn)
    socket = visitor_socket(website)
    await start(socket)
    await receive(socket)  # greeting

    first = await say(socket, "Hello?", "c1")
    second = await say(socket, "Anyone there?", "c2")  # the socket still stores and acknowledges

    assert [f["seq"] for f in first + second] == [2, 3]
    assert await nothing_more(socket)  # (and gives the second task time to end)
    failures = [r for r in caplog.records if r.getMessage().startswith("Background work of chat socket")]
    assert len(failures) == 2
    assert all(r.exc_info and "the bot's delivery broke" in str(r.exc_info[1]) for r in failures)
    await socket.disconnect()


@override_settings(CHAT_MESSAGE_MAX_LENGTH=50, CHAT_MAX_FRAME_BYTES=1000, CHAT_MESSAGES_PER_MINUTE=4)
async def test_bad_frames_get_an_error_and_the_connection_stays_open(website) -> None:
    socket = visitor_socket(website)
    connected, _ = await socket.connect()
    assert connected

    async def error_for(**frame: object) -> str:
        if "raw" in frame:
            await socket.send_to(text_data=frame["raw"])
        elif "binary" in frame:
            await socket.send_to(bytes_data=frame["binary"])
        else:
            await socket.send_json_to(frame)
        reply = await receive(socket)
        assert reply["type"] == "error", reply
        assert reply["message"]
        return reply["code"]

    assert await error_for(type="message", body="before hello") == "no_conversation"
    assert await error_for(raw="{not json") == "bad_json"
    assert await error_for(raw="[1, 2]") == "bad_frame"
    assert await error_for(binary=b"\x00\x01") == "bad_frame"
    assert await error_for(raw='{"type": "' + "x" * 2000 + '"}') == "frame_too_large"
    assert await error_for(type="launch_missiles") == "unknown_type"
    assert await error_for(type="hello", last_seq=-1) == "invalid_last_seq"
    assert await error_for(type="hello", token=["not", "a", "string"]) == "bad_frame"

    await socket.send_json_to({"type": "hello"})
    assert (await receive(socket))["type"] == "welcome"
    await receive(socket)  # greeting
    assert await error_for(type="hello") == "already_started"
    assert await error_for(type="message", body="x" * 51, client_id="long") == "message_too_long"
    assert await error_for(type="message", body="   ", client_id="blank") == "invalid_message"
    assert await error_for(type="message", body="hi", client_id="bad id!") == "invalid_client_id"
    assert await error_for(type="rate", rating=5) == "not_closed"
    # Four message frames were sent since connecting: the fifth within the minute is refused.
    assert await error_for(type="message", body="one more", client_id="c5") == "rate_limited"

    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"
    await socket.disconnect()
    assert await database_sync_to_async(Message.objects.filter(sender="visitor").count)() == 0


async def test_hostile_json_frames_get_an_error_and_the_chat_goes_on(website) -> None:
    """Issue 12: a 10 KB frame of `[` closed the socket with 1011 (RecursionError in the
    parser); a NUL inside a message failed to store on PostgreSQL. Both are `error` frames now,
    and the socket carries on."""
    socket = visitor_socket(website)
    await start(socket)
    await receive(socket)  # greeting
    for raw in ("[" * 10_000, '{"type": "message", "body": ' + "[" * 5000 + "]" * 5000 + "}", '{"x": NaN}'):
        await socket.send_to(text_data=raw)
        reply = await receive(socket)
        assert (reply["type"], reply["code"]) == ("error", "bad_json"), reply
    await socket.send_to(text_data='{"type": "message", "body": "a\\u0000b", "client_id": "nul"}')
    reply = await receive(socket)
    assert (reply["type"], reply["code"]) == ("error", "bad_json")
    assert "NUL" in reply["message"]

    frames = await say(socket, "Still there?", "after")
    assert frames[-1]["type"] == "message" and frames[-1]["body"] == "Still there?"
    await socket.disconnect()
    bodies = await database_sync_to_async(list)(
        Message.objects.filter(sender="visitor").values_list("body", flat=True)
    )
    assert bodies == ["Still there?"]


@pytest.mark.parametrize("query", ["key=pk_a%00b", "key=%00", "a%00=1&key=KEY"])
async def test_a_nul_in_the_handshake_is_refused_not_a_server_error(website, query: str) -> None:
    """Issue 12: on PostgreSQL the site-key lookup raised DataError for a NUL in `?key=`."""
    from channels.testing import WebsocketCommunicator

    from enterprise_scanner.asgi import application

    headers = [(b"origin", b"https://www.enterprisescanner.com"), (b"host", b"chat.enterprisescanner.com")]
    path = "/ws/chat/?" + query.replace("KEY", website.publishable_key)
    connected, _ = await WebsocketCommunicator(application, path, headers=headers).connect(timeout=10)
    assert not connected


async def test_a_nul_in_the_agent_session_cookie_is_refused(rep) -> None:
    from channels.testing import WebsocketCommunicator

    from enterprise_scanner.asgi import application

    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", b'sessionid="abcdefgh\\000ijkl"'),
    ]
    connected, _ = await WebsocketCommunicator(application, "/ws/agent/", headers=headers).connect(timeout=10)
    assert not connected


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://www.enterprisescanner.com",
        "https://www.enterprisescanner.com:8443",
        "",
    ],
)
async def test_a_foreign_origin_is_refused(website, origin: str) -> None:
    socket = visitor_socket(website, origin=origin)
    connected, _ = await socket.connect()
    assert not connected


async def test_an_unknown_or_disabled_site_key_is_refused(website) -> None:
    connected, _ = await visitor_socket(website, key="pk_unknown").connect()
    assert not connected
    connected, _ = await visitor_socket(website, key="").connect()
    assert not connected
    await database_sync_to_async(website_update)(website=website, is_active=False)
    connected, _ = await visitor_socket(website).connect()
    assert not connected


async def test_an_anonymous_socket_cannot_read_another_conversation(website) -> None:
    alice = visitor_socket(website)
    alice_welcome = await start(alice)
    await receive(alice)
    await say(alice, "My account number is 12345", "a1")
    await receive(alice)  # the bot's reply

    # Without Alice's token, a guessed id or token gets nothing.
    mallory = visitor_socket(website)
    assert (await mallory.connect())[0]
    for token in (alice_welcome["conversation"], "guess", "x" * 500):
        await mallory.send_json_to({"type": "hello", "token": token, "last_seq": 0})
        reply = await receive(mallory)
        assert (reply["type"], reply["code"]) == ("error", "unknown_conversation")
    # Her own conversation never shows Alice's messages, and Alice's new ones do not reach her.
    mine = await start(mallory, visitor_id="m")
    assert mine["conversation"] != alice_welcome["conversation"]
    greeting = await receive(mallory)
    assert greeting["seq"] == 1
    await say(alice, "Another secret", "a2")
    assert await nothing_more(mallory)

    # Alice's real token is useless with another website's key, even from that site's origin.
    other_site = await database_sync_to_async(website_create)(
        name="Partner site", allowed_origins=["https://partner.example"]
    )
    thief = visitor_socket(other_site, origin="https://partner.example")
    assert (await thief.connect())[0]
    await thief.send_json_to({"type": "hello", "token": alice_welcome["token"]})
    assert (await receive(thief))["code"] == "unknown_conversation"
    for socket in (alice, mallory, thief):
        await socket.disconnect()


async def test_typing_and_read_signals_reach_the_other_side_only(website, rep) -> None:
    from .sockets import agent_socket

    visitor = visitor_socket(website)
    welcome = await start(visitor)
    await receive(visitor)
    agent = await database_sync_to_async(agent_socket)(rep)
    assert (await agent.connect())[0]
    assert (await receive(agent))["type"] == "queue"
    await agent.send_json_to({"type": "open", "conversation": welcome["conversation"]})
    assert (await receive(agent))["type"] == "conversation"
    assert (await receive(agent))["seq"] == 1

    await visitor.send_json_to({"type": "typing", "active": True})
    typing = await receive(agent)
    assert typing == {
        "type": "typing",
        "from": "visitor",
        "active": True,
        "conversation": welcome["conversation"],
    }
    assert await nothing_more(visitor)  # not echoed to the typist
    await agent.send_json_to({"type": "typing", "conversation": welcome["conversation"], "active": True})
    typing = await receive(visitor)
    assert (typing["from"], typing["agent"], typing["active"]) == ("agent", "Dana", True)
    await visitor.send_json_to({"type": "read", "seq": 1})
    assert (await receive(agent))["type"] == "read"
    await visitor.disconnect()
    await agent.disconnect()


async def test_the_heartbeat_delivers_anything_a_lost_broadcast_left_out(website) -> None:
    socket = visitor_socket(website)
    welcome = await start(socket)
    await receive(socket)  # greeting, seq 1

    def store_without_broadcast() -> None:
        conversation = Conversation.objects.get(pk=welcome["conversation"])
        Message.objects.create(conversation=conversation, sequence=2, sender="agent", body="Are you there?")
        Conversation.objects.filter(pk=conversation.pk).update(last_sequence=2)

    await database_sync_to_async(store_without_broadcast)()
    assert await nothing_more(socket)
    await socket.send_json_to({"type": "ping"})
    missed = await receive(socket)
    assert (missed["seq"], missed["body"]) == (2, "Are you there?")
    assert (await receive(socket))["type"] == "pong"
    await socket.disconnect()


async def test_a_lead_known_only_from_the_visitor_id_gets_no_transcript_without_an_address(website) -> None:
    def known_visitor() -> None:
        from analytics.models import Visitor
        from leads.tests.factories import LeadFactory

        Visitor.objects.create(
            website=website, anonymous_id="v-known", lead=LeadFactory(email="ceo@acme-corp.com")
        )

    await database_sync_to_async(known_visitor)()
    socket = visitor_socket(website)
    await start(socket, visitor_id="v-known")  # anyone can send any visitor id
    await receive(socket)
    await socket.send_json_to({"type": "close"})
    assert (await receive(socket))["type"] == "closed"
    await socket.send_json_to({"type": "transcript"})
    assert (await receive(socket))["code"] == "email_required"
    await socket.disconnect()
