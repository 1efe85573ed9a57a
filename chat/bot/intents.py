"""What a visitor's message says beyond its question: an e-mail address, a wish to talk to a
person, a buying intent (demo, call, pricing, quote, trial), a preferred time, or unhappiness. Plain patterns, so they work offline and are easy to audit and test."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

#: Candidate addresses; each is then checked properly by email-validator.
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

#: Who a visitor may ask for: a person, in everyday words.
_WHO = (
    r"(?:(?:a|an|some|the|your|one\s+of\s+your|any\s+of\s+your|real|live|actual|human)\s+)*"
    r"(?:person|people|human|humans|human\s+being|someone|somebody|anyone|anybody|agent|agents|"
    r"operator|representative|rep|reps|consultant|consultants|colleague|colleagues|expert|experts|"
    r"specialist|staff|employee|salesperson|sales\s*(?:person|people|rep|reps|team|guy|department)|"
    r"account\s+(?:manager|executive)|team\s+member|member\s+of\s+(?:your|the)\s+team|team|sales)"
    r"(?!\s*(?:software|based|-))"
)
#: "talk to / speak with / chat with / be put through to" someone: a request for a person.
_TALK = r"(?:talk|speak|chat|get\s+through|be\s+put\s+through|put\s+me\s+through|connect\s+me|transfer\s+me|hand\s+me\s+over)"
#: A request for a person, said outright: "can I speak to someone", "a real human please",
#: "somebody from your team", "one of your consultants should call me", or just "agent".
PERSON_PATTERN = re.compile(
    r"(?:"
    rf"\b{_TALK}\s+(?:to|with)\s+{_WHO}\b"
    r"|\b(?:real|live|actual)\s+(?:person|human|agent|people|humans)\b"
    r"|\b(?:someone|somebody|anyone|anybody)\s+(?:from|in|on|at)\s+(?:your\s+|the\s+)?(?:sales\s+)?(?:team|company|sales)\b"
    r"|\b(?:one|any)\s+of\s+your\s+(?:consultants|colleagues|experts|specialists|team|people|staff|reps|salespeople|sales\s+reps)\b"
    r"|\b(?:sales\s*(?:person|rep|team)|salesperson|account\s+manager)\s+(?:please|now)\b"
    r"|\bput\s+me\s+(?:through|in\s+touch)\b|\bconnect\s+me\s+(?:to|with)\b"
    r"|^\W*(?:an?\s+|the\s+)?(?:human|person|agent|operator|representative|real\s+person|someone)(?:\s+please)?\W*$"
    r")",
    re.IGNORECASE,
)
#: Contact words that make "someone", "your team" a request: "have someone call me", "can your
#: team get in touch". Weaker than PERSON_PATTERN: a strong article match wins over it.
CONTACT_PATTERN = re.compile(
    rf"\b{_WHO}\b.{{0,40}}\b(?:call|ring|phone|e-?mail|contact|reach\s+out|get\s+in\s+touch|get\s+back|follow\s+up)\b"
    r"|\b(?:call|contact|ring|phone)\s+me\b",
    re.IGNORECASE,
)

#: Buying intents, most specific first: what sales wants to hear about most.
BUYING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "trial",
        re.compile(
            r"\b(?:(?:free\s+)?trial|pilot|proof[-\s]+of[-\s]+concept|poc|try\s+(?:it|you|the\s+\w+)\s+out|"
            r"test[-\s]+drive)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "quote",
        re.compile(
            r"\b(?:quote|quotation|formal\s+proposal|proposal|price\s+estimate|estimate)\b", re.IGNORECASE
        ),
    ),
    (
        "demo",
        re.compile(
            r"\b(?:demo|demos|demonstration|walk-?\s?through|product\s+tour|show\s+(?:us|me)\s+"
            r"(?:the|your|how|around|what)\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "meeting",
        re.compile(
            r"\b(?:schedule|book|set\s+up|arrange|organi[sz]e|have|hop\s+on|jump\s+on|get\s+on)\s+"
            r"(?:a\s+|an\s+)?(?:quick\s+|short\s+|brief\s+|sales\s+|video\s+|discovery\s+|intro\s+)?"
            r"(?:call|meeting|zoom|teams\s+call|conversation)\b|\bmeet\s+(?:with\s+)?(?:you|your\s+team)\b|"
            # a time asked about: "is tomorrow possible for a meeting?", "free for a quick call"
            r"\b(?:possible|available|free|time|slot)\s+for\s+(?:a\s+|an\s+)?"
            r"(?:quick\s+|short\s+|brief\s+|sales\s+|video\s+|intro\s+)?(?:call|meeting)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "pricing",
        re.compile(
            r"\b(?:price|prices|pricing|priced|cost|costs|how\s+much|budget|licen[cs]e\s+fee|per\s+seat|"
            r"subscription\s+fee)\b",
            re.IGNORECASE,
        ),
    ),
)
BUYING_LABELS = {
    "demo": "a demo",
    "meeting": "a call with sales",
    "pricing": "pricing",
    "quote": "a quote",
    "trial": "a trial or pilot",
}
#: A preferred time said in passing: "next Tuesday at 3pm", "tomorrow morning", "this week".
TIME_PATTERN = re.compile(
    r"\b(?:(?:next|this|on)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|"
    r"tues|wed|thu|thurs|fri|tomorrow|today|tonight|next\s+week|this\s+week|later\s+this\s+week)\b"
    r"(?:\s+(?:morning|afternoon|evening))?(?:\s+(?:at|around|from)\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)?)?"
    r"|\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
UNHAPPY_PATTERN = re.compile(
    r"(\b(useless|terrible|awful|horrible|stupid|dumb|frustrat\w*|annoy\w*|angry|furious|"
    r"ridiculous|worst|hate|pathetic|rubbish|garbage|unhelpful|not helpful|"
    r"(?:does|did)(?: not|n'?t) help|waste of (?:my )?time|fed up)\b|!{3,})",
    re.IGNORECASE,
)


def find_email(text: str) -> str | None:
    """The first valid e-mail address in `text`, normalised (domain lower-cased), or None."""
    for candidate in EMAIL_PATTERN.findall(text):
        try:
            return validate_email(candidate.rstrip("."), check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


def without_emails(text: str) -> str:
    return EMAIL_PATTERN.sub(" ", text)


def asks_for_human(text: str) -> bool:
    """An outright request for a person ("can I speak to someone", "one of your consultants").
    "agent software", "human resources", "a representative sample" or "talks to Splunk" are not."""
    return bool(PERSON_PATTERN.search(text))


def asks_to_be_contacted(text: str) -> bool:
    """A softer request: someone should call or write ("have someone from sales call me")."""
    return bool(CONTACT_PATTERN.search(text))


def buying_intent(text: str) -> str:
    """The buying intent of a message ("demo", "meeting", "pricing", "quote", "trial"), or ""."""
    for intent, pattern in BUYING_PATTERNS:
        if pattern.search(text):
            return intent
    return ""


def preferred_time(text: str) -> str:
    """A preferred time the visitor mentioned ("next Tuesday at 3pm"), or ""."""
    match = TIME_PATTERN.search(text)
    return match.group(0).strip() if match else ""


def is_unhappy(text: str) -> bool:
    """Angry words, a row of exclamation marks, or a shouted message (mostly capitals)."""
    if UNHAPPY_PATTERN.search(text):
        return True
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8
