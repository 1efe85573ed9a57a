"""Focused tests of the chat services and selectors that the socket tests cannot pin down:
sequence numbers under concurrent writers, and the console queue's fixed query count."""

from __future__ import annotations

import functools

import pytest

from chat import selectors, services
from chat.models import Conversation, Message, MessageSender
from enterprise_scanner.tests.concurrency import run_at_once
from leads.tests.factories import LeadFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_gapless_unique_sequence_numbers(website) -> None:
    conversation, _ = services.conversation_start(website=website)  # the greeting is #1
    errors: list[BaseException] = []

    def post(sender: str) -> None:
        try:
            for n in range(8):
                services.message_post(
                    conversation_id=conversation.pk,
                    sender=sender,
                    body=f"{sender} {n}",
                    client_message_id=f"{sender}-{n}",
                )
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    run_at_once([functools.partial(post, s) for s in (MessageSender.VISITOR, MessageSender.AGENT, "bot")])
    assert errors == []
    sequences = list(Message.objects.filter(conversation=conversation).values_list("sequence", flat=True))
    assert sequences == list(range(1, 26))
    assert Conversation.objects.get(pk=conversation.pk).last_sequence == 25


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 25])
def test_the_console_queue_takes_a_fixed_number_of_queries(
    website, sales_rep, django_assert_max_num_queries, count: int
) -> None:
    for n in range(count):
        conversation = Conversation.objects.create(website=website, lead=LeadFactory())
        services.conversation_escalate(conversation_id=conversation.pk, reason="asked_for_human")
        if n % 2:
            services.conversation_claim(conversation_id=conversation.pk, agent=sales_rep)
    sales_rep = type(sales_rep).objects.get(pk=sales_rep.pk)  # no permission cache yet
    with django_assert_max_num_queries(5):
        queue = selectors.agent_queue(user=sales_rep)
    assert len(queue["waiting"]) + len(queue["mine"]) == count
    assert all(row["lead"]["company"] for row in queue["waiting"] + queue["mine"])


@pytest.mark.django_db
def test_sources_stored_as_bare_slugs_are_sent_in_the_protocols_shape(website) -> None:
    from chat.events import message_payload

    conversation, _ = services.conversation_start(website=website)
    message, _ = services.message_post(
        conversation_id=conversation.pk, sender=MessageSender.BOT, body="…", metadata={"sources": ["pricing"]}
    )
    assert message_payload(message)["sources"] == [{"title": "pricing", "slug": "pricing"}]
