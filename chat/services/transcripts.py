"""E-mailing a visitor the transcript of their chat, when they ask for it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from enterprise_scanner.task_queue import enqueue_with_transaction

from .. import selectors
from ..bot import intents
from ..errors import ChatError
from ..models import Conversation, MessageSender
from ..tasks import transcript_email_task
from .conversations import conversation_identify
from .crm import lead_identified_in
from .messages import message_post

MAX_TRANSCRIPTS = 3


@transaction.atomic
def transcript_send(*, conversation_id: uuid.UUID | str, email: Any = "") -> Conversation:
    """E-mail the visitor the transcript: to the conversation's lead, or to the address given
    (which identifies the visitor like any e-mail in the chat). At most three per conversation.

    The e-mail is a background job stored in this transaction, next to the notice the visitor
    sees (`enqueue_with_transaction`): a process dying after the commit loses nothing, and the job
    sends it once even when re-run (its key is the notice's sequence number)."""
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
    if conversation.lead is None or not lead_identified_in(
        lead=conversation.lead, conversation_id=str(conversation.pk)
    ):
        raise ChatError("email_required", "Tell us your e-mail address to get the transcript.")
    if selectors.transcripts_sent_count(conversation=conversation) >= MAX_TRANSCRIPTS:
        raise ChatError("transcript_limit", "The transcript has already been sent several times.")
    to = conversation.lead.email
    notice, _ = message_post(
        conversation_id=conversation.pk,
        sender=MessageSender.SYSTEM,
        body="We have e-mailed you a transcript of this chat.",
        metadata={"event": "transcript_sent"},
    )
    enqueue_with_transaction(transcript_email_task, str(conversation.pk), to, notice.sequence)
    return conversation
