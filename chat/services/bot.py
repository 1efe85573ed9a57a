"""The bot's side of a conversation: what it decides about each visitor message (identify the
visitor, escalate, collect a buying intent for sales, answer from the knowledge base) and what
it then says."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, IntegerField, JSONField, TextField
from django.db.models.expressions import RawSQL
from django.urls import reverse

from .. import selectors
from ..bot import intents, retrieval
from ..bot.understand import Reading, read_message
from ..models import Conversation, ConversationStatus, EscalationReason, Message, MessageSender
from .conversations import conversation_identify
from .crm import escalation_for_lead
from .escalation import conversation_escalate
from .messages import message_post, message_store_locked
from .sales import SalesState, sales_answer, sales_left, sales_pending, sales_start

DONT_KNOW = (
    "I'm not sure about that one, and I'd rather not guess. I can bring in a colleague (just ask "
    "for a person), or leave your e-mail address and someone will follow up by e-mail."
)


@dataclass
class BotTurn:
    """What the bot decided about one visitor message. When `question` is set the caller
    (chat.bot.respond) posts an answer with `bot_answer_post`, optionally phrased by the LLM."""

    question: str = ""
    answer: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    #: The retrieved passages, (title, passage): all an optional LLM may phrase the answer from.
    articles: list[tuple[str, str]] = field(default_factory=list)
    confidence: float = 0.0
    #: What the bot already said while deciding ("How can I help?"), for the consumer to deliver.
    reply: Message | None = None
    #: With a question: the conversation row as the plan locked and left it, for `bot_reply` to
    #: post the answer in the same transaction without locking and reading it again (a turn
    #: that asks a question stored no message while deciding, so its last_sequence is current).
    locked: Conversation | None = field(default=None, repr=False, compare=False)


def _escalation_reason(conversation: Conversation, reading: Reading, text: str) -> EscalationReason | None:
    """Why this message hands the chat to a person, if it does: the lead (Fortune 500, high
    score), or the visitor asking for a person (really asking: see `understand.read_message`)
    or being unhappy."""
    reason = escalation_for_lead(conversation.lead) if conversation.lead is not None else None
    if reason is None and reading.kind == "person":
        reason = EscalationReason.ASKED_FOR_HUMAN
    if reason is None and intents.is_unhappy(text):
        reason = EscalationReason.UNHAPPY
    return reason


def _bot_says(conversation: Conversation, body: str, metadata: dict | None = None) -> BotTurn:
    reply, _ = message_post(
        conversation_id=conversation.pk, sender=MessageSender.BOT, body=body, metadata=metadata
    )
    return BotTurn(reply=reply)


def _sales_says(conversation: Conversation, said: tuple[str, SalesState | None], reading: Reading) -> BotTurn:
    """The bot's line while collecting a buying intent; for pricing or a trial it leads with the
    knowledge base's answer when there is a confident one."""
    text, state = said
    metadata: dict = {"answered": True}
    if state is not None:
        metadata["sales"] = state.as_metadata()
    if reading.kind == "buying" and (best := reading.best) is not None:
        text = f"{best.passage} {text}"
        metadata["sources"] = [_source(best)]
    return _bot_says(conversation, text, metadata)


def _source(match: retrieval.Match) -> dict[str, str]:
    """The answer's source: the article, with the absolute address of its help page (the widget
    runs on the customer's site, so a relative link would point there)."""
    url = settings.SITE_URL + reverse("help-article", args=[match.article.slug])
    return {"title": match.article.title, "slug": match.article.slug, "url": url}


def _answer_turn(conversation: Conversation, question: str, reading: Reading, *, identified: bool) -> BotTurn:
    """What is left to say (or already said) about a question."""
    if identified and reading.kind != "answer":
        # "Sure, it's jane@acme.com": the point was the address, not a question.
        return _bot_says(
            conversation, "Thank you! We have noted your e-mail address. What would you like to know?"
        )
    if reading.kind == "chat":
        # "hello", "thanks": nothing to look up, but never leave the visitor hanging
        return _bot_says(
            conversation, "How can I help? Ask me about our assessments, pricing or integrations."
        )
    if reading.kind != "answer" or reading.best is None:
        return BotTurn(question=question, locked=conversation)
    best = reading.best
    return BotTurn(
        question=question,
        answer=best.passage,
        sources=[_source(best)],
        articles=[(m.article.title, m.passage) for m in reading.matches],
        confidence=best.confidence,
        locked=conversation,
    )


