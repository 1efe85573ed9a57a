"""The shape every daily-rollup command shares (`rollup_analytics`, `rollup_chats`): which days to
compute from `--date`/`--days` (default yesterday and today, so a cron run after midnight closes
the day before), one line per day. Each command says only how to compute and describe a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


def rollup_days(*, on: str | None, before: int, today: date) -> list[date]:
    """The days to compute, oldest first: `on` (YYYY-MM-DD) or yesterday and today, plus
    `before` days before the first of them."""
    if on:
        try:
            days = [date.fromisoformat(on)]
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {on!r}.") from exc
    else:
        days = [today - timedelta(days=1), today]
    if before < 0:
        raise CommandError("--days cannot be negative.")
    first = days[0]
    return sorted({first - timedelta(days=n) for n in range(1, before + 1)} | set(days))


class DailyRollupCommand(BaseCommand):
    """Subclasses implement `rollup(day)`, returning the line to print for that day."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to compute, YYYY-MM-DD (local time zone).")
        parser.add_argument("--days", type=int, default=0, help="Also recompute this many days before it.")

    def rollup(self, day: date) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        for day in rollup_days(on=options["date"], before=options["days"], today=timezone.localdate()):
            self.stdout.write(f"{day}: {self.rollup(day)}")
