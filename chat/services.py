"""Every state change of a chat: one keyword-only function per action.

Each is atomic and writes the database before anything is broadcast (events.broadcast_on_commit),
so what a visitor or agent sees has always been stored first. Consumers call these through
`database_sync_to_async`; errors a client should hear about are raised as `ChatError`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from analytics.models import Visitor, Website
from enterprise_scanner.jobs.mail import send_once
from enterprise_scanner.task_queue import enqueue_with_transaction
from leads.models import Lead, LeadEventKind, LeadSource
from leads.scoring import ScoringConfig
from leads.services import LeadSubmission, lead_event_record, lead_submit

from . import events, selectors
from .bot import intents, retrieval
from .models import (
    AgentSession,
    Conversation,
    ConversationStatus,
    EscalationReason,
    Message,
    MessageSender,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class ChatError(Exception):
    """A refusal the client is told about as an `error` event with this code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


GREETING = (
    "Hi! I'm the Enterprise Scanner assistant. Ask me about our security assessments, pricing or "
    "integrations, or ask to talk to a person."
)
DONT_KNOW = (
    "Sorry, I don't know the answer to that. Could you put it another way? You can also ask to "
    "talk to a person."
)
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_TRANSCRIPTS = 3
BOT_ACTOR = "chat bot"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Conversations ------------------------------------------------------------------------------


@transaction.atomic
def conversation_start(*, website: Website, visitor_id: str = "") -> tuple[Conversation, str]:
    """Open a conversation for a visitor of `website`; returns it and its resume token.

    The token is shown to the visitor once and stored only as a hash: it is the visitor's only
    key to the conversation, so one visitor can never read another's chat.
    """
    token = secrets.token_urlsafe(32)
    visitor = None
    if visitor_id:
        visitor, _ = Visitor.objects.get_or_create(website=website, anonymous_id=visitor_id[:64])
    conversation = Conversation.objects.create(
        website=website,
        visitor=visitor,
        lead=visitor.lead if visitor is not None else None,
        token_hash=token_hash(token),
    )
    if conversation.lead is not None:
        lead_event_record(
            lead=conversation.lead,
            kind=LeadEventKind.CHAT,
            summary="Started a chat on the website",
            data={"conversation": str(conversation.pk)},
            actor_label=BOT_ACTOR,
        )
    message_post(conversation_id=conversation.pk, sender=MessageSender.BOT, body=GREETING)
    conversation.refresh_from_db()
    return conversation, token


def conversation_resume(*, website: Website, token: str) -> Conversation | None:
    """The conversation this token opened on this website, or None (wrong token, other site)."""
    if not token or len(token) > 100:
        return None
    return Conversation.objects.filter(website=website, token_hash=token_hash(token)).first()


# --- Messages -----------------------------------------------------------------------------------


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
    if client_message_id and (existing := _stored_resend(conversation, client_message_id)) is not None:
        return existing, False
    return _message_store(
        conversation=conversation,
        sender=sender,
        body=body,
        client_message_id=client_message_id,
        agent=agent,
        metadata=metadata,
    ), True


def _stored_resend(conversation: Conversation, client_message_id: str) -> Message | None:
    return conversation.messages.filter(client_message_id=client_message_id).first()


def _message_store(
    *,
    conversation: Conversation,
    sender: MessageSender | str,
    body: str,
    client_message_id: str = "",
    agent: AbstractBaseUser | None = None,
    metadata: dict[str, Any] | None = None,
) -> Message:
    """message_post's write, for callers that already hold the conversation's row lock (taken
    in this transaction with select_for_update) and have checked for a resend: two queries."""
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


def visitor_message_post(
    *, conversation_id: uuid.UUID | str, body: Any, client_message_id: Any = ""
) -> tuple[Message, bool]:
    """A visitor's message, validated; refused once the conversation is closed (except a resend
    of a message already stored, which is answered with the stored one). This is the path a
    visitor waits on, so it is kept to four queries: lock, resend check, sequence, insert."""
    body, client_id = clean_body(body), clean_client_id(client_message_id)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if client_id and (existing := _stored_resend(conversation, client_id)) is not None:
            return existing, False
        if conversation.status == ConversationStatus.CLOSED:
            raise ChatError("conversation_closed", "This chat has ended; start a new one to write again.")
        message = _message_store(
            conversation=conversation, sender=MessageSender.VISITOR, body=body, client_message_id=client_id
        )
        return message, True


