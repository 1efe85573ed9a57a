"""A buying intent in the chat (demo, call, pricing, quote, trial): the bot collects what sales
needs — a work e-mail address, the company and a preferred time — one question at a time, then
records the request on the lead through the leads services (the right form: a demo request for
a demo, call or pilot, a contact request for pricing or a quote), puts it on the lead's timeline
and alerts sales at once as a hot signal.

Where the collection stands is kept on the bot's own questions (`metadata["sales"]` of its last
message), so it survives reconnects and needs no state of its own: the next visitor message is
read as the answer to what the bot asked last, unless it is plainly something else (a question
the knowledge base answers, a request for a person), which the bot then handles instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from ..bot import intents
from ..bot.understand import Reading
from ..models import Conversation, Message, MessageSender
from .crm import BOT_ACTOR, chat_event_record, sales_request_submit
from .escalation import alert_on_commit
from .hours import MEETING_SLOTS, MeetingOffer, meeting_offer, slot_label

#: What sales needs, in the order the bot asks for it.
STEPS = ("email", "company", "time")
MAX_COMPANY_CHARS = 120
MAX_TIME_CHARS = 120
_DECLINE = re.compile(
    r"^\W*(?:no(?:pe)?(?:,?\s*thanks?)?|not\s+now|never\s*mind|skip|cancel|forget\s+it|no\s+thank\s+you|"
    r"i'?d\s+rather\s+not|rather\s+not)\W*$",
    re.IGNORECASE,
)
_COMPANY_LEAD_IN = re.compile(
    r"^\s*(?:it'?s|it\s+is|we\s+are|we'?re|i\s+work\s+(?:at|for)|i'?m\s+(?:at|with|from)|"
    r"company(?:\s+name)?(?:\s+is)?:?|at|from|with)\s+",
    re.IGNORECASE,
)
_NO_PREFERENCE = re.compile(r"\b(?:any\s*time|whenever|no\s+preference|flexible|either)\b", re.IGNORECASE)

ASK = {
    "email": "What's your work e-mail address, so our sales team can reach you?",
    "company": "Which company are you with?",
    "time": "When would suit you for a short call? A day and time is perfect (or say 'any time').",
}
OPENING = {
    "demo": "I'd be glad to set up a demo for you.",
    "meeting": "Happy to set up a call with our sales team.",
    "pricing": "Our sales team can prepare a price for your size.",
    "quote": "Our sales team will prepare a quote for you.",
    "trial": "We can set that up with you.",
}


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}
_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd|last)\b", re.IGNORECASE)
_NUMBER_ALONE = re.compile(r"^\W*(?:(?:option|number|no\.?|slot)\s*)?#?([1-3])\W*$", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", re.IGNORECASE)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A clock time: "10:00", "10.30", "10am", "at 10" (a bare number alone is too ambiguous).
_CLOCK = re.compile(
    r"(?:\b(\d{1,2})[:.](\d{2})\s*(am|pm)?\b|\b(\d{1,2})\s*(am|pm)\b|\bat\s+(\d{1,2})\b)", re.IGNORECASE
)


@dataclass(frozen=True)
class SalesState:
    """How far the bot got collecting a buying intent's details. `slots` are the meeting times
    the bot offered (ISO, in the website's time zone `zone`), `slot` the one the visitor took."""

    intent: str
    asked: str
    company: str = ""
    time: str = ""
    slots: tuple[str, ...] = ()
    zone: str = ""
    slot: str = ""

    def as_metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "intent": self.intent,
            "asked": self.asked,
            "company": self.company,
            "time": self.time,
        }
        if self.slots:
            data.update(slots=list(self.slots), zone=self.zone)
        return data

    def with_(self, **changes: Any) -> SalesState:
        return replace(self, **changes)

    def offered(self) -> list[datetime]:
        """The offered slots as aware datetimes in the website's zone."""
        zone = ZoneInfo(self.zone)
        return [datetime.fromisoformat(slot).astimezone(zone) for slot in self.slots]

    @classmethod
    def from_message(cls, message: Message | None) -> SalesState | None:
        """The state the bot's last message left, or None when it was not collecting."""
        return cls.from_metadata(message.metadata if message is not None else None)

    @classmethod
    def from_metadata(cls, metadata: dict | None) -> SalesState | None:
        """`from_message` from the message's metadata alone (None: no bot message yet)."""
        raw: Any = metadata.get("sales") if isinstance(metadata, dict) else None
        if not isinstance(raw, dict) or raw.get("intent") not in intents.BUYING_LABELS:
            return None
        if raw.get("asked") not in STEPS:
            return None
        return cls(
            intent=raw["intent"],
            asked=raw["asked"],
            company=str(raw.get("company", ""))[:MAX_COMPANY_CHARS],
            time=str(raw.get("time", ""))[:MAX_TIME_CHARS],
            **_offered_slots(raw),
        )


