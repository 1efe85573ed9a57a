"""Putting what the services record at the demo story's moments.

Every service stamps its rows with `timezone.now()`, which is right for the product and wrong
for a story that happened over the last weeks; the services take no "as of" argument, and giving
them one only for the demo would change their behaviour. So the loaders call the services and
then, as a separate documented post-step, move the timestamps (and nothing else) of the rows the
call wrote with `update()`. Rows are recognised by their integer primary keys being higher than
before the call, so the step is exact even when a service writes to several tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db.models import Max, Model
from django.utils import timezone

from analytics.models import Event
from chat.models import Message
from leads.models import LeadEvent, LeadNote

#: Rows with integer keys that services write as a side effect, and their time column.
_STAMPED: tuple[tuple[type[Model], str], ...] = (
    (LeadEvent, "created_at"),
    (LeadNote, "created_at"),
    (Message, "created_at"),
    (Event, "received_at"),
)


def _marks() -> dict[type[Model], int]:
    return {model: model._default_manager.aggregate(top=Max("pk"))["top"] or 0 for model, _ in _STAMPED}


@contextmanager
def backdated(at: datetime) -> Iterator[None]:
    """Timeline entries, notes, chat messages and event receipts written inside the block get `at`."""
    before = _marks()
    yield
    for model, column in _STAMPED:
        model._default_manager.filter(pk__gt=before[model]).update(**{column: at})


def day_at(now: datetime, days: int, hour: int) -> datetime:
    """`hour` o'clock, `days` from today in the current time zone."""
    local = timezone.localtime(now)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
