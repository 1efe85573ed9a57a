"""The sales team's calendar day, shared by follow-ups, tasks, the digest and the dashboard.

Days are days of `settings.TIME_ZONE` (the sales team's calendar), not UTC: something due at
23:30 local time is due "today" for the rep even when it is already tomorrow in UTC. A module
of its own (importing nothing of the app) so models, selectors and services can all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class DayBounds:
    """Aware datetimes bounding one local day: `start` inclusive, `end` exclusive."""

    day: date
    start: datetime
    end: datetime


def day_bounds(*, today: date | None = None) -> DayBounds:
    """Today's bounds (or `today`'s) in `settings.TIME_ZONE`, DST-safe."""
    tz = timezone.get_default_timezone()
    today = today or timezone.localdate(timezone=tz)
    start = timezone.make_aware(datetime.combine(today, time.min), tz)
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min), tz)
    return DayBounds(day=today, start=start, end=end)
