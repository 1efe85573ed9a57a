"""The bot's turn in fewer round trips (services.bot_reply): the query that locks the
conversation also reads the visitor's message, the last bot message and the knowledge base's
version, and a message under the row lock is stored in one statement on PostgreSQL. These tests
run a conversation through the fast path and through the path before it (every read its own
query, the ORM's two-statement write) and require the same answers, rows and broadcasts, on
either database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from chat import services
from chat.bot import retrieval, understand
from chat.events import collecting_broadcasts
from chat.models import Conversation, KnowledgeArticle
from chat.services import bot as bot_services
from chat.services import messages as message_services

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = [
    "hello",
    "How much does it cost?",
    "someone@example.org",
    "Acme Widgets",
    "any time",
    "What is the airspeed velocity of an unladen swallow?",
    "Do you integrate with Splunk?",
    "What colour is the moon's far side?",
]


def _run(website: Any) -> list[Any]:
    """The script, a message and the bot's turn at a time: what the bot said and broadcast,
    then the stored rows, with ids and times left out."""
    with collecting_broadcasts():
        conversation = services.conversation_start(website=website)[0]
    said: list[Any] = []
    for n, body in enumerate(SCRIPT):
        with collecting_broadcasts() as broadcasts:
            message, _ = services.visitor_message_post(
                conversation_id=conversation.pk, body=body, client_message_id=f"c{n}"
            )
            reply = services.bot_reply(conversation_id=conversation.pk, message_id=message.pk)
        said.append(
            (
                None if reply is None else (reply.sequence, reply.sender, reply.body, reply.metadata),
                [_without_ids(b) for b in broadcasts],
            )
        )
    conversation = Conversation.objects.get(pk=conversation.pk)
    rows = list(
        conversation.messages.order_by("sequence").values_list(
            "sequence", "sender", "body", "client_message_id", "metadata", "agent_id"
        )
    )
    return [said, rows, conversation.last_sequence, conversation.status, conversation.escalation_reason]


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_ids(v)
            for k, v in value.items()
            if k not in ("sent_at", "conversation", "conversation_id", "id", "created_at", "lead_id")
        }
    if isinstance(value, list | tuple):
        return type(value)(_without_ids(v) for v in value)
    if isinstance(value, str) and value.startswith("chat.conversation."):
        return "group"
    return value


def test_the_fast_turn_says_stores_and_broadcasts_what_the_query_per_read_turn_did(
    website, articles, monkeypatch
) -> None:
    fast = _run(website)
    # The turn before: the last bot message read by its own query, the knowledge base's version
    # read by retrieval, the bot's message written by the ORM's UPDATE and INSERT.
    monkeypatch.setattr(bot_services, "_sales_read", lambda conversation: None)
    monkeypatch.setattr(message_services, "_store_in_one_statement", lambda: False)
    read = understand.read_message
    monkeypatch.setattr(bot_services, "read_message", lambda text, **kwargs: read(text))
    before = _run(website)
    assert fast == before
    assert fast[1][-1][0] == fast[2]  # the last stored message carries the conversation's number
    assert [row[0] for row in fast[1]] == list(range(1, fast[2] + 1))  # numbers without gaps
    assert any(reply and reply[3].get("sales") for reply, _ in fast[0])  # the sales path ran


def test_a_last_bot_message_read_before_the_lock_was_granted_is_read_again(website) -> None:
    """On PostgreSQL the lock query's subqueries may predate a message stored while it waited
    for the lock; the highest number they saw then lags the row's last_sequence."""
    with collecting_broadcasts():
        conversation = services.conversation_start(website=website)[0]
        message, _ = services.visitor_message_post(conversation_id=conversation.pk, body="hi")
    with transaction.atomic():
        locked = bot_services._lock_for_turn(conversation_id=conversation.pk, message_id=message.pk)
    assert locked.turn_message_body == "hi"
    assert bot_services._sales_read(locked) == (locked.turn_last_bot_metadata,)
    locked.turn_last_stored = locked.last_sequence - 1
    assert bot_services._sales_read(locked) is None


def test_the_knowledge_version_read_with_the_lock_is_retrievals_own(website, articles) -> None:
    """The two reads must agree, or each would rebuild the index the other cached; and an edit
    is seen by the next turn."""
    with collecting_broadcasts():
        conversation = services.conversation_start(website=website)[0]
        message, _ = services.visitor_message_post(conversation_id=conversation.pk, body="hi")

    def version() -> tuple:
        with transaction.atomic():
            locked = bot_services._lock_for_turn(conversation_id=conversation.pk, message_id=message.pk)
        return tuple(getattr(locked, name) for name in bot_services._VERSION)

    assert version() == retrieval._version()
    index = retrieval.knowledge_index(version())
    assert retrieval.knowledge_index() is index  # no rebuild between the two
    KnowledgeArticle.objects.filter(pk=articles[0].pk).update(is_published=False)
    assert version() == retrieval._version()
    assert retrieval.knowledge_index(version()) is not index


def test_a_missing_message_is_still_an_error(website) -> None:
    with collecting_broadcasts():
        conversation = services.conversation_start(website=website)[0]
    with pytest.raises(bot_services.Message.DoesNotExist):
        services.bot_reply(conversation_id=conversation.pk, message_id=987654)
