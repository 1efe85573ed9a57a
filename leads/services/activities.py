"""Calls, e-mails and meetings a rep logs on the lead page (notes stay in `notes`).

An activity is a timeline entry, not a table of its own: the timeline is where a rep reads a
lead's story, and a logged call carries nothing the entry cannot hold (outcome, text, when).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ..models import Lead, LeadEvent, LeadEventKind
from .events import lead_event_build

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

ACTIVITY_BODY_MAX_LENGTH = 10000
#: How far back an activity may be logged: last quarter's call is history, not a typo, but a
#: date years ago is one.
ACTIVITY_MAX_AGE = timedelta(days=366)
#: A little slack for clocks: "now" on the rep's laptop may be a minute ahead of the server.
FUTURE_SLACK = timedelta(minutes=5)


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    LEFT_VOICEMAIL = "left_voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy / call back later"
    WRONG_NUMBER = "wrong_number", "Wrong number"


#: Activity kinds the service logs, with the word the timeline summary starts with.
ACTIVITY_KINDS: dict[str, str] = {
    LeadEventKind.CALL_LOGGED: "Call",
    LeadEventKind.EMAIL_LOGGED: "E-mail",
    LeadEventKind.MEETING_LOGGED: "Meeting",
    #: An e-mail the lead wrote to us (logged by the mail integration through the activity API):
    #: it stops the lead's nurture e-mail.
    LeadEventKind.EMAIL_REPLY: "Reply",
}
#: Outcomes that mean the lead was reached (they move `last_contacted_at`); a call nobody
#: answered is an attempt, not contact.
REACHED_OUTCOMES = frozenset({CallOutcome.CONNECTED, CallOutcome.LEFT_VOICEMAIL})


def _clean_when(occurred_at: datetime | None) -> datetime:
    now = timezone.now()
    if occurred_at is None:
        return now
    if timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": "Give the time with its time zone."})
    if occurred_at > now + FUTURE_SLACK:
        raise ValidationError({"occurred_at": "Log what happened: this time is in the future."})
    if occurred_at < now - ACTIVITY_MAX_AGE:
        raise ValidationError({"occurred_at": "That is more than a year ago; check the date."})
    return occurred_at


def _summary(kind: str, outcome: str, body: str) -> str:
    head = ACTIVITY_KINDS[kind]
    if outcome:
        head += f" ({CallOutcome(outcome).label.lower()})"
    first_line = body.splitlines()[0] if body else ""
    if not first_line:
        return head
    more = len(first_line) > 200 or "\n" in body
    return f"{head}: {first_line[:200]}" + ("…" if more else "")


@transaction.atomic
def lead_activity_log(
    *,
    lead: Lead,
    kind: str,
    body: str,
    actor: AbstractBaseUser | None,
    outcome: str = "",
    occurred_at: datetime | None = None,
    actor_label: str = "system",
) -> LeadEvent:
    """Log a call, an e-mail, a meeting or the lead's reply on the lead's timeline, dated when it
    happened (a reply also stops the lead's nurture e-mail).

    A call needs its outcome (the text is optional: "no answer" says it all); an e-mail or a
    meeting needs a text (what was written or agreed). A call that reached the lead, an e-mail
    and a meeting move `last_contacted_at` forward (never back, when logging an older one).
    Raises ValidationError keyed by field, so a form can show each message at its field."""
    if kind not in ACTIVITY_KINDS:
        raise ValidationError({"kind": f"Unknown activity kind {kind!r}."})
    body = (body or "").strip()
    outcome = (outcome or "").strip()
    errors: dict[str, str] = {}
    if len(body) > ACTIVITY_BODY_MAX_LENGTH:
        errors["body"] = f"Keep it under {ACTIVITY_BODY_MAX_LENGTH:,} characters (this has {len(body):,})."
    if kind == LeadEventKind.CALL_LOGGED:
        if outcome not in CallOutcome.values:
            errors["outcome"] = "Choose how the call went."
    elif outcome:
        errors["outcome"] = "Only calls have an outcome."
    elif not body:
        errors["body"] = "Say what was written or agreed."
    if errors:
        raise ValidationError(errors)
    when = _clean_when(occurred_at)
    event = lead_event_build(
        lead=lead,
        kind=LeadEventKind(kind),
        summary=_summary(kind, outcome, body),
        data={"body": body, "outcome": outcome, "occurred_at": when.isoformat()},
        actor=actor,
        actor_label=actor_label,
        created_at=when,
    )
    event.save()
    if kind == LeadEventKind.EMAIL_REPLY:
        from ..nurture.services import nurture_stop  # the nurture services use this package

        nurture_stop(lead=lead, reason="replied", actor=actor, actor_label=actor_label)
    reached = kind != LeadEventKind.CALL_LOGGED or outcome in REACHED_OUTCOMES
    if reached and (lead.last_contacted_at is None or lead.last_contacted_at < when):
        lead.last_contacted_at = when
        lead.save(update_fields=["last_contacted_at", "updated_at"])
    return event
