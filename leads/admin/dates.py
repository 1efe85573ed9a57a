"""The rep's calendar: day boundaries in the current time zone, shared by the follow-up filter,
the follow-up action form and the follow-up column so all three agree on what "today" is."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of a calendar day in the current time zone, DST-safe."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), tz)
    return start, end
