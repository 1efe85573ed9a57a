"""The bot's side of a conversation: what it decides about each visitor message (identify the
visitor, escalate, answer from the knowledge base) and what it then says."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction

from .. import selectors
from ..bot import intents, retrieval
from ..models import Conversation, ConversationStatus, EscalationReason, Message, MessageSender
from .conversations import conversation_identify
from .crm import escalation_for_lead
from .escalation import conversation_escalate
from .messages import message_post, message_store_locked

DONT_KNOW = (
    "Sorry, I don't know the answer to that. Could you put it another way? You can also ask to "
    "talk to a person."
)


@dataclass
class BotTurn:
    """What the bot decided about one visitor message. When `question` is set the caller
    (chat.bot.respond) posts an answer with `bot_answer_post`, optionally phrased by the LLM."""

    question: str = ""
    answer: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    articles: list[tuple[str, str]] = field(default_factory=list)
    #: What the bot already said while deciding ("How can I help?"), for the consumer to deliver.
    reply: Message | None = None


def _escalation_reason(conversation: Conversation, text: str) -> EscalationReason | None:
    """Why this message hands the chat to a person, if it does: the lead (Fortune 500, high
    score), or the visitor asking for a person or being unhappy."""
    reason = escalation_for_lead(conversation.lead) if conversation.lead is not None else None
    if reason is None and intents.asks_for_human(text):
        reason = EscalationReason.ASKED_FOR_HUMAN
    if reason is None and intents.is_unhappy(text):
        reason = EscalationReason.UNHAPPY
    return reason


def _bot_says(conversation: Conversation, body: str) -> BotTurn:
    reply, _ = message_post(conversation_id=conversation.pk, sender=MessageSender.BOT, body=body)
    return BotTurn(reply=reply)


def _answer_turn(conversation: Conversation, question: str, *, identified: bool) -> BotTurn:
    """Look the question up; what is left to say (or already said) about it."""
    matches = retrieval.search(question)
    if identified and not matches:
        # "Sure, it's jane@acme.com": the point was the address, not a question.
        return _bot_says(
            conversation, "Thank you! We have noted your e-mail address. What would you like to know?"
        )
    if not retrieval.content_words(question):
        # "hello", "thanks": nothing to look up, but never leave the visitor hanging
        return _bot_says(
            conversation, "How can I help? Ask me about our assessments, pricing or integrations."
        )
    if not matches:
        return BotTurn(question=question)
    return BotTurn(
        question=question,
        answer=matches[0].article.answer,
        sources=[{"title": m.article.title, "slug": m.article.slug} for m in matches],
        articles=[(m.article.title, m.article.answer) for m in matches],
    )


@transaction.atomic
def bot_turn_plan(*, conversation_id: uuid.UUID | str, message_id: int) -> BotTurn:
    """Handle a visitor message while the bot has the conversation: identify an e-mail address,
    escalate when a trigger fires (Fortune 500 or high score, asks for a person, unhappy), or
    look up an answer. Returns what is left for the bot to say."""
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
    if conversation.escalated_at is None:
        if (reason := _escalation_reason(conversation, text)) is not None:
            conversation_escalate(conversation_id=conversation.pk, reason=reason)
            return BotTurn()
    elif conversation.status == ConversationStatus.WAITING and (
        intents.asks_for_human(text) or intents.is_unhappy(text)
    ):
        return BotTurn()  # already waiting for a person; the escalation message said so
    return _answer_turn(conversation, intents.without_emails(text).strip(), identified=identified)


@transaction.atomic
def bot_answer_post(
    *, conversation_id: uuid.UUID | str, turn: BotTurn, phrased: str | None = None
) -> Message | None:
    """Post the bot's answer (or that it does not know). The second unanswered question in a
    conversation escalates it to a person."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.status == ConversationStatus.CLOSED or conversation.assigned_agent_id:
        return None  # an agent took over while the bot was thinking
    if turn.answer:
        return message_store_locked(
            conversation=conversation,
            sender=MessageSender.BOT,
            body=phrased or turn.answer,
            metadata={"answered": True, "sources": turn.sources, "phrased": bool(phrased)},
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
    return bot_answer_post(conversation_id=conversation_id, turn=turn)
