"""Fill the chat report's daily rollups. Chats refresh their day when they close, are rated or
escalate; run this from cron after midnight for the rest (chats left open). Harmless to repeat."""

from __future__ import annotations

from datetime import date

from chat.services.rollups import chat_rollup_day
from enterprise_scanner.rollup_command import DailyRollupCommand


class Command(DailyRollupCommand):
    help = "Compute the chat report's rollups for a day (default: yesterday and today)."

    def rollup(self, day: date) -> str:
        return f"{chat_rollup_day(day=day)} chats"
