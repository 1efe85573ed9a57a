"""Handing a chat to a person: escalation (with the visitor told whether anyone is online and
sales alerted by e-mail), and the agent's side — claiming a chat and replying in it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from enterprise_scanner.alert_channels.models import AlertKind
from enterprise_scanner.alert_channels.services import alert_channels_queue
from enterprise_scanner.task_queue import enqueue_with_transaction

from .. import events, selectors
from ..errors import ChatError
from ..models import Conversation, ConversationStatus, EscalationReason, Message, MessageSender
from ..tasks import conversation_alert_task
from ..webhooks import conversation_escalated_emit
from .crm import BOT_ACTOR, chat_event_record, lead_is_fortune_500, lead_is_hot
from .hours import Availability, back_at_text, website_availability
from .messages import clean_body, clean_client_id, message_post
from .rollups import rollup_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

ESCALATED_FIELDS = ["escalation_reason", "escalated_at", "fortune_500_detected", "high_value_opportunity"]


def agent_may_work(agent: AbstractBaseUser) -> None:
    """Refuse (ChatError) anyone but active staff with the permission to work on chats."""
    if not (agent.is_active and agent.is_staff and agent.has_perm("chat.change_conversation")):
        raise ChatError("forbidden", "You may not work on chats.")


def alert_on_commit(conversation_id: uuid.UUID, kind: str) -> None:
    """Queue the sales alert in the current transaction (transactional outbox): it runs after
    commit, and a process dying right after the commit cannot lose it."""
    enqueue_with_transaction(conversation_alert_task, str(conversation_id), kind)
    # Slack / Teams: a job of its own, so a receiver that is down never holds up the e-mail.
    alert_channels_queue(kind=AlertKind.CHAT_ESCALATION, subject_id=conversation_id, key=kind)


def _escalation_notice(*, availability: Availability, has_lead: bool) -> str:
    """What the visitor is told: someone is coming — only when the website is inside its business
    hours and an agent is online — or when a person is back and how to reach us meanwhile."""
    if availability.person_available:
        return "I've asked a colleague to join this chat. Someone will be with you in a moment."
    back = back_at_text(availability)
    if not has_lead:
        return (
            f"Nobody from our team is online right now. {back} Leave your e-mail address and "
            "your question in the form below (or here) and we will get back to you by e-mail."
        )
    return f"Nobody from our team is online right now. {back} We will get back to you by e-mail."


@transaction.atomic
def conversation_escalate(*, conversation_id: uuid.UUID | str, reason: EscalationReason | str) -> bool:
    """Hand the conversation to a person: flag it (reason, time, Fortune 500 / high value), tell
    the visitor whether someone is online, alert sales by e-mail and put it in every agent's queue
    — the last two after commit. Returns False when it was already escalated or closed."""
    reason = EscalationReason(reason)
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("lead__company", "website")
        .get(pk=conversation_id)
    )
    if conversation.escalated_at is not None or conversation.status == ConversationStatus.CLOSED:
        return False
    lead = conversation.lead
    conversation.escalation_reason = reason
    conversation.escalated_at = timezone.now()
    conversation.fortune_500_detected = conversation.fortune_500_detected or bool(
        lead is not None and lead_is_fortune_500(lead)
    )
    conversation.high_value_opportunity = conversation.high_value_opportunity or bool(
        conversation.fortune_500_detected or (lead is not None and lead_is_hot(lead))
    )
    fields = [*ESCALATED_FIELDS, "updated_at"]
    if conversation.status == ConversationStatus.BOT:
        conversation.status = ConversationStatus.WAITING
        fields.append("status")
    conversation.save(update_fields=fields)

    availability = website_availability(conversation.website)
    message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body=_escalation_notice(availability=availability, has_lead=lead is not None),
        metadata={
            "event": "escalated",
            "reason": reason.value,
            "agents_online": availability.agents_online,
            "offline": not availability.person_available,
        },
    )
    chat_event_record(
        conversation=conversation,
        summary=f"Chat escalated to sales: {reason.label}",
        data={"reason": reason.value},
        actor_label=BOT_ACTOR,
    )
    alert_on_commit(conversation.pk, "escalated")
    conversation_escalated_emit(conversation=conversation)
    events.queue_changed_on_commit()
    rollup_on_commit(conversation)
    return True


@transaction.atomic
def conversation_claim(*, conversation_id: uuid.UUID | str, agent: AbstractBaseUser) -> Conversation:
    """Take a conversation. One conditional UPDATE decides: of two agents claiming at once,
    exactly one changes the row and the other is told it is taken. A rep may only take a chat
    whose lead they may see (`selectors.conversation_lead_visible_q`): a waiting chat of another
    rep's lead is "not found" to them, as in their queue."""
    agent_may_work(agent)
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
    chat_event_record(conversation=conversation, summary="Took over the chat", actor=agent)
    events.queue_changed_on_commit()
    return conversation


@transaction.atomic
def agent_reply(
    *, conversation_id: uuid.UUID | str, agent: AbstractBaseUser, body: Any, client_message_id: Any = ""
) -> tuple[Message, bool]:
    """An agent's message in a conversation they have claimed."""
    agent_may_work(agent)
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
