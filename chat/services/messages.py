"""Storing messages: sequence numbers without gaps or duplicates, safe resends, and the checks
on what a visitor or agent typed."""

from __future__ import annotations

import functools
import re
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .. import events, selectors
from ..errors import ChatError
from ..models import Conversation, ConversationStatus, Message, MessageSender

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def clean_body(body: Any) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ChatError("invalid_message", "A message needs some text.")
    body = body.strip()
    if len(body) > settings.CHAT_MESSAGE_MAX_LENGTH:
        raise ChatError(
            "message_too_long",
            f"Messages can be at most {settings.CHAT_MESSAGE_MAX_LENGTH} characters long.",
        )
    return body


def clean_client_id(client_id: Any) -> str:
    if client_id in (None, ""):
        return ""
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise ChatError("invalid_client_id", "client_id must be 1–64 letters, digits or _.:-")
    return client_id


@transaction.atomic
def message_post(
    *,
    conversation_id: uuid.UUID | str,
    sender: MessageSender | str,
    body: str,
    client_message_id: str = "",
    agent: AbstractBaseUser | None = None,
    metadata: dict[str, Any] | None = None,
) -> tuple[Message, bool]:
    """Store a message with the conversation's next sequence number, then broadcast it.

    Returns (message, created). A resend with a `client_message_id` already stored returns the
    stored message and stores nothing, so a client that did not hear the echo can safely resend.
    The conversation row is locked while the number is taken, so sequence numbers have no gaps
    and no duplicates whatever the concurrency.
    """
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if (
        resent := selectors.message_resent(conversation=conversation, client_message_id=client_message_id)
    ) is not None:
        return resent, False
    return message_store_locked(
        conversation=conversation,
        sender=sender,
        body=body,
        client_message_id=client_message_id,
        agent=agent,
        metadata=metadata,
    ), True


def message_store_locked(
    *,
    conversation: Conversation,
    sender: MessageSender | str,
    body: str,
    client_message_id: str = "",
    agent: AbstractBaseUser | None = None,
    metadata: dict[str, Any] | None = None,
) -> Message:
    """message_post's write, for callers that already hold the conversation's row lock (taken
    in this transaction with select_for_update) and have checked for a resend: on PostgreSQL
    one statement (`_locked_insert`), elsewhere two queries (sequence, insert)."""
    if _store_in_one_statement():
        message = _locked_insert(
            conversation=conversation,
            sender=sender,
            body=body,
            client_message_id=client_message_id,
            agent=agent,
            metadata=metadata or {},
        )
        events.broadcast_on_commit(
            events.conversation_group(conversation.pk), events.message_payload(message)
        )
        return message
    sequence = conversation.last_sequence + 1
    conversation.last_sequence, conversation.updated_at = sequence, timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(
        last_sequence=sequence, updated_at=conversation.updated_at
    )
    message = Message.objects.create(
        conversation=conversation,
        sequence=sequence,
        sender=sender,
        agent=agent,
        body=body,
        client_message_id=client_message_id,
        metadata=metadata or {},
    )
    events.broadcast_on_commit(events.conversation_group(conversation.pk), events.message_payload(message))
    return message


def _store_in_one_statement() -> bool:
    """Whether `message_store_locked` writes with `_locked_insert` (PostgreSQL: the CTE and
    RETURNING it needs; the equivalence tests switch it off to compare with the ORM path)."""
    return connection.vendor == "postgresql"


