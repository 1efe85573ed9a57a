"""Fill the daily analytics rollups. Run from cron after midnight; running it again is harmless."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.services import rollup_day


class Command(BaseCommand):
    help = "Compute DailyMetric, company visits and top pages for a day (default: yesterday and today)."

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
            total = rollup_day(day=day)[0]
            self.stdout.write(
                f"{day}: {total.visitors} visitors, {total.page_views} page views, {total.leads} leads, "
                f"{total.fortune_500_visitors} Fortune 500 visitors"
            )
