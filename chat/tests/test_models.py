"""Chat invariants: ordered, de-duplicated messages and valid ratings, enforced by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.models import Conversation, EscalationReason, Message

pytestmark = pytest.mark.django_db


def test_sequence_numbers_are_unique_per_conversation() -> None:
    a, b = Conversation.objects.create(), Conversation.objects.create()
    Message.objects.create(conversation=a, sequence=1, sender="visitor", body="Hi")
    Message.objects.create(conversation=b, sequence=1, sender="visitor", body="Hi")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(conversation=a, sequence=1, sender="bot", body="Hello")


def test_a_resent_client_message_id_cannot_be_stored_twice() -> None:
    conversation = Conversation.objects.create()
    Message.objects.create(
        conversation=conversation, sequence=1, sender="visitor", body="Hi", client_message_id="c1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            conversation=conversation, sequence=2, sender="visitor", body="Hi", client_message_id="c1"
        )
    # Messages without a client id (bot, agent) are not de-duplicated.
    Message.objects.create(conversation=conversation, sequence=3, sender="bot", body="a")
    Message.objects.create(conversation=conversation, sequence=4, sender="bot", body="b")
    assert conversation.messages.count() == 3


@pytest.mark.parametrize("rating", [0, 6])
def test_csat_outside_1_to_5_is_rejected(rating: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(csat_rating=rating)


def test_escalation_needs_a_reason() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(escalated_at=timezone.now())
    Conversation.objects.create(escalated_at=timezone.now(), escalation_reason=EscalationReason.FORTUNE_500)


def test_sequence_starts_at_one() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(conversation=Conversation.objects.create(), sequence=0, sender="bot", body="x")