# --- Bot ----------------------------------------------------------------------------------------


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


def _hot_threshold() -> int:
    return ScoringConfig.from_settings().hot_threshold


def _escalation_for_lead(lead: Lead) -> str | None:
    if lead.is_fortune_500 or (lead.company_id and lead.company.is_fortune_500):
        return EscalationReason.FORTUNE_500
    if lead.score >= _hot_threshold():
        return EscalationReason.HIGH_SCORE
    return None


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
        reason = None
        if conversation.lead is not None:
            reason = _escalation_for_lead(conversation.lead)
        if reason is None and intents.asks_for_human(text):
            reason = EscalationReason.ASKED_FOR_HUMAN
        if reason is None and intents.is_unhappy(text):
            reason = EscalationReason.UNHAPPY
        if reason is not None:
            conversation_escalate(conversation_id=conversation.pk, reason=reason)
            return BotTurn()
    elif conversation.status == ConversationStatus.WAITING and (
        intents.asks_for_human(text) or intents.is_unhappy(text)
    ):
        return BotTurn()  # already waiting for a person; the escalation message said so
    question = intents.without_emails(text).strip()
    matches = retrieval.search(question)
    if identified and not matches:
        # "Sure, it's jane@acme.com": the point was the address, not a question.
        reply, _ = message_post(
            conversation_id=conversation.pk,
            sender=MessageSender.BOT,
            body="Thank you! We have noted your e-mail address. What would you like to know?",
        )
        return BotTurn(reply=reply)
    if not retrieval.content_words(question):
        reply, _ = message_post(  # "hello", "thanks": nothing to look up, but never leave the visitor hanging
            conversation_id=conversation.pk,
            sender=MessageSender.BOT,
            body="How can I help? Ask me about our assessments, pricing or integrations.",
        )
        return BotTurn(reply=reply)
    if not matches:
        return BotTurn(question=question)
    best = matches[0].article
    return BotTurn(
        question=question,
        answer=best.answer,
        sources=[{"title": m.article.title, "slug": m.article.slug} for m in matches],
        articles=[(m.article.title, m.article.answer) for m in matches],
    )


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
        return _message_store(
            conversation=conversation,
            sender=MessageSender.BOT,
            body=phrased or turn.answer,
            metadata={"answered": True, "sources": turn.sources, "phrased": bool(phrased)},
        )
    message = _message_store(
        conversation=conversation,
        sender=MessageSender.BOT,
        body=DONT_KNOW,
        metadata={"answered": False},
    )
    unanswered = conversation.messages.filter(sender=MessageSender.BOT, metadata__answered=False).count()
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


# --- Leads --------------------------------------------------------------------------------------


