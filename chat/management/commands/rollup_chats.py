"""Fill the chat report's daily rollups. Chats refresh their day when they close, are rated or
escalate; run this from cron after midnight for the rest (chats left open). Harmless to repeat."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chat.services.rollups import chat_rollup_day


class Command(BaseCommand):
    help = "Compute the chat report's rollups for a day (default: yesterday and today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to compute, YYYY-MM-DD (local time zone).")
        parser.add_argument("--days", type=int, default=0, help="Also recompute this many days before it.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                days = [date.fromisoformat(options["date"])]
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from exc
        else:
            days = [today - timedelta(days=1), today]
        if options["days"] < 0:
            raise CommandError("--days cannot be negative.")
        first = days[0]
        days = sorted({first - timedelta(days=n) for n in range(1, options["days"] + 1)} | set(days))
        for day in days:
            self.stdout.write(f"{day}: {chat_rollup_day(day=day)} chats")