def _offered_slots(raw: dict) -> dict[str, Any]:
    """The offered slots of stored metadata, checked (aware ISO times, a real zone), or none."""
    slots, zone = raw.get("slots"), raw.get("zone")
    if not isinstance(slots, list) or not slots or len(slots) > MEETING_SLOTS or not isinstance(zone, str):
        return {}
    try:
        ZoneInfo(zone)
        parsed = [datetime.fromisoformat(slot) for slot in slots if isinstance(slot, str)]
    except (ValueError, ZoneInfoNotFoundError):
        return {}
    if len(parsed) != len(slots) or any(slot.tzinfo is None for slot in parsed):
        return {}
    return {"slots": tuple(slots), "zone": zone}


def sales_pending(conversation: Conversation) -> SalesState | None:
    """What the bot is collecting in this conversation, if its last message asked for it."""
    last = conversation.messages.filter(sender=MessageSender.BOT).order_by("-sequence").first()
    return SalesState.from_message(last)


def _company_known(conversation: Conversation, state: SalesState) -> bool:
    lead = conversation.lead
    return bool(state.company or (lead is not None and (lead.company_id or lead.company_name)))


def sales_next(conversation: Conversation, state: SalesState) -> tuple[str, SalesState | None]:
    """What the bot says next: the next question (and the state it leaves), or — with
    everything collected — the request recorded for sales and the confirmation (state None)."""
    if conversation.lead is None:
        return ASK["email"], state.with_(asked="email")
    if not _company_known(conversation, state):
        return ASK["company"], state.with_(asked="company")
    if not state.time:
        return _ask_time(conversation, state)
    return _sales_complete(conversation, state), None


def _ask_time(conversation: Conversation, state: SalesState) -> tuple[str, SalesState]:
    """Ask for a preferred time: with business hours, as a choice of the next opening-hour slots
    (and, while the team is away, when it is back); without them, in general words."""
    offer = meeting_offer(conversation.website)
    if offer is None or not offer.slots:
        return ASK["time"], state.with_(asked="time", slots=(), zone="")
    return _offer_text(offer), state.with_(
        asked="time", slots=tuple(slot.isoformat() for slot in offer.slots), zone=offer.time_zone
    )


def _offer_text(offer: MeetingOffer) -> str:
    labels = [slot_label(slot) for slot in offer.slots]
    choice = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    text = (
        f"When would suit you for a short call? Our team could call you on {choice} "
        f'({offer.time_zone} time). Just pick one (e.g. "the {"second" if len(labels) > 1 else "first"} one") '
        "or suggest another time."
    )
    if settings.CHAT_MEETING_URL:
        text += f" Or book a slot yourself: {settings.CHAT_MEETING_URL}"
    return f"{offer.back_at} {text}" if offer.back_at else text


def pick_slot(text: str, slots: list[datetime]) -> datetime | None:
    """The offered slot the visitor's answer picks ("the second one", "2", "Tuesday 10:00",
    "tue at 10am"), or None when it names none of them or could mean several."""
    if not slots:
        return None
    if (number := _NUMBER_ALONE.match(text)) is not None:
        index = int(number.group(1)) - 1
        return slots[index] if index < len(slots) else None
    if (ordinal := _ORDINAL.search(text)) is not None:
        index = _ORDINALS[ordinal.group(1).lower()]
        return slots[index] if index < len(slots) else None
    weekdays = {_WEEKDAYS.index(m.group(1).lower()) for m in _WEEKDAY.finditer(text)}
    clock = _clock(text)
    if not weekdays and clock is None:
        return None
    chosen = [
        slot
        for slot in slots
        if (not weekdays or slot.weekday() in weekdays)
        and (clock is None or (slot.hour, slot.minute) == clock)
    ]
    return chosen[0] if len(chosen) == 1 else None


