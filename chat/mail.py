"""The e-mails the chat sends: the sales alert about a chat that needs a person, and the
transcript a visitor asks for. Each is a pair of templates (text and HTML, every value escaped
by the HTML template) sent through the kernel's `send_templated_mail`.

Kept out of `chat.services` because the alert is sent by a background job (`chat.tasks`) that a
service queues: services → tasks → mail, one direction, no import cycle.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from enterprise_scanner.mail import send_templated_mail

from .models import Conversation, Message

ALERT_SUBJECTS = {
    "escalated": "Chat needs a person",
    "offline_lead": "Chat lead while nobody was online",
    "sales_request": "Hot: chat visitor asked for a demo, call, quote or trial",
    "offline_message": "Offline chat message",
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
    return send_templated_mail(
        template="chat/email/escalation_alert",
        context=context,
        subject=subject,
        to=[settings.SALES_ALERT_EMAIL],
        # With the lead: a chat identified as another lead later is news to sales, a re-run is not.
        once_key=f"chat-alert:{conversation.pk}:{kind}:{conversation.lead_id or '-'}",
    )


def transcript_email_send(*, conversation_id: uuid.UUID | str, to: str, notice_sequence: int) -> bool:
    """E-mail the conversation's messages up to the request's notice (without the "we have
    e-mailed you" notices) to `to`, once per request. Returns whether it was sent now."""
    messages = [
        message
        for message in Message.objects.filter(
            conversation_id=conversation_id, sequence__lte=notice_sequence
        ).order_by("sequence")
        if message.metadata.get("event") != "transcript_sent"
    ]
    return send_templated_mail(
        template="chat/email/transcript",
        context={"messages": messages, "conversation_id": conversation_id},
        subject="Your chat with Enterprise Scanner",
        to=[to],
        once_key=f"chat-transcript:{conversation_id}:{notice_sequence}",
    )
