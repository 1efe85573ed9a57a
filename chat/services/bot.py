"""The bot's side of a conversation: what it decides about each visitor message (identify the
visitor, escalate, collect a buying intent for sales, answer from the knowledge base) and what
it then says."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
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


# savepoint=False: inside bot_reply's transaction a savepoint would only add two statements per
# turn on the one database thread all sockets share (nothing catches an error between the two).
@transaction.atomic(savepoint=False)
def bot_turn_plan(*, conversation_id: uuid.UUID | str, message_id: int) -> BotTurn:
    """Handle a visitor message while the bot has the conversation: identify an e-mail address,
    escalate when a trigger fires (Fortune 500 or high score, asks for a person, unhappy),
    collect a buying intent's details for sales, or look up an answer. Returns what is left for
    the bot to say."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("lead__company")
        .get(pk=conversation_id)
    )
    message = Message.objects.get(pk=message_id, conversation=conversation)
    if conversation.status == ConversationStatus.CLOSED or conversation.assigned_agent_id:
        return BotTurn()
    text = message.body
    email = intents.find_email(text)
    identified = False
    if email and (conversation.lead is None or conversation.lead.email.lower() != email.lower()):
        conversation = conversation_identify(conversation=conversation, email=email)
        identified = True
    question = intents.without_emails(text).strip()
    reading = read_message(question)
    if conversation.escalated_at is None:
        if (reason := _escalation_reason(conversation, reading, text)) is not None:
            conversation_escalate(conversation_id=conversation.pk, reason=reason)
            return BotTurn()
    elif conversation.status == ConversationStatus.WAITING and (
        reading.kind == "person" or intents.is_unhappy(text)
    ):
        return BotTurn()  # already waiting for a person; the escalation message said so
    if (state := sales_pending(conversation)) is not None:
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
