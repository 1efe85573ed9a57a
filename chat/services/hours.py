"""Business hours: is a person meant to answer a website's chat now, and when next.

The bot and the widget ask this before promising a colleague: outside the hours (or on a holiday)
the visitor is told when someone is back and leaves an offline message instead. A website without
`BusinessHours` is always open, so sites that never set hours behave as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..models import BusinessHours
from ..selectors import agents_online_count

#: How far ahead `next_opening` looks (a schedule closed for longer has no next opening).
LOOKAHEAD_DAYS = 60


@dataclass(frozen=True)
class Availability:
    """What the widget needs to know at `hello`: may a person answer now, and if not, when."""

    is_open: bool
    agents_online: int
    next_opening: datetime | None
    time_zone: str

    @property
    def person_available(self) -> bool:
        return self.is_open and self.agents_online > 0


def _schedule(website: object | None) -> BusinessHours | None:
    if website is None:
        return None
    return BusinessHours.objects.filter(website=website).prefetch_related("periods", "holidays").first()


def _local(schedule: BusinessHours, at: datetime) -> datetime:
    if timezone.is_naive(at):
        raise ValueError("`at` must be an aware datetime")
    return at.astimezone(ZoneInfo(schedule.time_zone))


def _holidays(schedule: BusinessHours) -> set[date]:
    return {holiday.date for holiday in schedule.holidays.all()}


def website_is_open(website: object | None, at: datetime | None = None) -> bool:
    """Whether `website`'s chat is staffed at `at` (default now): inside an opening period of
    that weekday in the schedule's time zone and not on a holiday. No schedule: always open."""
    schedule = _schedule(website)
    if schedule is None:
        return True
    return schedule_is_open(schedule, at or timezone.now())


def schedule_is_open(schedule: BusinessHours, at: datetime) -> bool:
    """`website_is_open` for a schedule already loaded (with its periods and holidays prefetched,
    as the admin's list does)."""
    local = _local(schedule, at)
    if local.date() in _holidays(schedule):
        return False
    now = local.time().replace(tzinfo=None)
    return any(
        period.weekday == local.weekday() and period.opens <= now < period.closes
        for period in schedule.periods.all()
    )


def next_opening(website: object | None, at: datetime | None = None) -> datetime | None:
    """When the chat is next staffed at or after `at` (aware, in the schedule's time zone): `at`
    itself when open now, None without a schedule (always open) or when nothing opens within
    LOOKAHEAD_DAYS (no periods, or a long holiday)."""
    schedule = _schedule(website)
    if schedule is None:
        return None
    return _schedule_next_opening(schedule, at or timezone.now())


def _schedule_next_opening(schedule: BusinessHours, at: datetime) -> datetime | None:
    if schedule_is_open(schedule, at):
        return _local(schedule, at)
    zone = ZoneInfo(schedule.time_zone)
    local = _local(schedule, at)
    holidays = _holidays(schedule)
    periods = list(schedule.periods.all())
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if day in holidays:
            continue
        for period in sorted((p for p in periods if p.weekday == day.weekday()), key=lambda p: p.opens):
            opening = datetime.combine(day, period.opens, tzinfo=zone)
            if opening > local:
                return opening
    return None


def website_availability(website: object | None, at: datetime | None = None) -> Availability:
    """Open now, agents online and the next opening, with one read of the schedule."""
    at = at or timezone.now()
    schedule = _schedule(website)
    online = agents_online_count()
    if schedule is None:
        return Availability(is_open=True, agents_online=online, next_opening=None, time_zone="")
    is_open = schedule_is_open(schedule, at)
    return Availability(
        is_open=is_open,
        agents_online=online,
        next_opening=None if is_open else _schedule_next_opening(schedule, at),
        time_zone=schedule.time_zone,
    )


def back_at_text(availability: Availability, at: datetime | None = None) -> str:
    """ "We're back Monday at 09:00 (Europe/Berlin)" — what the visitor is told about the next
    person; a general promise when no opening is known."""
    opening = availability.next_opening
    if opening is None or availability.is_open:
        return "We will get back to you by e-mail as soon as someone is available."
    local_now = (at or timezone.now()).astimezone(opening.tzinfo)
    if opening.date() == local_now.date():
        day = "today"
    elif opening.date() == local_now.date() + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"on {opening:%A}, {opening.day} {opening:%B}"
    return f"Our team is back {day} at {opening:%H:%M} ({availability.time_zone})."


def availability_payload(*, website: object | None) -> dict[str, object]:
    """The `availability` of the widget's `welcome` frame (docs/chat-protocol.md)."""
    availability = website_availability(website)
    return {
        "person_available": availability.person_available,
        "open": availability.is_open,
        "agents_online": availability.agents_online,
        "next_opening": availability.next_opening.isoformat() if availability.next_opening else None,
        "back_at": "" if availability.person_available else back_at_text(availability),
    }


#: A meeting slot the bot offers: how long, how far ahead at the earliest, how many.
SLOT_MINUTES = 30
SLOT_LEAD = timedelta(hours=1)
MEETING_SLOTS = 3


@dataclass(frozen=True)
class MeetingOffer:
    """What the bot can offer a buyer: the next opening-hour slots (aware, local to the
    schedule's zone, one per day so the choice is a real one) and, while the team is away,
    when it is back."""

    slots: tuple[datetime, ...]
    time_zone: str
    back_at: str


def slot_label(slot: datetime) -> str:
    """ "Tuesday 8 December at 10:00" — weekday first, as people say it."""
    return f"{slot:%A} {slot.day} {slot:%B} at {slot:%H:%M}"


def meeting_offer(website: object | None, at: datetime | None = None) -> MeetingOffer | None:
    """The next MEETING_SLOTS slots a person can take a call in `website`'s business hours, or
    None without a schedule (the bot then keeps asking in general words: it cannot know when
    the team works). Every slot starts inside an opening period, at least SLOT_LEAD from `at`
    (on the hour), ends before the period closes, and never falls on a holiday."""
    schedule = _schedule(website)
    if schedule is None:
        return None
    at = at or timezone.now()
    local = _local(schedule, at)
    earliest = (local + SLOT_LEAD).replace(second=0, microsecond=0)
    if earliest.minute:
        earliest = earliest.replace(minute=0) + timedelta(hours=1)
    zone = ZoneInfo(schedule.time_zone)
    holidays = _holidays(schedule)
    periods = sorted(schedule.periods.all(), key=lambda p: p.opens)
    length = timedelta(minutes=SLOT_MINUTES)
    slots: list[datetime] = []
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if day in holidays:
            continue
        for period in (p for p in periods if p.weekday == day.weekday()):
            start = max(datetime.combine(day, period.opens, tzinfo=zone), earliest)
            if start + length <= datetime.combine(day, period.closes, tzinfo=zone):
                slots.append(start)
                break
        if len(slots) == MEETING_SLOTS:
            break
    is_open = schedule_is_open(schedule, at)
    availability = Availability(
        is_open=is_open,
        agents_online=0,
        next_opening=None if is_open else _schedule_next_opening(schedule, at),
        time_zone=schedule.time_zone,
    )
    return MeetingOffer(
        slots=tuple(slots),
        time_zone=schedule.time_zone,
        back_at="" if is_open else back_at_text(availability, at),
    )