_VERSION = tuple(f"turn_knowledge_{i}" for i in range(len(retrieval.VERSION_PARAMS)))


@functools.cache
def _turn_reads() -> dict[str, RawSQL]:
    """What a bot turn reads besides the conversation, as scalar subqueries of the query that
    locks it, written once from the models' table and column names: the visitor's message
    (its body), the last bot message's metadata (where a sales conversation stands), the
    highest sequence number stored (to tell whether those reads are current, see
    `_sales_state`) and the knowledge base's version. One round trip instead of four."""
    quote = connection.ops.quote_name
    messages, conversations = quote(Message._meta.db_table), quote(Conversation._meta.db_table)

    def column(model: type, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    of_conversation = f"{column(Message, 'conversation')} = {conversations}.{column(Conversation, 'id')}"
    sequence = column(Message, "sequence")
    reads = {
        # Quoted names from the models; every value is a parameter.
        "turn_message_body": RawSQL(  # noqa: S611 - quoted names from the models, values are parameters
            f"SELECT {column(Message, 'body')} FROM {messages} "  # noqa: S608
            f"WHERE {column(Message, 'id')} = %s AND {of_conversation}",
            (None,),  # the message id, bound per call
            output_field=TextField(),
        ),
        "turn_last_bot_metadata": RawSQL(  # noqa: S611 - quoted names from the models, values are parameters
            f"SELECT {column(Message, 'metadata')} FROM {messages} "  # noqa: S608
            f"WHERE {of_conversation} AND {column(Message, 'sender')} = %s "
            f"ORDER BY {sequence} DESC LIMIT 1",
            (MessageSender.BOT.value,),
            output_field=JSONField(),
        ),
        "turn_last_stored": RawSQL(  # noqa: S611 - quoted names from the models, values are parameters
            f"SELECT MAX({sequence}) FROM {messages} WHERE {of_conversation}",  # noqa: S608
            (),
            output_field=IntegerField(),
        ),
    }
    for name, sql, params in zip(_VERSION, retrieval.version_parts(), retrieval.VERSION_PARAMS, strict=True):
        # A plain Field has no converter: the values as the database returns them, which is how
        # retrieval._version reads them (the index cache compares the two).
        reads[name] = RawSQL(sql, params, output_field=Field())  # noqa: S611
    return reads


def _lock_for_turn(*, conversation_id: uuid.UUID | str, message_id: int) -> Conversation:
    """The conversation, locked, with its lead and company and the turn's reads (`_turn_reads`)
    as attributes `turn_…`."""
    reads = dict(_turn_reads())
    body = reads["turn_message_body"]
    reads["turn_message_body"] = RawSQL(body.sql, (message_id,), output_field=body.output_field)  # noqa: S611
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("lead__company")
        .annotate(**reads)
        .get(pk=conversation_id)
    )


def _sales_read(conversation: Conversation) -> tuple[dict | None] | None:
    """The lock query's read of the last bot message's metadata (in a 1-tuple: it may be None,
    no bot message yet), or None when that read may be stale and `sales_pending` must read it
    again. On PostgreSQL the lock query's subqueries see the database as it was when the query
    started, but the locked row as it is once the lock is granted: if another transaction stored
    a message of this conversation while this one waited for the lock, the highest sequence
    number the subqueries saw is below the row's `last_sequence` (every message takes its
    number under the row's lock and commits with it)."""
    if conversation.turn_last_stored == conversation.last_sequence:
        return (conversation.turn_last_bot_metadata,)
    return None


