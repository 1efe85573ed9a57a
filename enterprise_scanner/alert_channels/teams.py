"""Microsoft Teams messages: an Adaptive Card 1.4 in the envelope that Teams incoming webhooks
and Power Automate "post to a channel when a webhook request is received" flows accept.

Card text is markdown: every value typed by a person has the markdown punctuation
backslash-escaped, so a company named "[click](https://evil)" is shown as typed, not as a link.
"""

from __future__ import annotations

import re
from typing import Any

from .message import AlertMessage, one_line

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>~|])")


def teams_escape(text: str) -> str:
    """Text shown as typed in an Adaptive Card TextBlock / Fact (markdown disabled by escaping)."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def teams_payload(message: AlertMessage) -> dict[str, Any]:
    """The JSON body for a Teams webhook: title, Fortune 500 badge, summary, a FactSet and an
    "Open in CRM" button."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": teams_escape(one_line(message.title, 200)),
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        }
    ]
    if message.needs_badge:
        body.append(
            {
                "type": "TextBlock",
                "text": "🏆 Fortune 500",
                "color": "Accent",
                "weight": "Bolder",
                "spacing": "None",
            }
        )
    if message.summary:
        body.append(
            {"type": "TextBlock", "text": teams_escape(one_line(message.summary, 2000)), "wrap": True}
        )
    if message.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {
                        "title": teams_escape(one_line(label, 100)),
                        "value": teams_escape(one_line(value, 1000)),
                    }
                    for label, value in message.facts
                ],
            }
        )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if message.url:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": one_line(message.button, 75), "url": message.url}
        ]
    return {
        "type": "message",
        "summary": one_line(message.title, 200),
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }
