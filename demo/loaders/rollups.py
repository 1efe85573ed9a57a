"""Daily rollups over the demo's events and chats, as the `rollup_analytics` and `rollup_chats`
cron jobs compute them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from analytics.services import rollup_day
from chat.services.rollups import chat_rollup_day

#: Days of demo website activity to roll up (the demo events go back about nine days).
DEMO_ROLLUP_DAYS = 10


def rollup_recent_days(now: datetime) -> None:
    """The dashboard, the analytics charts and the chat report read daily rollups, not raw rows:
    compute them for the demo's events and chats (idempotent, like the rest of the seed)."""
    today = timezone.localdate(now)
    for days_ago in range(DEMO_ROLLUP_DAYS):
        rollup_day(day=today - timedelta(days=days_ago))
        chat_rollup_day(day=today - timedelta(days=days_ago))