def _clock(text: str) -> tuple[int, int] | None:
    match = _CLOCK.search(text)
    if match is None:
        return None
    hour_text, minute_text, half = (
        (match.group(1), match.group(2), match.group(3))
        if match.group(1)
        else (match.group(4), "0", match.group(5))
        if match.group(4)
        else (match.group(6), "0", None)
    )
    hour, minute = int(hour_text), int(minute_text)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def sales_left(conversation: Conversation, state: SalesState) -> None:
    """The visitor moved on (asked something else) before every detail was given: with their
    e-mail address known the request still reaches sales, with what was collected; without it
    there is nobody to call back, and the chat itself is all there is."""
    if conversation.lead is not None:
        _sales_record(conversation, state.with_(time=state.time or "not given"))


def _sales_record(conversation: Conversation, state: SalesState) -> None:
    """The request on the lead (as its form), on the timeline, flagged and alerted."""
    label = intents.BUYING_LABELS[state.intent]
    sales_request_submit(
        conversation=conversation, intent=state.intent, company=state.company, time=state.time
    )
    conversation.high_value_opportunity = True
    conversation.save(update_fields=["high_value_opportunity", "updated_at"])
    chat_event_record(
        conversation=conversation,
        summary=f"Asked for {label} in the chat (preferred time: {state.time})",
        data={
            "sales_request": state.intent,
            "preferred_time": state.time,
            "company": state.company,
            **({"preferred_slot": state.slot} if state.slot else {}),
        },
        actor_label=BOT_ACTOR,
    )
    alert_on_commit(conversation.pk, "sales_request")


def _sales_complete(conversation: Conversation, state: SalesState) -> str:
    lead = conversation.lead
    assert lead is not None  # sales_next asks for the e-mail address first
    _sales_record(conversation, state)
    when = "agree a time" if state.time == "any time" else f"confirm {state.time}"
    reply = (
        f"Thank you! I've passed your request for {intents.BUYING_LABELS[state.intent]} to our "
        f"sales team; they will e-mail {lead.email} to {when}."
    )
    if settings.CHAT_MEETING_URL:
        reply += f" If you prefer, pick a slot yourself: {settings.CHAT_MEETING_URL}"
    return reply


def sales_start(conversation: Conversation, reading: Reading) -> tuple[str, SalesState | None]:
    """A buying intent: the opening line and the first question (or, when the visitor's chat
    already told everything, the confirmation)."""
    state = SalesState(intent=reading.intent, asked="email", time=reading.preferred_time[:MAX_TIME_CHARS])
    text, state_after = sales_next(conversation, state)
    return f"{OPENING[reading.intent]} {text}", state_after


def sales_answer(
    conversation: Conversation, state: SalesState, text: str, *, reading: Reading, identified: bool
) -> tuple[str, SalesState | None] | None:
    """The visitor's reply to the bot's question. Returns what the bot says next, or None when
    the message is not an answer (a question, a request for a person): the caller handles it as
    any other message and the collection stops there."""
    if _DECLINE.match(text):
        return "No problem. Is there anything else I can help you with?", None
    if state.asked == "email":
        if not identified and conversation.lead is None:
            return None
        return sales_next(conversation, state)
    if reading.kind in ("person", "answer", "buying") or "?" in text:
        return None
    words = text.split()
    if state.asked == "company":
        company = _COMPANY_LEAD_IN.sub("", text).strip(" .!")
        if not company or len(words) > 8:
            return None
        return sales_next(conversation, state.with_(company=company[:MAX_COMPANY_CHARS]))
    if len(words) > 15:
        return None
    if (slot := pick_slot(text, state.offered() if state.slots else [])) is not None:
        picked = f"{slot_label(slot)} ({state.zone})"
        return sales_next(conversation, state.with_(time=picked, slot=slot.isoformat()))
    time = "any time" if _NO_PREFERENCE.search(text) else text.strip(" .!")
    return sales_next(conversation, state.with_(time=time[:MAX_TIME_CHARS]))
