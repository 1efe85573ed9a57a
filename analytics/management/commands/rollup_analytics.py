"""Fill the daily analytics rollups. Run from cron after midnight; running it again is harmless."""

from __future__ import annotations

from datetime import date

from analytics.services import rollup_day
from enterprise_scanner.rollup_command import DailyRollupCommand


class Command(DailyRollupCommand):
    help = "Compute DailyMetric, company visits and top pages for a day (default: yesterday and today)."

    def rollup(self, day: date) -> str:
        total = rollup_day(day=day)[0]
        return (
            f"{total.visitors} visitors, {total.page_views} page views, {total.leads} leads, "
            f"{total.fortune_500_visitors} Fortune 500 visitors"
        )
