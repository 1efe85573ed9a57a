"""Business hours (open now, next opening, holidays, time zones), what the visitor is told
outside them, and offline messages becoming a lead with the transcript and one alert."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from chat import services
from chat.models import (
    BusinessHours,
    Conversation,
    ConversationStatus,
    Holiday,
    OpeningPeriod,
    validate_time_zone,
)
from chat.services import ChatError
from chat.services.hours import availability_payload, next_opening, website_is_open
from chat.tasks import conversation_alert_task
from leads.models import Lead, LeadEventKind, LeadSource

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def hours(website) -> BusinessHours:
    """Mon–Fri 09:00–12:00 and 13:00–17:00 Berlin time; closed on 2026-12-24."""
    schedule = BusinessHours.objects.create(website=website, time_zone="Europe/Berlin")
    for weekday in range(5):
        OpeningPeriod.objects.create(schedule=schedule, weekday=weekday, opens=time(9), closes=time(12))
        OpeningPeriod.objects.create(schedule=schedule, weekday=weekday, opens=time(13), closes=time(17))
    Holiday.objects.create(schedule=schedule, date=date(2026, 12, 24), name="Christmas Eve")
    return schedule


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_a_website_without_business_hours_is_always_open(website) -> None:
    assert website_is_open(website, berlin(2026, 12, 6, 3, 0))  # a Sunday night
    assert next_opening(website, berlin(2026, 12, 6, 3, 0)) is None
    assert website_is_open(None)


def test_open_inside_a_period_in_the_schedules_time_zone(website, hours) -> None:
    assert website_is_open(website, berlin(2026, 12, 7, 9, 0))  # Monday, opening minute
    assert website_is_open(website, berlin(2026, 12, 7, 16, 59))
    assert not website_is_open(website, berlin(2026, 12, 7, 12, 30))  # lunch
    assert not website_is_open(website, berlin(2026, 12, 7, 17, 0))  # closing time is closed
    assert not website_is_open(website, berlin(2026, 12, 5, 10, 0))  # Saturday
    # 08:30 UTC is 09:30 in Berlin (winter): open; the same instant in UTC terms before 09:00.
    assert website_is_open(website, datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("UTC")))
    assert not website_is_open(website, datetime(2026, 12, 7, 7, 30, tzinfo=ZoneInfo("UTC")))


def test_next_opening_skips_lunch_weekends_and_holidays(website, hours) -> None:
    assert next_opening(website, berlin(2026, 12, 7, 12, 30)) == berlin(2026, 12, 7, 13, 0)
    assert next_opening(website, berlin(2026, 12, 4, 18, 0)) == berlin(2026, 12, 7, 9, 0)  # Fri → Mon
    assert next_opening(website, berlin(2026, 12, 23, 17, 30)) == berlin(2026, 12, 25, 9, 0)  # holiday
    assert not website_is_open(website, berlin(2026, 12, 24, 10, 0))
    assert next_opening(website, berlin(2026, 12, 7, 10, 0)) == berlin(2026, 12, 7, 10, 0)  # open now


def test_a_schedule_without_periods_has_no_next_opening(website) -> None:
    BusinessHours.objects.create(website=website, time_zone="America/New_York")
    assert not website_is_open(website, berlin(2026, 12, 7, 10, 0))
    assert next_opening(website, berlin(2026, 12, 7, 10, 0)) is None


def test_time_zone_must_be_a_real_zone() -> None:
    validate_time_zone("America/New_York")
    with pytest.raises(ValidationError):
        validate_time_zone("Mars/Olympus_Mons")


def test_the_welcome_availability_says_when_the_team_is_back(website, hours, monkeypatch) -> None:
    monkeypatch.setattr("chat.services.hours.timezone.now", lambda: berlin(2026, 12, 4, 18, 0))
    payload = availability_payload(website=website)
    assert payload["open"] is False and payload["person_available"] is False
    assert payload["next_opening"] == "2026-12-07T09:00:00+01:00"
    assert payload["back_at"] == "Our team is back on Monday, 7 December at 09:00 (Europe/Berlin)."
    monkeypatch.setattr("chat.services.hours.timezone.now", lambda: berlin(2026, 12, 7, 12, 15))
    assert (
        availability_payload(website=website)["back_at"] == "Our team is back today at 13:00 (Europe/Berlin)."
    )


def test_escalating_outside_business_hours_does_not_promise_a_colleague(website, hours, monkeypatch) -> None:
    monkeypatch.setattr("chat.services.hours.timezone.now", lambda: berlin(2026, 12, 5, 11, 0))  # Saturday
    conversation, _ = services.conversation_start(website=website)
    services.conversation_escalate(conversation_id=conversation.pk, reason="asked_for_human")
    notice = conversation.messages.get(metadata__event="escalated")
    assert "colleague" not in notice.body
    assert "back on Monday, 7 December at 09:00" in notice.body
    assert notice.metadata["offline"] is True


def _offline_conversation(website) -> Conversation:
    conversation, _ = services.conversation_start(website=website, visitor_id="v-offline")
    services.visitor_message_post(
        conversation_id=conversation.pk, body="Do you scan APIs?", client_message_id="m1"
    )
    return conversation


def test_an_offline_message_becomes_a_lead_with_the_transcript_and_one_alert(website, hours) -> None:
    conversation = _offline_conversation(website)
    mail.outbox.clear()
    notice, created = services.offline_message_submit(
        conversation_id=conversation.pk,
        email="ana@globex.example",
        question="Can we get a quote for 3 sites?",
    )
    assert created and notice.metadata["event"] == "offline_received"
    assert "ana@globex.example" in notice.body
    lead = Lead.objects.get(email="ana@globex.example")
    assert lead.source == LeadSource.CHAT
    conversation.refresh_from_db()
    assert conversation.lead == lead and conversation.offline_message
    assert conversation.status == ConversationStatus.CLOSED
    event = lead.events.get(kind=LeadEventKind.CHAT, data__offline=True)
    assert "Can we get a quote for 3 sites?" in event.summary
    assert any("Do you scan APIs?" in line for line in event.data["transcript"])
    assert any("Can we get a quote" in line for line in event.data["transcript"])
    alerts = [m for m in mail.outbox if m.subject.startswith("Offline chat message")]
    assert len(alerts) == 1 and "ana@globex.example" in alerts[0].subject
    assert "Answer them by e-mail" in alerts[0].body

    # Sent twice (a double click) or the job run again: still one lead event and one e-mail.
    again, created = services.offline_message_submit(
        conversation_id=conversation.pk,
        email="ana@globex.example",
        question="Can we get a quote for 3 sites?",
    )
    assert not created and again.pk == notice.pk
    conversation_alert_task.call(str(conversation.pk), "offline_message")
    assert len([m for m in mail.outbox if m.subject.startswith("Offline chat message")]) == 1
    assert lead.events.filter(data__offline=True).count() == 1


@pytest.mark.parametrize(
    ("email", "question", "code"),
    [
        ("", "Hello?", "email_required"),
        ("not-an-address", "Hello?", "invalid_email"),
        (["a@b.example"], "Hello?", "email_required"),
        ("ana@globex.example", "   ", "invalid_message"),
        ("ana@globex.example", "x" * 2001, "message_too_long"),
    ],
)
def test_an_offline_message_is_validated(website, email, question, code) -> None:
    conversation = _offline_conversation(website)
    with pytest.raises(ChatError) as error:
        services.offline_message_submit(conversation_id=conversation.pk, email=email, question=question)
    assert error.value.code == code
    assert not Lead.objects.exists()
