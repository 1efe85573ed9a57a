"""What the bot makes of one visitor message, before it does anything: a request for a person,
a buying intent, a question it can answer from the knowledge base, or one it cannot. A pure
read (the knowledge base, nothing written), so the evaluation set (chat/tests/eval) measures
exactly what the chat does."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import intents, retrieval

#: Confidence of an article match above which a soft "someone should contact me" is read as
#: part of a question ("can someone tell me how SSO works") rather than a request for a person.
STRONG_MATCH = 0.8
#: Buying intents that also deserve the knowledge base's answer ("How much does it cost?").
ANSWERED_INTENTS = frozenset({"pricing", "trial"})


@dataclass(frozen=True)
class Reading:
    #: "person", "buying", "answer", "unknown" (a question it cannot answer) or "chat" (nothing
    #: to look up: "hello", "thanks").
    kind: str
    intent: str = ""
    matches: list[retrieval.Match] = field(default_factory=list)
    preferred_time: str = ""

    @property
    def best(self) -> retrieval.Match | None:
        return self.matches[0] if self.matches else None


def read_message(text: str, *, knowledge_version: tuple | None = None) -> Reading:
    """Read a visitor's message (e-mail addresses already taken out or not: they are ignored).
    `knowledge_version`: the knowledge base's version if the caller already read it (see
    retrieval.knowledge_index)."""
    text = intents.without_emails(text).strip()
    # one look at the knowledge base's version per message, unless the caller had it
    index = retrieval.knowledge_index(knowledge_version)
    matches = index.search(text) if text else []
    strong = bool(matches) and matches[0].confidence >= STRONG_MATCH
    if intents.asks_for_human(text) or (intents.asks_to_be_contacted(text) and not strong):
        return Reading("person", matches=matches)
    if intent := intents.buying_intent(text):
        return Reading(
            "buying",
            intent=intent,
            matches=matches if intent in ANSWERED_INTENTS else [],
            preferred_time=intents.preferred_time(text),
        )
    if matches:
        return Reading("answer", matches=matches)
    if not index.analyzer.terms(text):
        return Reading("chat")
    return Reading("unknown")