def _column(model: type, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _sequenced_insert_sql(*, values: dict[str, str], condition: str = "") -> str:
    """One statement that takes a conversation's next sequence number and stores a message with
    it: the UPDATE (which locks the row, as select_for_update does) feeds the INSERT through a
    CTE, and both come back with RETURNING. `values` maps the message's other fields to SQL
    (parameters or constants); `condition` narrows which conversations may take a number (no
    row taken, nothing stored). Names are quoted from the models; every value is a parameter."""
    quote = connection.ops.quote_name
    conversations, messages = quote(Conversation._meta.db_table), quote(Message._meta.db_table)
    last_sequence = _column(Conversation, "last_sequence")
    columns = ", ".join(_column(Message, name) for name in ("conversation", "sequence", *values))
    return (
        f"WITH taken AS (UPDATE {conversations} SET {last_sequence} = {last_sequence} + 1, "  # noqa: S608
        f"{_column(Conversation, 'updated_at')} = %(now)s "
        f"WHERE {_column(Conversation, 'id')} = %(conversation)s{condition} "
        f"RETURNING {_column(Conversation, 'id')} AS id, {last_sequence} AS sequence) "
        f"INSERT INTO {messages} ({columns}) "
        f"SELECT id, sequence, {', '.join(values.values())} "
        f"FROM taken RETURNING {_column(Message, 'id')}, {_column(Message, 'sequence')}"
    )


@functools.cache
def _locked_insert_sql() -> str:
    """`_locked_insert`'s statement: the caller holds the row lock, so no condition."""
    return _sequenced_insert_sql(
        values={
            "sender": "%(sender)s",
            "agent": "%(agent)s",
            "body": "%(body)s",
            "client_message_id": "%(client_id)s",
            "metadata": "%(metadata)s",
            "created_at": "%(now)s",
        }
    )


def _stored_message(*, message_id: int, **fields: Any) -> Message:
    """The Message a one-statement insert stored, as Message.objects.create would leave it (a
    later save() updates, never inserts)."""
    message = Message(id=message_id, **fields)
    message._state.adding, message._state.db = False, connection.alias
    return message


def _locked_insert(
    *,
    conversation: Conversation,
    sender: MessageSender | str,
    body: str,
    client_message_id: str,
    agent: AbstractBaseUser | None,
    metadata: dict[str, Any],
) -> Message:
    """On PostgreSQL, `message_store_locked`'s write in ONE statement: the UPDATE that takes
    the next sequence number feeds the INSERT (one round trip instead of two). The caller holds
    the row lock, so the number is the one the two-statement path would take; an error (a
    client id stored concurrently) fails the statement whole, as the ORM's INSERT would have
    failed the caller's transaction. The returned message is the row as stored, like
    Message.objects.create's."""
    now = timezone.now()
    metadata_field = Message._meta.get_field("metadata")
    params = {
        "now": now,
        "conversation": conversation.pk,
        "sender": str(sender),
        "agent": agent.pk if agent is not None else None,
        "body": body,
        "client_id": client_message_id,
        "metadata": metadata_field.get_db_prep_save(metadata, connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(_locked_insert_sql(), params)
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - the caller holds the lock of a row that exists
        raise Conversation.DoesNotExist(conversation.pk)
    conversation.last_sequence, conversation.updated_at = row[1], now
    return _stored_message(
        message_id=row[0],
        conversation=conversation,
        sequence=row[1],
        sender=sender,
        agent=agent,
        body=body,
        client_message_id=client_message_id,
        metadata=metadata,
        created_at=now,
    )


@functools.cache
def _visitor_insert_sql() -> str:
    """`_visitor_message_insert`'s statement: only for a conversation that is not closed and has
    no message with this client id yet (a resend stores nothing)."""
    quote = connection.ops.quote_name
    messages = quote(Message._meta.db_table)
    return _sequenced_insert_sql(
        values={
            "sender": "%(sender)s",
            "body": "%(body)s",
            "client_message_id": "%(client_id)s",
            "metadata": "'{}'::jsonb",
            "created_at": "%(now)s",
        },
        condition=(
            f" AND {_column(Conversation, 'status')} <> %(closed)s "  # noqa: S608 - quoted names only
            f"AND NOT EXISTS (SELECT 1 FROM {messages} WHERE {_column(Message, 'conversation')} = %(conversation)s "
            f"AND {_column(Message, 'client_message_id')} = %(client_id)s AND %(client_id)s <> '')"
        ),
    )


def _visitor_message_insert(*, conversation_id: uuid.UUID | str, body: str, client_id: str) -> Message | None:
    """On PostgreSQL, the common case of `visitor_message_post` in ONE statement, committed on
    its own: take the next sequence number (the UPDATE locks the row, as select_for_update does)
    and insert the message, provided the conversation exists, is not closed and has no message
    with this client id. That is 1 round trip and 1 commit instead of 6 (BEGIN, lock, resend
    check, sequence, insert, COMMIT): the wait a visitor sees on a busy server. Returns None
    when the statement stored nothing (closed, unknown, a resend) or a concurrent resend
    collided with the unique client id (the statement then failed whole, so no number was
    taken); the caller then runs the general path, which says which case it was."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None  # inside a caller's transaction a failed statement would abort it
    now = timezone.now()
    params = {
        "now": now,
        "conversation": uuid.UUID(str(conversation_id)),
        "closed": ConversationStatus.CLOSED.value,
        "client_id": client_id,
        "sender": MessageSender.VISITOR.value,
        "body": body,
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(_visitor_insert_sql(), params)
            row = cursor.fetchone()
    except IntegrityError:
        return None
    if row is None:
        return None
    message = _stored_message(
        message_id=row[0],
        conversation_id=params["conversation"],
        sequence=row[1],
        sender=MessageSender.VISITOR,
        body=body,
        client_message_id=client_id,
        metadata={},
        created_at=now,
    )
    events.broadcast_on_commit(events.conversation_group(conversation_id), events.message_payload(message))
    return message


def visitor_message_post(
    *, conversation_id: uuid.UUID | str, body: Any, client_message_id: Any = ""
) -> tuple[Message, bool]:
    """A visitor's message, validated; refused once the conversation is closed (except a resend
    of a message already stored, which is answered with the stored one). This is the path a
    visitor waits on: on PostgreSQL one statement (`_visitor_message_insert`), elsewhere, or
    when that stored nothing, four queries: lock, resend check, sequence, insert."""
    body, client_id = clean_body(body), clean_client_id(client_message_id)
    if (
        message := _visitor_message_insert(conversation_id=conversation_id, body=body, client_id=client_id)
    ) is not None:
        return message, True
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if (
            resent := selectors.message_resent(conversation=conversation, client_message_id=client_id)
        ) is not None:
            return resent, False
        if conversation.status == ConversationStatus.CLOSED:
            raise ChatError("conversation_closed", "This chat has ended; start a new one to write again.")
        message = message_store_locked(
            conversation=conversation, sender=MessageSender.VISITOR, body=body, client_message_id=client_id
        )
        return message, True
