"""The chat report for managers: CSAT, first-response and resolution times, chats per agent,
bot-resolved vs escalated, per ISO week — read from `ChatDailyRollup` in one query, so the page
costs the same however many chats there were (chat.services.rollups fills the rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from .events import agent_display_name
from .models import ChatDailyRollup
from .services.rollups import COUNTERS

DEFAULT_WEEKS = 8


@dataclass
class ReportRow:
    """Summed counters of some rollup rows, with the averages the report shows."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def add(self, rollup: ChatDailyRollup) -> None:
        for name in COUNTERS:
            self.counts[name] += getattr(rollup, name)

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def csat_average(self) -> float | None:
        return round(self.counts["csat_sum"] / self.counts["rated"], 2) if self.counts["rated"] else None

    @property
    def csat_distribution(self) -> list[tuple[int, int, int]]:
        """(rating, count, percent of ratings) for 5 down to 1."""
        rated = self.counts["rated"]
        return [
            (n, self.counts[f"csat_{n}"], round(100 * self.counts[f"csat_{n}"] / rated) if rated else 0)
            for n in range(5, 0, -1)
        ]

    @property
    def first_response_minutes(self) -> float | None:
        count = self.counts["first_responses"]
        return round(self.counts["first_response_seconds"] / count / 60, 1) if count else None

    @property
    def resolution_minutes(self) -> float | None:
        count = self.counts["resolutions"]
        return round(self.counts["resolution_seconds"] / count / 60, 1) if count else None

    @property
    def bot_resolved_percent(self) -> int | None:
        total = self.counts["conversations"]
        return round(100 * self.counts["bot_resolved"] / total) if total else None


@dataclass
class ChatReport:
    start: date
    end: date
    total: ReportRow
    weeks: list[ReportRow]
    agents: list[ReportRow]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def chat_report(*, weeks: int = DEFAULT_WEEKS, today: date | None = None) -> ChatReport:
    """The last `weeks` ISO weeks up to `today`, newest week first; one query."""
    today = today or timezone.localdate()
    start = week_start(today) - timedelta(weeks=weeks - 1)
    rollups = ChatDailyRollup.objects.filter(date__gte=start, date__lte=today).select_related("agent")
    total = ReportRow("All chats")
    by_week: dict[date, ReportRow] = {
        start + timedelta(weeks=n): ReportRow(f"Week of {start + timedelta(weeks=n):%d %b %Y}")
        for n in range(weeks)
    }
    by_agent: dict[int | None, ReportRow] = defaultdict(lambda: ReportRow(""))
    for rollup in rollups:
        total.add(rollup)
        by_week[week_start(rollup.date)].add(rollup)
        row = by_agent[rollup.agent_id]
        row.label = agent_display_name(rollup.agent) if rollup.agent is not None else "Bot / no agent"
        row.add(rollup)
    agents = sorted(by_agent.values(), key=lambda r: (-r.counts["conversations"], r.label))
    return ChatReport(
        start=start,
        end=today,
        total=total,
        weeks=[by_week[key] for key in sorted(by_week, reverse=True)],
        agents=agents,
    )
