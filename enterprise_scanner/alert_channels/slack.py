"""Slack incoming-webhook messages (Block Kit), as pure functions of an `AlertMessage`.

Slack reads `<…>` in mrkdwn as links and mentions (`<!channel>` pings everyone), so every value
typed by a person is escaped (& < >, Slack's own rule), and the @channel / @here / @everyone
words get a word joiner after the @, so a lead named "@channel" cannot ping the channel either.
Header text (plain_text, never parsed for mentions) is escaped too and cut to 150 characters.
"""

from __future__ import annotations

import re
from typing import Any

from .message import AlertMessage, one_line

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
WORD_JOINER = "\u2060"

HEADER_LIMIT = 150
FIELD_LIMIT = 1900
SECTION_LIMIT = 2900


def slack_escape(text: str) -> str:
    """Text safe to put in Slack mrkdwn: no links, no mentions, no broadcasts."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + WORD_JOINER + m.group(1), escaped)


def _plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object. Slack does not parse it for mentions, but decodes &amp; &lt; &gt; in
    it like everywhere, so it is escaped too; cut so that the escaped text fits `limit`."""
    cut = limit
    escaped = slack_escape(one_line(text, cut))
    while len(escaped) > limit:
        cut -= len(escaped) - limit
        escaped = slack_escape(one_line(text, cut))
    return {"type": "plain_text", "text": escaped, "emoji": True}


def slack_payload(message: AlertMessage) -> dict[str, Any]:
    """The JSON body for a Slack incoming webhook: a header, the summary, up to ten fields
    (company with a Fortune 500 badge, score, value, owner …), an "Open in CRM" button, and a
    `text` fallback for notifications."""
    fields = [
        {"type": "mrkdwn", "text": f"*{slack_escape(label)}*\n{slack_escape(one_line(value, FIELD_LIMIT))}"}
        for label, value in message.facts[:10]
    ]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(message.title, HEADER_LIMIT)}]
    if message.needs_badge:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": ":trophy: *Fortune 500*"}]})
    if message.summary:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": slack_escape(one_line(message.summary, SECTION_LIMIT))},
            }
        )
    if fields:
        blocks.append({"type": "section", "fields": fields})
    if message.url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": one_line(message.button, 75)},
                        "url": message.url[:3000],
                        "style": "primary",
                    }
                ],
            }
        )
    fallback = slack_escape(one_line(message.title, 300))
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}