@transaction.atomic
def conversation_identify(*, conversation: Conversation, email: str) -> Conversation:
    """The visitor gave an e-mail address: make or find the lead exactly as the intake API does
    (company resolution, Fortune 500 flag, duplicates, scoring), link it to the conversation and
    put the chat on the lead's timeline."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("website", "visitor")
        .get(pk=conversation.pk)
    )
    lead, created = lead_submit(
        submission=LeadSubmission(
            email=email,
            form=LeadSource.CHAT,
            message="Left their e-mail address in the chat",
            visitor_id=conversation.visitor.anonymous_id if conversation.visitor else "",
        ),
        website=conversation.website,
        actor_label=BOT_ACTOR,
    )
    conversation.lead = lead
    conversation.save(update_fields=["lead", "updated_at"])
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.CHAT,
        summary="Identified in a chat conversation" + (" (new lead)" if created else ""),
        data={"conversation": str(conversation.pk), "identified": True},
        actor_label=BOT_ACTOR,
    )
    if conversation.escalated_at and conversation.assigned_agent_id is None:
        # Nobody took the chat: it is now a lead like an offline form, and sales hear of it.
        _alert_on_commit(conversation.pk, "offline_lead")
    # The lead decides who may see the chat now: consoles re-read their queues and drop it
    # where it is no longer theirs (chat.selectors.conversation_queryset_for_agent).
    events.queue_changed_on_commit()
    return Conversation.objects.select_related("lead__company").get(pk=conversation.pk)


# --- Escalation and agents ------------------------------------------------------------------------


def agents_online_count() -> int:
    """People with an agent console open (heartbeat within CHAT_AGENT_ONLINE_SECONDS)."""
    since = timezone.now() - timedelta(seconds=settings.CHAT_AGENT_ONLINE_SECONDS)
    return AgentSession.objects.filter(last_seen_at__gte=since).values("user").distinct().count()


@transaction.atomic
def conversation_escalate(*, conversation_id: uuid.UUID | str, reason: EscalationReason | str) -> bool:
    """Hand the conversation to a person: flag it (reason, time, Fortune 500 / high value), tell
    the visitor whether someone is online, alert sales by e-mail and put it in every agent's queue
    — the last two after commit. Returns False when it was already escalated or closed."""
    reason = EscalationReason(reason)
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("lead__company")
        .get(pk=conversation_id)
    )
    if conversation.escalated_at is not None or conversation.status == ConversationStatus.CLOSED:
        return False
    lead = conversation.lead
    conversation.escalation_reason = reason
    conversation.escalated_at = timezone.now()
    conversation.fortune_500_detected = conversation.fortune_500_detected or bool(
        lead is not None and (lead.is_fortune_500 or (lead.company_id and lead.company.is_fortune_500))
    )
    conversation.high_value_opportunity = conversation.high_value_opportunity or bool(
        conversation.fortune_500_detected or (lead is not None and lead.score >= _hot_threshold())
    )
    fields = [
        "escalation_reason",
        "escalated_at",
        "fortune_500_detected",
        "high_value_opportunity",
        "updated_at",
    ]
    if conversation.status == ConversationStatus.BOT:
        conversation.status = ConversationStatus.WAITING
        fields.append("status")
    conversation.save(update_fields=fields)

    online = agents_online_count()
    if online:
        body = "I've asked a colleague to join this chat. Someone will be with you in a moment."
    elif lead is None:
        body = (
            "Nobody from our team is online right now. Leave your e-mail address here and we will "
            "get back to you soon."
        )
    else:
        body = "Nobody from our team is online right now. We will get back to you by e-mail soon."
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body=body,
        metadata={"event": "escalated", "reason": reason.value, "agents_online": online},
    )
    if lead is not None:
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.CHAT,
            summary=f"Chat escalated to sales: {reason.label}",
            data={"conversation": str(conversation.pk), "reason": reason.value},
            actor_label=BOT_ACTOR,
        )
    _alert_on_commit(conversation.pk, "escalated")
    events.queue_changed_on_commit()
    return True


def _alert_on_commit(conversation_id: uuid.UUID, kind: str) -> None:
    """Queue the sales alert in the current transaction (transactional outbox): it runs after
    commit, and a process dying right after the commit cannot lose it."""
    from .tasks import conversation_alert_task

    enqueue_with_transaction(conversation_alert_task, str(conversation_id), kind)


ALERT_SUBJECTS = {
    "escalated": "Chat needs a person",
    "offline_lead": "Chat lead while nobody was online",
}


@transaction.atomic
def conversation_send_alert(*, conversation_id: uuid.UUID | str, kind: str) -> bool:
    """E-mail sales about an escalated chat (text and HTML, every value escaped by the template).

    Once per conversation, kind and lead, also when the job runs again after its worker died
    (`send_once`: the ledger key is the lock, written before the e-mail is sent last, then
    commit; the conversation row is not locked, so a slow mail server never stalls the chat).
    Returns False when there was nothing (more) to send."""
    conversation = (
        Conversation.objects.select_related("lead__company", "website").filter(pk=conversation_id).first()
    )
    if conversation is None or kind not in ALERT_SUBJECTS:
        return False
    lead = conversation.lead
    context = {
        "conversation": conversation,
        "lead": lead,
        "kind": kind,
        "reason": conversation.get_escalation_reason_display(),
        "recent": list(conversation.messages.order_by("-sequence")[:10])[::-1],
        "console_url": settings.SITE_URL + reverse("admin:chat_console") + f"#{conversation.pk}",
    }
    subject = ALERT_SUBJECTS[kind]
    if conversation.fortune_500_detected:
        subject = "Fortune 500 visitor: " + subject.lower()
    if lead is not None:
        subject += f" — {lead.email}" + (f" ({lead.company.name})" if lead.company else "")
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:200],
        body=render_to_string("chat/email/escalation_alert.txt", context),
        to=[settings.SALES_ALERT_EMAIL],
    )
    message.attach_alternative(render_to_string("chat/email/escalation_alert.html", context), "text/html")
    # With the lead: a chat identified as another lead later is news to sales, a re-run is not.
    return send_once(message, key=f"chat-alert:{conversation.pk}:{kind}:{conversation.lead_id or '-'}")


def _agent_may_work(agent: AbstractBaseUser) -> None:
    if not (agent.is_active and agent.is_staff and agent.has_perm("chat.change_conversation")):
        raise ChatError("forbidden", "You may not work on chats.")


@transaction.atomic
def conversation_claim(*, conversation_id: uuid.UUID | str, agent: AbstractBaseUser) -> Conversation:
    """Take a conversation. One conditional UPDATE decides: of two agents claiming at once,
    exactly one changes the row and the other is told it is taken. A rep may only take a chat
    whose lead they may see (`selectors.conversation_lead_visible_q`): a waiting chat of another
    rep's lead is "not found" to them, as in their queue."""
    _agent_may_work(agent)
    claimable = Conversation.objects.filter(selectors.conversation_lead_visible_q(user=agent))
    claimed = (
        claimable.filter(pk=conversation_id, assigned_agent__isnull=True)
        .exclude(status=ConversationStatus.CLOSED)
        .update(status=ConversationStatus.ACTIVE, assigned_agent=agent, updated_at=timezone.now())
    )
    if not claimed:
        if not claimable.filter(pk=conversation_id).exists():
            raise ChatError("not_found", "No such conversation in your queue.")
        raise ChatError("already_claimed", "Another agent has taken this chat, or it has ended.")
    conversation = Conversation.objects.select_related("lead").get(pk=conversation_id)
    name = events.agent_display_name(agent)
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body=f"{name} from our team has joined the chat.",
        metadata={"event": "agent_joined", "agent_name": name},
    )
    if conversation.lead is not None:
        lead_event_record(
            lead=conversation.lead,
            kind=LeadEventKind.CHAT,
            summary="Took over the chat",
            data={"conversation": str(conversation.pk)},
            actor=agent,
        )
    events.queue_changed_on_commit()
    return conversation


