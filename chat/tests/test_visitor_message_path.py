"""The visitor's message path: on PostgreSQL one statement stores it (`_visitor_message_insert`),
elsewhere (and for resends, closed or unknown conversations) the locked general path does. Both
must leave the same rows, answer the same and broadcast the same; these tests run on either
database (the one-statement path is used only on PostgreSQL)."""

from __future__ import annotations

import functools
import uuid
from typing import Any

import pytest
from django.db import connection

from chat import services
from chat.errors import ChatError
from chat.events import collecting_broadcasts
from chat.models import Conversation, Message
from chat.services import messages as message_services
from enterprise_scanner.tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

BODIES = ["Hello?", "  How much does it cost?  ", "Is there a trial?", "Hello?"]


def _conversation(website: Any) -> Conversation:
    with collecting_broadcasts():
        return services.conversation_start(website=website)[0]


def _post(conversation: Conversation, body: str, client_id: str) -> tuple[tuple[Message, bool], list]:
    with collecting_broadcasts() as broadcasts:
        result = services.visitor_message_post(
            conversation_id=conversation.pk, body=body, client_message_id=client_id
        )
    return result, broadcasts


def _script(conversation: Conversation) -> list[Any]:
    """Messages, a resend, messages without a client id, then a closed conversation: what each
    call answered and broadcast, with ids and times left out."""
    outcome: list[Any] = []
    for n, body in enumerate(BODIES):
        (message, created), broadcasts = _post(conversation, body, f"c{n}")
        outcome.append((message.sequence, message.body, message.client_message_id, created, broadcasts))
    (message, created), broadcasts = _post(conversation, "ignored", "c1")  # a resend
    outcome.append((message.sequence, message.body, created, broadcasts))
    for _ in range(2):
        (message, created), _ = _post(conversation, "no id", "")
        outcome.append((message.sequence, created))
    with collecting_broadcasts():
        services.conversation_close(conversation_id=conversation.pk)
    (message, created), _ = _post(conversation, "after close", "c2")  # a resend is still answered
    outcome.append((message.sequence, created))
    with pytest.raises(ChatError) as refused:
        _post(conversation, "after close", "c9")
    outcome.append(refused.value.code)
    conversation.refresh_from_db()
    rows = list(
        conversation.messages.order_by("sequence").values_list(
            "sequence", "sender", "body", "client_message_id", "metadata", "agent_id"
        )
    )
    return [_without_ids(outcome), rows, conversation.last_sequence, conversation.status]


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("sent_at", "conversation")}
    if isinstance(value, list | tuple):
        return type(value)(_without_ids(v) for v in value)
    if isinstance(value, str) and value.startswith("chat.conversation."):
        return "group"
    return value


def test_the_one_statement_path_stores_answers_and_broadcasts_as_the_locked_path(
    website, monkeypatch
) -> None:
    fast = _script(_conversation(website))
    monkeypatch.setattr(message_services, "_visitor_message_insert", lambda **kwargs: None)
    general = _script(_conversation(website))
    assert fast == general
    assert fast[1][-1][0] == fast[2]  # the last stored message carries the conversation's number


def test_the_one_statement_path_is_taken_on_postgresql_only_outside_a_transaction(website) -> None:
    conversation = _conversation(website)
    stored = message_services._visitor_message_insert(
        conversation_id=conversation.pk, body="Hi", client_id="a"
    )
    if connection.vendor != "postgresql":
        assert stored is None
        return
    assert stored is not None and stored.sequence == 2
    assert Message.objects.get(pk=stored.pk).created_at == stored.created_at
    assert not stored._state.adding  # saving it again updates the row, as for an ORM-created one
    assert (
        message_services._visitor_message_insert(conversation_id=conversation.pk, body="Hi", client_id="a")
        is None
    )
    assert (
        message_services._visitor_message_insert(conversation_id=uuid.uuid4(), body="Hi", client_id="b")
        is None
    )


def test_concurrent_visitor_messages_and_resends_keep_numbers_gapless(website) -> None:
    """Two sockets of one conversation sending the same client ids at the same time (a resend
    racing its original) and other writers: each message is stored once, numbers 1..n."""
    conversation = _conversation(website)
    errors: list[BaseException] = []

    def send(tag: str) -> None:
        try:
            for n in range(6):
                with collecting_broadcasts():
                    services.visitor_message_post(
                        conversation_id=conversation.pk, body=f"message {n}", client_message_id=f"same-{n}"
                    )
                    services.message_post(conversation_id=conversation.pk, sender="bot", body=f"{tag} {n}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    run_at_once([functools.partial(send, tag) for tag in ("a", "b", "c")])
    assert errors == []
    sequences = list(conversation.messages.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, 1 + 1 + 6 + 18))
    assert conversation.messages.filter(sender="visitor").count() == 6
    assert Conversation.objects.get(pk=conversation.pk).last_sequence == sequences[-1]
