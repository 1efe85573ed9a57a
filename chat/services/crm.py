"""The chat services' one door into the other domains: everything they ask of the CRM (make or
find a lead from an e-mail address, put the chat on a lead's timeline, is this lead worth a
person at once) and of analytics (the visitor a chat belongs to) goes through these functions,
so the coupling is in one module, not in every service, and a later cross-app flow has one
place to take it from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.models import Visitor, Website
from leads.models import Lead, LeadEventKind, LeadSource
from leads.scoring import ScoringConfig
from leads.services import LeadSubmission, lead_event_record, lead_submit

from ..bot.intents import BUYING_LABELS
from ..models import Conversation, EscalationReason

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

#: Who the timeline names for what the bot did.
BOT_ACTOR = "chat bot"


def chat_event_record(
    *,
    conversation: Conversation,
    summary: str,
    data: dict[str, Any] | None = None,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "system",
) -> None:
    """Put something that happened in `conversation` on its lead's timeline (a `chat` entry
    naming the conversation); nothing while the chat has no lead yet."""
    if conversation.lead is None:
        return
    lead_event_record(
        lead=conversation.lead,
        kind=LeadEventKind.CHAT,
        summary=summary,
        data={"conversation": str(conversation.pk), **(data or {})},
        actor=actor,
        actor_label=actor_label,
    )


def lead_from_chat(*, email: str, website: Website, visitor_id: str) -> tuple[Lead, bool]:
    """Make or find the lead for an address typed in a chat, exactly as the intake API does
    (company resolution, Fortune 500 flag, duplicates, scoring). Returns (lead, created)."""
    return lead_submit(
        submission=LeadSubmission(
            email=email,
            form=LeadSource.CHAT,
            message="Left their e-mail address in the chat",
            visitor_id=visitor_id,
        ),
        website=website,
        actor_label=BOT_ACTOR,
    )


#: The lead form a buying intent in the chat is recorded as: a demo, call or pilot is a demo
#: request (it scores as one); pricing and a quote are a contact request.
SALES_REQUEST_FORMS = {
    "demo": LeadSource.DEMO_REQUEST,
    "meeting": LeadSource.DEMO_REQUEST,
    "trial": LeadSource.DEMO_REQUEST,
    "pricing": LeadSource.CONTACT,
    "quote": LeadSource.CONTACT,
}


def sales_request_submit(*, conversation: Conversation, intent: str, company: str, time: str) -> Lead:
    """Record a buying intent collected in the chat on the conversation's lead exactly as the
    matching website form would (timeline, company, rescoring and the hot-lead alert when it
    crosses the threshold): the same lead, now with a demo or contact request."""
    assert conversation.lead is not None
    lead, _ = lead_submit(
        submission=LeadSubmission(
            email=conversation.lead.email,
            form=SALES_REQUEST_FORMS[intent],
            company=company,
            message=f"Asked for {BUYING_LABELS[intent]} in the chat. Preferred time: {time}.",
            visitor_id=conversation.visitor.anonymous_id if conversation.visitor_id else "",
        ),
        website=conversation.website,
        actor_label=BOT_ACTOR,
    )
    return lead


def lead_from_offline_message(
    *, email: str, website: Website | None, visitor_id: str, question: str, page_url: str
) -> tuple[Lead, bool]:
    """Make or find the lead for an offline chat message, as the intake API would a contact form
    (source: live chat; the question is the submission's message, so it is on the lead and its
    timeline in full). Returns (lead, created)."""
    return lead_submit(
        submission=LeadSubmission(
            email=email,
            form=LeadSource.CHAT,
            message=f"Offline chat message: {question}",
            visitor_id=visitor_id,
            page_url=page_url,
        ),
        website=website,
        actor_label=BOT_ACTOR,
    )


def visitor_for_chat(*, website: Website, anonymous_id: str) -> Visitor:
    """The analytics visitor (the browser's anonymous id) a new chat belongs to, made if new:
    a visitor already identified as a lead brings that lead to the chat."""
    visitor, _ = Visitor.objects.get_or_create(website=website, anonymous_id=anonymous_id[:64])
    return visitor


def lead_identified_in(*, lead: Lead, conversation_id: str) -> bool:
    """Whether `lead` typed their address in this conversation (not only linked through a
    visitor id, which a browser can spoof)."""
    return lead.events.filter(
        kind=LeadEventKind.CHAT, data__conversation=conversation_id, data__identified=True
    ).exists()


def lead_is_fortune_500(lead: Lead) -> bool:
    return bool(lead.is_fortune_500 or (lead.company_id and lead.company.is_fortune_500))


def lead_is_hot(lead: Lead) -> bool:
    """At or above the scoring's hot threshold: worth a person now."""
    return lead.score >= ScoringConfig.from_settings().hot_threshold


def escalation_for_lead(lead: Lead) -> EscalationReason | None:
    """Why a chat with this lead goes to a person straight away, if it does."""
    if lead_is_fortune_500(lead):
        return EscalationReason.FORTUNE_500
    if lead_is_hot(lead):
        return EscalationReason.HIGH_SCORE
    return None
