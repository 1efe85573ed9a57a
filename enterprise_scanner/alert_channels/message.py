"""What an alert says, independent of where it goes: built once from the domain's data
(`sources`), then rendered as Slack blocks (`slack`) or a Teams card (`teams`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AlertMessage:
    """An alert's content. Every string is plain text as typed by people (lead names, company
    names, chat reasons): the renderers escape it for their format."""

    kind: str
    #: One line, e.g. "Hot lead: Ada Lovelace at Acme (score 92)".
    title: str
    #: Why it matters now: the score's reasons, the chat's escalation reason, what got worse.
    summary: str
    #: (label, value) pairs shown side by side.
    facts: list[tuple[str, str]] = field(default_factory=list)
    fortune_500: bool = False
    url: str = ""
    button: str = "Open in CRM"
    #: The lead's owner (team routing); None when unassigned.
    owner_id: int | None = None
    #: Short label of the subject for the delivery log.
    label: str = ""

    @property
    def needs_badge(self) -> bool:
        """A Fortune 500 badge of its own, unless a fact (the company) already shows one."""
        return self.fortune_500 and not any("Fortune 500" in value for _, value in self.facts)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "facts": [list(pair) for pair in self.facts],
            "fortune_500": self.fortune_500,
            "url": self.url,
            "button": self.button,
            "owner_id": self.owner_id,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> AlertMessage:
        return cls(
            kind=str(data.get("kind", "")),
            title=str(data.get("title", "")),
            summary=str(data.get("summary", "")),
            facts=[(str(label), str(value)) for label, value in data.get("facts", [])],  # type: ignore[union-attr]
            fortune_500=bool(data.get("fortune_500")),
            url=str(data.get("url", "")),
            button=str(data.get("button", "Open in CRM")),
            owner_id=data.get("owner_id"),  # type: ignore[arg-type]
            label=str(data.get("label", "")),
        )


def one_line(text: str, limit: int) -> str:
    """Collapse whitespace (a name with a newline must not start a new line of the message)
    and cut to `limit` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