# savepoint=False: inside bot_reply's transaction a savepoint would only add two statements per
# turn on the one database thread all sockets share (nothing catches an error between the two).
@transaction.atomic(savepoint=False)
def bot_turn_plan(*, conversation_id: uuid.UUID | str, message_id: int) -> BotTurn:
    """Handle a visitor message while the bot has the conversation: identify an e-mail address,
    escalate when a trigger fires (Fortune 500 or high score, asks for a person, unhappy),
    collect a buying intent's details for sales, or look up an answer. Returns what is left for
    the bot to say."""
    conversation = _lock_for_turn(conversation_id=conversation_id, message_id=message_id)
    if conversation.turn_message_body is None:
        raise Message.DoesNotExist(f"No message {message_id} in conversation {conversation_id}.")
    if conversation.status == ConversationStatus.CLOSED or conversation.assigned_agent_id:
        return BotTurn()
    text = conversation.turn_message_body
    knowledge_version = tuple(getattr(conversation, name) for name in _VERSION)
    sales_read = _sales_read(conversation)
    email = intents.find_email(text)
    identified = False
    if email and (conversation.lead is None or conversation.lead.email.lower() != email.lower()):
        conversation = conversation_identify(conversation=conversation, email=email)
        identified = True
    question = intents.without_emails(text).strip()
    reading = read_message(question, knowledge_version=knowledge_version)
    if conversation.escalated_at is None:
        if (reason := _escalation_reason(conversation, reading, text)) is not None:
            conversation_escalate(conversation_id=conversation.pk, reason=reason)
            return BotTurn()
    elif conversation.status == ConversationStatus.WAITING and (
        reading.kind == "person" or intents.is_unhappy(text)
    ):
        return BotTurn()  # already waiting for a person; the escalation message said so
    state = sales_pending(conversation) if sales_read is None else SalesState.from_metadata(sales_read[0])
    if state is not None:
        said = sales_answer(conversation, state, question, reading=reading, identified=identified)
        if said is not None:
            return _sales_says(conversation, said, Reading("chat"))
        sales_left(conversation, state)
    if reading.kind == "buying":
        return _sales_says(conversation, sales_start(conversation, reading), reading)
    return _answer_turn(conversation, question, reading, identified=identified)


@transaction.atomic(savepoint=False)
def bot_answer_post(
    *, conversation_id: uuid.UUID | str, turn: BotTurn, phrased: str | None = None
) -> Message | None:
    """Post the bot's answer (or that it does not know). The second unanswered question in a
    conversation escalates it to a person."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.status == ConversationStatus.CLOSED or conversation.assigned_agent_id:
        return None  # an agent took over while the bot was thinking
    return _answer_post_locked(conversation, turn, phrased)


def _answer_post_locked(conversation: Conversation, turn: BotTurn, phrased: str | None = None) -> Message:
    """bot_answer_post's write, for a caller holding the conversation's row lock in this
    transaction and having checked that the bot still has the conversation."""
    if turn.answer:
        return message_store_locked(
            conversation=conversation,
            sender=MessageSender.BOT,
            body=phrased or turn.answer,
            metadata={
                "answered": True,
                "sources": turn.sources,
                "phrased": bool(phrased),
                "confidence": turn.confidence,
            },
        )
    message = message_store_locked(
        conversation=conversation,
        sender=MessageSender.BOT,
        body=DONT_KNOW,
        metadata={"answered": False},
    )
    unanswered = selectors.bot_unanswered_count(conversation=conversation)
    if unanswered >= 2 and conversation.escalated_at is None:
        conversation_escalate(conversation_id=conversation.pk, reason=EscalationReason.BOT_FAILED)
    return message


@transaction.atomic
def bot_reply(*, conversation_id: uuid.UUID | str, message_id: int) -> Message | None:
    """The bot's whole turn in one transaction, when nothing has to happen between deciding and
    posting (no LLM to phrase the answer): half the transactions of plan + post. Returns what
    the bot said, if anything (an escalation notice goes out as a broadcast)."""
    turn = bot_turn_plan(conversation_id=conversation_id, message_id=message_id)
    if not turn.question:
        return turn.reply
    if turn.locked is None:  # pragma: no cover - every question turn carries its locked row
        return bot_answer_post(conversation_id=conversation_id, turn=turn)
    # The plan's lock is still held (same transaction) and it checked status and agent under it.
    return _answer_post_locked(turn.locked, turn)
