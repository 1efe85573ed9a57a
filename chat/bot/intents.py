"""What a visitor's message says beyond its question: an e-mail address, a wish to talk to a
person, or unhappiness. Plain patterns, so they work offline and are easy to audit and test."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

#: Candidate addresses; each is then checked properly by email-validator.
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

HUMAN_PATTERN = re.compile(
    r"\b("
    r"human|real person|a person|an? (?:live |real )?agent|live agent|representative|"
    r"(?:talk|speak|chat) (?:to|with) (?:a|an|some|your|the)\b|someone (?:from|in) (?:sales|your team)|"
    r"sales (?:person|rep|team)|salesperson|call me|contact me"
    r")\b(?!-)",  # not "an agent-based scanner"
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
    return bool(HUMAN_PATTERN.search(text))


def is_unhappy(text: str) -> bool:
    """Angry words, a row of exclamation marks, or a shouted message (mostly capitals)."""
    if UNHAPPY_PATTERN.search(text):
        return True
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8
