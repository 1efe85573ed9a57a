"""The managers' chat report: daily rollups (CSAT, first response, resolution, per agent,
bot-resolved vs escalated, per week) read in a fixed number of queries, and its admin page."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chat import services
from chat.models import (
    CannedResponse,
    ChatDailyRollup,
    Conversation,
    ConversationStatus,
    Message,
    MessageSender,
)
from chat.reports import chat_report
from chat.services.rollups import COUNTERS, chat_rollup_day
from enterprise_scanner.tests.concurrency import run_at_once
from leads.tests.factories import SalesRepFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 10)  # a Thursday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


def chat(
    day: date,
    *,
    agent=None,
    escalate: bool = False,
    reply_after: int | None = None,
    close_after: int | None = None,
    rating: int | None = None,
) -> Conversation:
    """A chat started at 10:00 on `day`: the visitor wrote; optionally escalated at 10:01, an
    agent's first reply `reply_after` minutes after that, closed `close_after` minutes after
    the start, rated."""
    start = at(day, 10)
    conversation = Conversation.objects.create(
        assigned_agent=agent,
        status=ConversationStatus.CLOSED if close_after is not None else ConversationStatus.BOT,
        escalation_reason="asked_for_human" if escalate else "",
        escalated_at=start + timedelta(minutes=1) if escalate else None,
        closed_at=start + timedelta(minutes=close_after) if close_after is not None else None,
        csat_rating=rating,
        created_at=start,
    )
    Message.objects.create(
        conversation=conversation, sequence=1, sender=MessageSender.VISITOR, body="Hi", created_at=start
    )
    if reply_after is not None:
        for n, extra in enumerate((0, 5)):
            Message.objects.create(
                conversation=conversation,
                sequence=2 + n,
                sender=MessageSender.AGENT,
                agent=agent,
                body="Hello",
                created_at=start + timedelta(minutes=1 + reply_after + extra),
            )
    return conversation


def test_rollup_counts_a_day_per_agent() -> None:
    dana = SalesRepFactory(username="dana", first_name="Dana", last_name="Scully")
    chat(TODAY, close_after=4, rating=5)  # the bot resolved it
    chat(TODAY, agent=dana, escalate=True, reply_after=2, close_after=20, rating=3)
    chat(TODAY, agent=dana, escalate=True, reply_after=4, close_after=30, rating=4)
    chat(TODAY, escalate=True)  # escalated, nobody answered yet
    silent = Conversation.objects.create(created_at=at(TODAY, 11))  # opened, never wrote: not counted
    assert silent.pk
    chat(TODAY - timedelta(days=1), close_after=1)  # another day

    assert chat_rollup_day(day=TODAY) == 4
    assert chat_rollup_day(day=TODAY) == 4  # again: replaced, not added
    rows = {row.agent_id: row for row in ChatDailyRollup.objects.filter(date=TODAY)}
    assert set(rows) == {None, dana.pk}
    mine = rows[dana.pk]
    assert (mine.conversations, mine.escalated, mine.bot_resolved) == (2, 2, 0)
    assert (mine.rated, mine.csat_sum, mine.csat_3, mine.csat_4) == (2, 7, 1, 1)
    assert (mine.first_responses, mine.first_response_seconds) == (2, 6 * 60)  # 2 + 4 minutes
    assert (mine.resolutions, mine.resolution_seconds) == (2, 50 * 60)
    bot = rows[None]
    assert (bot.conversations, bot.escalated, bot.bot_resolved, bot.rated, bot.csat_5) == (2, 1, 1, 1, 1)


def test_report_sums_weeks_and_agents() -> None:
    dana = SalesRepFactory(username="dana", first_name="Dana", last_name="Scully")
    chat(TODAY, close_after=4, rating=5)
    chat(TODAY, agent=dana, escalate=True, reply_after=2, close_after=20, rating=3)
    chat(TODAY - timedelta(days=7), agent=dana, escalate=True, reply_after=4, close_after=30, rating=4)
    for day in (TODAY, TODAY - timedelta(days=7)):
        chat_rollup_day(day=day)

    report = chat_report(weeks=4, today=TODAY)
    assert report.total.conversations == 3
    assert report.total.csat_average == 4.0
    assert [(n, count) for n, count, _ in report.total.csat_distribution] == [
        (5, 1),
        (4, 1),
        (3, 1),
        (2, 0),
        (1, 0),
    ]
    assert report.total.first_response_minutes == 3.0
    assert report.total.bot_resolved_percent == 33
    assert [row.label for row in report.weeks] == [
        "Week of 07 Dec 2026",
        "Week of 30 Nov 2026",
        "Week of 23 Nov 2026",
        "Week of 16 Nov 2026",
    ]
    assert [row.conversations for row in report.weeks] == [2, 1, 0, 0]
    assert [(row.label, row.conversations) for row in report.agents] == [
        ("Dana Scully", 2),
        ("Bot / no agent", 1),
    ]
    assert report.agents[0].resolution_minutes == 25.0


@pytest.mark.parametrize("chats_per_day", [1, 6])
def test_the_report_reads_a_fixed_number_of_queries(chats_per_day, django_assert_num_queries) -> None:
    agents = [SalesRepFactory(username=f"agent{n}") for n in range(chats_per_day)]
    for offset in range(0, 28, 3):
        day = TODAY - timedelta(days=offset)
        for n in range(chats_per_day):
            chat(day, agent=agents[n], escalate=True, reply_after=n, close_after=10 + n, rating=1 + n % 5)
        chat_rollup_day(day=day)
    with django_assert_num_queries(1):
        report = chat_report(weeks=8, today=TODAY)
    assert report.total.conversations == 10 * chats_per_day


@pytest.mark.parametrize("chats_per_day", [1, 6])
def test_the_report_page_shows_the_rollups_in_fixed_queries(
    chats_per_day, manager_client, django_assert_num_queries
) -> None:
    agents = [SalesRepFactory(username=f"agent{n}", first_name=f"Agent{n}") for n in range(chats_per_day)]
    today = timezone.localdate()
    for offset in (0, 8):
        day = today - timedelta(days=offset)
        for n in range(chats_per_day):
            chat(day, agent=agents[n], escalate=True, reply_after=2, close_after=10, rating=4)
        chat_rollup_day(day=day)
    manager_client.get(reverse("admin:chat_report"))  # the session and permissions, warm
    # the admin's own (session, user, permissions for the page and its sidebar) and one for the rollups
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("admin:chat_report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "4.0 / 5" in html and f">{2 * chats_per_day}<" in html
    assert "Agent0" in html and "Chats per agent" in html


def test_only_managers_see_the_report(rep_client, manager_client) -> None:
    assert rep_client.get(reverse("admin:chat_report")).status_code == 403
    response = manager_client.get(reverse("admin:chat_report") + "?weeks=banana")
    assert response.status_code == 200 and "No chats in this period." in response.content.decode()
    assert manager_client.get(reverse("admin:chat_report") + "?weeks=9999").context["weeks"] == 52


def test_closing_and_rating_refresh_the_days_rollup(transactional_db) -> None:
    from analytics.services import website_create

    website = website_create(name="Site", allowed_origins=["https://example.com"])
    conversation, _ = services.conversation_start(website=website)
    services.visitor_message_post(conversation_id=conversation.pk, body="Thanks, bye", client_message_id="x")
    services.conversation_close(conversation_id=conversation.pk)
    services.conversation_rate(conversation_id=conversation.pk, rating=2)
    row = ChatDailyRollup.objects.get(agent=None)
    assert (row.conversations, row.bot_resolved, row.rated, row.csat_2, row.resolutions) == (1, 1, 1, 1, 1)


def rollup_rows(day: date) -> list[tuple]:
    """The day's rollup rows as comparable tuples (agent and every counter)."""
    rows = ChatDailyRollup.objects.filter(date=day).values_list("agent_id", *COUNTERS)
    return sorted(rows, key=lambda row: (row[0] is not None, row[0] or 0))


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a real race between connections needs PostgreSQL (SQLite's IMMEDIATE transactions queue up)",
)
@pytest.mark.django_db(transaction=True)
def test_refreshes_of_one_day_at_once_all_succeed_with_the_rows_of_one_refresh() -> None:
    """Two workers refresh a day at once whenever two of its chats close or escalate together
    (bench/soak_mixed.py's two workers hit it: a unique violation failed the job): every refresh
    succeeds and the rows are those of one refresh alone."""
    dana = SalesRepFactory(username="dana")
    chat(TODAY, close_after=4, rating=5)
    chat(TODAY, agent=dana, escalate=True, reply_after=2, close_after=20, rating=3)
    chat(TODAY, escalate=True)
    chat_rollup_day(day=TODAY)
    alone = rollup_rows(TODAY)
    ChatDailyRollup.objects.all().delete()
    failures: list[BaseException] = []

    def refresh() -> None:
        try:
            chat_rollup_day(day=TODAY)
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            failures.append(exc)

    run_at_once([refresh] * 8)
    assert failures == []
    assert rollup_rows(TODAY) == alone


