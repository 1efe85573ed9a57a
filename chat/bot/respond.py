"""The bot's turn after a visitor message, as the consumer runs it: decide (database), phrase
(optional LLM call, outside any transaction), post (database)."""

from __future__ import annotations

import uuid

from channels.db import database_sync_to_async

from chat import services

from .llm import llm_phrase


async def bot_respond(*, conversation_id: uuid.UUID | str, message_id: int) -> None:
    turn = await database_sync_to_async(services.bot_turn_plan)(
        conversation_id=conversation_id, message_id=message_id
    )
    if not turn.question:
        return
    phrased = await llm_phrase(question=turn.question, articles=turn.articles) if turn.answer else None
    await database_sync_to_async(services.bot_answer_post)(
        conversation_id=conversation_id, turn=turn, phrased=phrased
    )