@transaction.atomic
def agent_reply(
    *, conversation_id: uuid.UUID | str, agent: AbstractBaseUser, body: Any, client_message_id: Any = ""
) -> tuple[Message, bool]:
    """An agent's message in a conversation they have claimed."""
    _agent_may_work(agent)
    body, client_id = clean_body(body), clean_client_id(client_message_id)
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.assigned_agent_id != agent.pk:
        raise ChatError("not_yours", "Claim the chat before replying.")
    if conversation.status == ConversationStatus.CLOSED:
        raise ChatError("conversation_closed", "This chat has ended.")
    return message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.AGENT,
        body=body,
        client_message_id=client_id,
        agent=agent,
        metadata={"agent_name": events.agent_display_name(agent)},
    )


@transaction.atomic
def conversation_close(
    *, conversation_id: uuid.UUID | str, agent: AbstractBaseUser | None = None
) -> Conversation:
    """End the chat (by its agent, or by the visitor when `agent` is None) and ask for a rating."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",)).select_related("lead").get(pk=conversation_id)
    )
    if agent is not None:
        _agent_may_work(agent)
        if conversation.assigned_agent_id != agent.pk:
            raise ChatError("not_yours", "Only the agent who claimed the chat can close it.")
    if conversation.status == ConversationStatus.CLOSED:
        return conversation
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_at", "updated_at"])
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body="This chat has ended. How did we do? Rate us from 1 to 5.",
        metadata={"event": "closed", "by": "agent" if agent is not None else "visitor"},
    )
    if conversation.lead is not None:
        lead_event_record(
            lead=conversation.lead,
            kind=LeadEventKind.CHAT,
            summary=f"Chat closed after {conversation.last_sequence} messages",
            data={"conversation": str(conversation.pk)},
            actor=agent,
            actor_label="visitor" if agent is None else "system",
        )
    events.queue_changed_on_commit()
    return conversation


@transaction.atomic
def conversation_rate(*, conversation_id: uuid.UUID | str, rating: Any, comment: Any = "") -> Conversation:
    """The visitor's satisfaction rating (1–5, optional comment), once, after the chat ended."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ChatError("invalid_rating", "Give a rating from 1 to 5.")
    if comment is None:
        comment = ""
    if not isinstance(comment, str) or len(comment) > 2000:
        raise ChatError("invalid_comment", "The comment must be text of at most 2000 characters.")
    conversation = (
        Conversation.objects.select_for_update(of=("self",)).select_related("lead").get(pk=conversation_id)
    )
    if conversation.status != ConversationStatus.CLOSED:
        raise ChatError("not_closed", "You can rate the chat once it has ended.")
    if conversation.csat_rating is not None:
        raise ChatError("already_rated", "You have already rated this chat. Thank you!")
    conversation.csat_rating, conversation.csat_comment = rating, comment.strip()
    conversation.save(update_fields=["csat_rating", "csat_comment", "updated_at"])
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body="Thank you for your feedback!",
        metadata={"event": "rated", "rating": rating},
    )
    if conversation.lead is not None:
        lead_event_record(
            lead=conversation.lead,
            kind=LeadEventKind.CHAT,
            summary=f"Rated the chat {rating}/5",
            data={"conversation": str(conversation.pk), "rating": rating, "comment": comment.strip()},
            actor_label="visitor",
        )
    return conversation


