"""The chat report's daily rollups: per day (the day a chat started, in TIME_ZONE) and agent,
how many chats, how many the bot handled alone, CSAT, first-response and resolution times.

Recomputed from the conversations of one day, so running it again is harmless: a job refreshes
the day of a chat when it closes, is rated or escalates (chat.tasks), and `manage.py
rollup_chats` (cron) catches up the days whose chats changed without one of those.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from enterprise_scanner.task_queue import enqueue_with_transaction

from ..models import ChatDailyRollup, Conversation, Message, MessageSender
from ..tasks import chat_rollup_task

COUNTERS = (
    "conversations",
    "escalated",
    "bot_resolved",
    "offline_messages",
    "rated",
    "csat_sum",
    "csat_1",
    "csat_2",
    "csat_3",
    "csat_4",
    "csat_5",
    "first_responses",
    "first_response_seconds",
    "resolutions",
    "resolution_seconds",
)
#: First key of the per-day lock of `chat_rollup_day` (PostgreSQL advisory locks take two
#: integers; the second is the day). Any constant no other advisory lock uses: "chat" in ASCII.
ROLLUP_LOCK_KEY = 0x63686174


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def _day_conversations(day: date) -> list[Conversation]:
    """The day's chats in which the visitor wrote something, with their first agent reply."""
    start, end = _day_bounds(day)
    messages = Message.objects.filter(conversation=OuterRef("pk"))
    first_reply = messages.filter(sender=MessageSender.AGENT).order_by("sequence").values("created_at")[:1]
    return list(
        Conversation.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(
            visitor_wrote=Exists(messages.filter(sender=MessageSender.VISITOR)),
            first_reply_at=Subquery(first_reply),
        )
        .filter(visitor_wrote=True)
        .only(
            "pk",
            "assigned_agent",
            "escalated_at",
            "closed_at",
            "created_at",
            "csat_rating",
            "offline_message",
        )
        .order_by()
    )


def _count(row: dict[str, int], conversation: Any) -> None:
    row["conversations"] += 1
    if conversation.escalated_at is not None or conversation.offline_message:
        row["escalated"] += 1
    else:
        row["bot_resolved"] += 1
    row["offline_messages"] += int(conversation.offline_message)
    if conversation.csat_rating is not None:
        row["rated"] += 1
        row["csat_sum"] += conversation.csat_rating
        row[f"csat_{conversation.csat_rating}"] += 1
    if conversation.first_reply_at is not None and conversation.escalated_at is not None:
        row["first_responses"] += 1
        row["first_response_seconds"] += max(
            0, int((conversation.first_reply_at - conversation.escalated_at).total_seconds())
        )
    if conversation.closed_at is not None:
        row["resolutions"] += 1
        row["resolution_seconds"] += max(
            0, int((conversation.closed_at - conversation.created_at).total_seconds())
        )


@transaction.atomic
def chat_rollup_day(*, day: date) -> int:
    """Replace the day's rollup rows (one per agent, one for chats without an agent). Returns the
    number of chats counted."""
    _take_turns(day)
    rows: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    conversations = _day_conversations(day)
    for conversation in conversations:
        _count(rows[conversation.assigned_agent_id], conversation)
    ChatDailyRollup.objects.filter(date=day).delete()
    now = timezone.now()
    ChatDailyRollup.objects.bulk_create(
        ChatDailyRollup(date=day, agent_id=agent_id, computed_at=now, **values)
        for agent_id, values in rows.items()
    )
    return len(conversations)


def _take_turns(day: date) -> None:
    """Wait until no other transaction is refreshing `day`, and hold the day until commit.

    Two workers refresh the same day whenever two of its chats close or escalate together. Without
    this, both delete the day's rows and both insert theirs, and the second insert breaks the
    unique constraint (the job fails); and a refresh that read the chats before the other
    committed could replace newer rows with older ones. Taken before reading, so each refresh
    reads what the one before it committed. PostgreSQL only: SQLite's IMMEDIATE transactions
    already run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK_KEY, day.toordinal()])


def rollup_on_commit(conversation: Conversation) -> None:
    """Refresh the rollup of the conversation's day after this transaction commits (a job)."""
    enqueue_with_transaction(chat_rollup_task, local_day(conversation.created_at).isoformat())
