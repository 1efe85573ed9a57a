"""Every state change of a chat: one keyword-only function per action, by sub-domain.

Each is atomic and writes the database before anything is broadcast (events.broadcast_on_commit),
so what a visitor or agent sees has always been stored first. Consumers call these through
`chat.service_calls`; errors a client should hear about are raised as `ChatError`.

- conversations: start, identify (link a lead), close, rate
- messages: store a message in sequence (safe resends), a visitor's message
- bot: the bot's turn (decide, then answer)
- escalation: hand a chat to a person (alert sales), an agent's claim and reply
- transcripts: e-mail the visitor their chat
- presence: which agent consoles are open
- crm: the one door into the leads domain
- knowledge: the knowledge base's default synonyms
- sales: what the bot collects for sales on a buying intent (demo, call, pricing, quote, trial)
- hours: business hours (open now, next opening) for the widget and the bot
- offline: an offline message becomes a lead and an alert
- rollups: the chat report's daily rollups

This module re-exports the public names, so `from chat.services import x` and
`services.x` keep working wherever they are used. The sales alert itself is composed and sent by
`chat.mail` from a background job (`chat.tasks`); reads are in `chat.selectors` (the two
re-exported here, `conversation_resume` and `agents_online_count`, are kept for callers).
"""

from __future__ import annotations

from ..errors import ChatError
from ..mail import ALERT_SUBJECTS, conversation_send_alert
from ..selectors import agents_online_count, conversation_resume, token_hash
from .bot import DONT_KNOW, BotTurn, bot_answer_post, bot_reply, bot_turn_plan
from .conversations import (
    GREETING,
    conversation_close,
    conversation_identify,
    conversation_page_set,
    conversation_rate,
    conversation_start,
)
from .crm import BOT_ACTOR
from .escalation import agent_reply, conversation_claim, conversation_escalate
from .knowledge import knowledge_synonyms_seed
from .messages import CLIENT_ID, clean_body, clean_client_id, message_post, visitor_message_post
from .offline import offline_message_submit
from .presence import agent_session_close, agent_session_open, agent_session_touch
from .transcripts import MAX_TRANSCRIPTS, transcript_send

__all__ = [
    "ALERT_SUBJECTS",
    "BOT_ACTOR",
    "CLIENT_ID",
    "DONT_KNOW",
    "GREETING",
    "MAX_TRANSCRIPTS",
    "BotTurn",
    "ChatError",
    "agent_reply",
    "agent_session_close",
    "agent_session_open",
    "agent_session_touch",
    "agents_online_count",
    "bot_answer_post",
    "bot_reply",
    "bot_turn_plan",
    "clean_body",
    "clean_client_id",
    "conversation_claim",
    "conversation_close",
    "conversation_escalate",
    "conversation_identify",
    "conversation_page_set",
    "conversation_rate",
    "conversation_resume",
    "conversation_send_alert",
    "conversation_start",
    "knowledge_synonyms_seed",
    "message_post",
    "offline_message_submit",
    "token_hash",
    "transcript_send",
    "visitor_message_post",
]
