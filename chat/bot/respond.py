"""The bot's turn after a visitor message, as the consumer runs it: decide (database), phrase
(optional LLM call, outside any transaction), post (database). Without an LLM, deciding and
posting are one transaction (services.bot_reply).

The consumer runs it in the background after it has acknowledged the visitor's message, so the
visitor's own message is shown as sent without waiting for the bot."""

from __future__ import annotations

import uuid

from chat import services
from chat.events import Broadcast
from chat.models import Message
from chat.service_calls import call_service

from .llm import llm_enabled, llm_phrase


async def bot_respond(
    *, conversation_id: uuid.UUID | str, message_id: int
) -> tuple[Message | None, list[Broadcast]]:
    """Returns the bot's reply (None when it stayed silent: an agent has the chat, or it
    escalated) and the broadcasts to send; an escalation notice reaches the socket through them."""
    if not llm_enabled():
        return await call_service(services.bot_reply, conversation_id=conversation_id, message_id=message_id)
    turn, broadcasts = await call_service(
        services.bot_turn_plan, conversation_id=conversation_id, message_id=message_id
    )
    if not turn.question:
        return turn.reply, broadcasts
    phrased = await llm_phrase(question=turn.question, articles=turn.articles) if turn.answer else None
    reply, more = await call_service(
        services.bot_answer_post, conversation_id=conversation_id, turn=turn, phrased=phrased
    )
    return reply, broadcasts + more