@transaction.atomic
def transcript_send(*, conversation_id: uuid.UUID | str, email: Any = "") -> Conversation:
    """E-mail the visitor the transcript: to the conversation's lead, or to the address given
    (which identifies the visitor like any e-mail in the chat). At most three per conversation."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",)).select_related("lead").get(pk=conversation_id)
    )
    if email not in (None, ""):
        found = intents.find_email(email) if isinstance(email, str) and len(email) <= 254 else None
        if found is None:
            raise ChatError("invalid_email", "That does not look like an e-mail address.")
        if conversation.lead is None or conversation.lead.email.lower() != found.lower():
            conversation = conversation_identify(conversation=conversation, email=found)
    # Only to an address typed in this chat: a lead linked through a (spoofable) visitor id alone
    # must not receive someone else's transcript.
    if (
        conversation.lead is None
        or not conversation.lead.events.filter(
            kind=LeadEventKind.CHAT, data__conversation=str(conversation.pk), data__identified=True
        ).exists()
    ):
        raise ChatError("email_required", "Tell us your e-mail address to get the transcript.")
    sent = conversation.messages.filter(metadata__event="transcript_sent").count()
    if sent >= MAX_TRANSCRIPTS:
        raise ChatError("transcript_limit", "The transcript has already been sent several times.")
    to = conversation.lead.email
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body="We have e-mailed you a transcript of this chat.",
        metadata={"event": "transcript_sent"},
    )
    conversation_pk = conversation.pk
    transaction.on_commit(lambda: _transcript_email(conversation_pk, to))
    return conversation


def _transcript_email(conversation_id: uuid.UUID, to: str) -> None:
    messages = [
        message
        for message in Message.objects.filter(conversation_id=conversation_id).order_by("sequence")
        if message.metadata.get("event") != "transcript_sent"
    ]
    context = {"messages": messages, "conversation_id": conversation_id}
    email = EmailMultiAlternatives(
        subject="Your chat with Enterprise Scanner",
        body=render_to_string("chat/email/transcript.txt", context),
        to=[to],
    )
    email.attach_alternative(render_to_string("chat/email/transcript.html", context), "text/html")
    email.send()


# --- Agent presence -------------------------------------------------------------------------------


def agent_session_open(*, user: AbstractBaseUser, channel_name: str) -> None:
    AgentSession.objects.update_or_create(
        channel_name=channel_name[:200], defaults={"user": user, "last_seen_at": timezone.now()}
    )


def agent_session_touch(*, channel_name: str) -> None:
    AgentSession.objects.filter(channel_name=channel_name[:200]).update(last_seen_at=timezone.now())


def agent_session_close(*, channel_name: str) -> None:
    AgentSession.objects.filter(channel_name=channel_name[:200]).delete()