def test_the_rollup_command_recomputes_days(capsys) -> None:
    chat(timezone.localdate(), close_after=3)
    call_command("rollup_chats", "--days", "1")
    assert "1 chats" in capsys.readouterr().out
    assert ChatDailyRollup.objects.get(date=timezone.localdate()).conversations == 1


def test_the_console_offers_active_canned_responses_escaped(rep_client) -> None:
    CannedResponse.objects.create(
        shortcut="pricing", title="Pricing", body="From $25,000 </script><b>a year</b>"
    )
    CannedResponse.objects.create(shortcut="old", title="Old", body="Gone", is_active=False)
    response = rep_client.get(reverse("admin:chat_console"))
    html = response.content.decode()
    assert "</script><b>" not in html
    start = html.index('<script id="chat-canned" type="application/json">') + len(
        '<script id="chat-canned" type="application/json">'
    )
    canned = json.loads(html[start : html.index("</script>", start)])
    assert canned == [
        {"shortcut": "pricing", "title": "Pricing", "body": "From $25,000 </script><b>a year</b>"}
    ]


def test_managers_keep_canned_responses_and_business_hours_reps_only_read_them(
    rep_client, manager_client
) -> None:
    for url in ("admin:chat_cannedresponse_add", "admin:chat_businesshours_add"):
        assert manager_client.get(reverse(url)).status_code == 200
        assert rep_client.get(reverse(url)).status_code == 403
    assert rep_client.get(reverse("admin:chat_cannedresponse_changelist")).status_code == 200


def test_the_business_hours_list_says_whether_each_site_is_open(
    manager_client, django_assert_max_num_queries
) -> None:
    from datetime import time

    from analytics.services import website_create
    from chat.models import BusinessHours, OpeningPeriod

    for n in range(3):
        schedule = BusinessHours.objects.create(
            website=website_create(name=f"Site {n}", allowed_origins=[f"https://s{n}.example"]),
            time_zone="UTC",
        )
        if n != 1:  # site 1 has no periods: never open
            for weekday in range(7):
                OpeningPeriod.objects.create(
                    schedule=schedule, weekday=weekday, opens=time.min, closes=time.max
                )
    manager_client.get(reverse("admin:chat_businesshours_changelist"))
    with django_assert_max_num_queries(12):  # periods and holidays prefetched: not one query per row
        response = manager_client.get(reverse("admin:chat_businesshours_changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    rows = sorted(changelist.result_list, key=lambda schedule: schedule.website.name)
    assert [changelist.model_admin.open_now(row) for row in rows] == [True, False, True]
