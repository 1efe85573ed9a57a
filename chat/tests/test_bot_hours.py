"""Business hours in the bot's sales flow: the buyer is offered the next opening-hour slots of
the website (named with weekday and time, in its time zone, never on a holiday or outside the
hours), told when the team is back while it is away, and may answer by picking one."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from chat.models import BusinessHours, Conversation, Holiday, OpeningPeriod
from chat.services.hours import meeting_offer, schedule_is_open
from chat.services.sales import pick_slot
from leads.models import LeadEventKind

from .sockets import nothing_more, receive, say, start, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _schedule(website, zone: str, *, holiday: date | None = None) -> BusinessHours:
    """Mon–Fri 09:00–12:00 and 13:00–17:00 local time."""
    schedule = BusinessHours.objects.create(website=website, time_zone=zone)
    for weekday in range(5):
        OpeningPeriod.objects.create(schedule=schedule, weekday=weekday, opens=time(9), closes=time(12))
        OpeningPeriod.objects.create(schedule=schedule, weekday=weekday, opens=time(13), closes=time(17))
    if holiday is not None:
        Holiday.objects.create(schedule=schedule, date=holiday, name="Holiday")
    return schedule


@pytest.fixture
def berlin_hours(website) -> BusinessHours:
    return _schedule(website, "Europe/Berlin", holiday=date(2026, 12, 8))  # closed Tuesday 8 December


def test_slots_are_the_next_opening_hour_slots_one_per_day_skipping_the_holiday(
    website, berlin_hours
) -> None:
    offer = meeting_offer(website, datetime(2026, 12, 7, 10, 20, tzinfo=BERLIN))  # Monday, open
    assert offer is not None and offer.back_at == ""
    # Monday from 11:20 + 1 hour, on the hour -> 12:00 falls in lunch, so 13:00;
    # Tuesday is a holiday; then Wednesday and Thursday at opening time.
    assert offer.slots == (
        datetime(2026, 12, 7, 13, 0, tzinfo=BERLIN),
        datetime(2026, 12, 9, 9, 0, tzinfo=BERLIN),
        datetime(2026, 12, 10, 9, 0, tzinfo=BERLIN),
    )
    assert all(schedule_is_open(berlin_hours, slot) for slot in offer.slots)


def test_a_slot_must_fit_before_closing(website, berlin_hours) -> None:
    offer = meeting_offer(
        website, datetime(2026, 12, 7, 15, 40, tzinfo=BERLIN)
    )  # 16:40 + on the hour = 17:00
    assert offer is not None
    assert offer.slots[0] == datetime(2026, 12, 9, 9, 0, tzinfo=BERLIN)


def test_slots_are_in_the_websites_time_zone_and_say_when_the_team_is_back(website) -> None:
    _schedule(website, "America/New_York")
    # Friday 23:00 in Berlin is 17:00 in New York: closed until Monday 09:00 New York time.
    offer = meeting_offer(website, datetime(2026, 12, 4, 23, 0, tzinfo=BERLIN))
    assert offer is not None and offer.time_zone == "America/New_York"
    assert offer.back_at == "Our team is back on Monday, 7 December at 09:00 (America/New_York)."
    assert offer.slots[0] == datetime(2026, 12, 7, 9, 0, tzinfo=NEW_YORK)
    assert [slot.utcoffset().total_seconds() / 3600 for slot in offer.slots] == [-5, -5, -5]


def test_no_business_hours_no_slots(website) -> None:
    assert meeting_offer(website) is None
    assert meeting_offer(None) is None


@pytest.mark.parametrize(
    ("answer", "index"),
    [
        ("the second one", 1),
        ("2", 1),
        ("First one please", 0),
        ("the last one", 2),
        ("Thursday 9:00", 2),
        ("thu at 9am", 2),
        ("Monday works", 0),
        ("1pm is good", 0),
        ("Wednesday", 1),
    ],
)
def test_an_answer_picks_an_offered_slot(answer: str, index: int) -> None:
    slots = [
        datetime(2026, 12, 7, 13, 0, tzinfo=BERLIN),
        datetime(2026, 12, 9, 9, 0, tzinfo=BERLIN),
        datetime(2026, 12, 10, 9, 0, tzinfo=BERLIN),
    ]
    assert pick_slot(answer, slots) == slots[index]


@pytest.mark.parametrize("answer", ["Friday 10:00", "9am", "next week sometime", "4", "Monday 9:00"])
def test_an_answer_that_names_no_offered_slot_or_several_picks_none(answer: str) -> None:
    slots = [
        datetime(2026, 12, 7, 13, 0, tzinfo=BERLIN),
        datetime(2026, 12, 9, 9, 0, tzinfo=BERLIN),
        datetime(2026, 12, 10, 9, 0, tzinfo=BERLIN),
    ]
    assert pick_slot(answer, slots) is None


@database_sync_to_async
def _chat() -> Conversation:
    return Conversation.objects.select_related("lead").get()


@database_sync_to_async
def _chat_events(chat: Conversation) -> list[tuple[str, dict]]:
    return list(chat.lead.events.filter(kind=LeadEventKind.CHAT).values_list("summary", "data"))


@override_settings(CHAT_MEETING_URL="https://meet.example.com/sales")
async def test_over_the_socket_the_buyer_picks_an_offered_slot_and_it_is_recorded(
    website, articles, berlin_hours, monkeypatch
) -> None:
    monkeypatch.setattr(
        "chat.services.hours.timezone.now", lambda: datetime(2026, 12, 7, 10, 20, tzinfo=BERLIN)
    )
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "Can we book a demo? I'm priya@northwind.example, Northwind Traders", "c1")
    ask_company = await receive(visitor)
    assert ask_company["body"].endswith("Which company are you with?")
    await say(visitor, "Northwind Traders", "c2")
    offer = await receive(visitor)
    body = offer["body"]
    assert (
        "Our team could call you on Monday 7 December at 13:00, Wednesday 9 December at 09:00 or "
        "Thursday 10 December at 09:00 (Europe/Berlin time)." in body
    )
    assert "Tuesday" not in body  # the holiday
    assert "https://meet.example.com/sales" in body
    assert not body.startswith("Our team is back")  # open now
    await say(visitor, "the second one", "c3")
    done = await receive(visitor)
    assert "to confirm Wednesday 9 December at 09:00 (Europe/Berlin)" in done["body"]
    assert await nothing_more(visitor)
    chat = await _chat()
    assert chat.high_value_opportunity
    events = await _chat_events(chat)
    summary, data = next((s, d) for s, d in events if s.startswith("Asked for a demo"))
    assert summary.endswith("(preferred time: Wednesday 9 December at 09:00 (Europe/Berlin))")
    assert data["preferred_slot"] == "2026-12-09T09:00:00+01:00"
    await visitor.disconnect()


async def test_over_the_socket_outside_hours_the_bot_says_when_the_team_is_back(
    website, articles, monkeypatch
) -> None:
    await database_sync_to_async(_schedule)(website, "America/New_York")
    monkeypatch.setattr(
        "chat.services.hours.timezone.now", lambda: datetime(2026, 12, 5, 16, 0, tzinfo=BERLIN)
    )
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "Could we get a quote? I'm dana@globex.example", "c1")
    assert (await receive(visitor))["body"].endswith("Which company are you with?")
    await say(visitor, "Globex", "c2")
    body = (await receive(visitor))["body"]
    assert "Our team is back on Monday, 7 December at 09:00 (America/New_York)." in body
    assert "Monday 7 December at 09:00, Tuesday 8 December at 09:00 or Wednesday 9 December at 09:00" in body
    assert "(America/New_York time)" in body
    await say(visitor, "Tuesday 9:00", "c3")
    done = await receive(visitor)
    assert "to confirm Tuesday 8 December at 09:00 (America/New_York)" in done["body"]
    await visitor.disconnect()


async def test_without_business_hours_the_time_question_is_unchanged(website, articles) -> None:
    visitor = visitor_socket(website)
    await start(visitor)
    await receive(visitor)
    await say(visitor, "Can we book a demo? I'm priya@northwind.example", "c1")
    await receive(visitor)
    await say(visitor, "Northwind Traders", "c2")
    ask = await receive(visitor)
    assert (
        ask["body"] == "When would suit you for a short call? A day and time is perfect (or say 'any time')."
    )
    assert "slots" not in ask.get("metadata", {}).get("sales", {})
    await visitor.disconnect()
