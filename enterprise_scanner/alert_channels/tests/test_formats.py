"""The Slack and Teams JSON, as pure functions: fields, button, fallback, and escaping."""

from __future__ import annotations

import json

from ..message import AlertMessage
from ..slack import WORD_JOINER, slack_escape, slack_payload
from ..teams import teams_escape, teams_payload

MESSAGE = AlertMessage(
    kind="hot_lead",
    title="Hot lead: Ada Lovelace at Acme (score 92)",
    summary="Why this score: +30 Fortune 500; +25 CISO",
    facts=[
        ("Company", "Acme 🏆 Fortune 500 #11"),
        ("Score", "92/100"),
        ("Est. value", "$120,000"),
        ("Owner", "Rita Rep"),
    ],
    fortune_500=True,
    url="https://crm.example.com/admin/leads/lead/1/change/",
)


README_EXAMPLE = AlertMessage(
    kind="hot_lead",
    title="Hot lead: Ada Lovelace at JPMorgan Chase (score 92)",
    summary=(
        "Why this score: +30 Fortune 500 rank 11 (top 100); +20 C-Level job title “Chief Information "
        "Security Officer”; +10 Works in security, risk or compliance: the buyer; +32 Requested a demo"
    ),
    facts=[
        ("Company", "JPMorgan Chase 🏆 Fortune 500 #11"),
        ("Score", "92/100"),
        ("Est. value", "$250,000"),
        ("Owner", "Dana Reyes"),
        ("Title", "Chief Information Security Officer"),
        ("E-mail", "ada@jpmorganchase.com"),
    ],
    fortune_500=True,
    url="https://crm.example.com/admin/leads/lead/0b7e6c1e-3f43-4a51-9a7c-2f1d8e0c5a11/change/",
)


def test_slack_blocks_have_header_fields_button_and_fallback() -> None:
    payload = slack_payload(MESSAGE)
    assert payload["text"] == "Hot lead: Ada Lovelace at Acme (score 92)"
    kinds = [block["type"] for block in payload["blocks"]]
    assert kinds == ["header", "section", "section", "actions"]  # the company field has the badge
    header = payload["blocks"][0]["text"]
    assert header["type"] == "plain_text" and header["text"] == MESSAGE.title
    fields = [field["text"] for field in payload["blocks"][2]["fields"]]
    assert fields == [
        "*Company*\nAcme 🏆 Fortune 500 #11",
        "*Score*\n92/100",
        "*Est. value*\n$120,000",
        "*Owner*\nRita Rep",
    ]
    [button] = payload["blocks"][3]["elements"]
    assert button["text"]["text"] == "Open in CRM" and button["url"] == MESSAGE.url
    json.dumps(payload)  # serialisable


def test_slack_escapes_links_mentions_and_broadcasts() -> None:
    evil = AlertMessage(
        kind="hot_lead",
        title="<!channel> @here",
        summary="<https://evil.example|Click> & <@U123> @everyone",
        facts=[("Company", "<!channel>")],
    )
    payload = slack_payload(evil)
    text = json.dumps(payload, ensure_ascii=False)
    assert "<!channel>" not in text and "<@U123>" not in text and "<https://" not in text
    assert "@here" not in text and "@everyone" not in text
    assert payload["text"] == f"&lt;!channel&gt; @{WORD_JOINER}here"
    assert slack_escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert payload["blocks"][1]["text"]["text"] == (
        f"&lt;https://evil.example|Click&gt; &amp; &lt;@U123&gt; @{WORD_JOINER}everyone"
    )


def test_slack_header_is_one_line_and_cut_to_slacks_limit() -> None:
    payload = slack_payload(
        AlertMessage(kind="hot_lead", title="Line one\nline two " + "x" * 300, summary="")
    )
    header = payload["blocks"][0]["text"]["text"]
    assert "\n" not in header and len(header) == 150 and header.endswith("…")


def test_teams_adaptive_card_in_the_message_envelope() -> None:
    payload = teams_payload(MESSAGE)
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    [facts] = [block for block in card["body"] if block["type"] == "FactSet"]
    assert {"title": "Score", "value": "92/100"} in facts["facts"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open in CRM", "url": MESSAGE.url}]
    assert not any(block.get("text") == "🏆 Fortune 500" for block in card["body"])  # in the FactSet


def test_a_fortune_500_flag_without_a_company_fact_gets_its_own_badge() -> None:
    message = AlertMessage(kind="chat_escalation", title="Fortune 500 visitor", summary="", fortune_500=True)
    assert slack_payload(message)["blocks"][1]["type"] == "context"
    body = teams_payload(message)["attachments"][0]["content"]["body"]
    assert body[1]["text"] == "🏆 Fortune 500"


def test_the_readme_example_is_what_slack_receives() -> None:
    """docs/alerts/*-hot-lead.json (posted with curl in the README) are the real output."""
    from pathlib import Path

    from django.conf import settings

    example = Path(settings.BASE_DIR) / "docs" / "alerts" / "slack-hot-lead.json"
    assert json.loads(example.read_text()) == slack_payload(README_EXAMPLE)
    teams = example.with_name("teams-hot-lead.json")
    assert json.loads(teams.read_text()) == teams_payload(README_EXAMPLE)


def test_teams_escapes_markdown_links() -> None:
    card = teams_payload(
        AlertMessage(kind="hot_lead", title="[click](https://evil.example)", summary="**bold**")
    )
    body = card["attachments"][0]["content"]["body"]
    assert body[0]["text"] == r"\[click\]\(https://evil\.example\)"
    assert teams_escape("*x*_y_") == r"\*x\*\_y\_"
