"""`manage.py send_followup_reminders`: e-mail each rep a digest of their tasks due (for cron).

Crontab, every working day at 07:00 server time::

    0 7 * * 1-5  cd /srv/app && .venv/bin/python manage.py send_followup_reminders

Idempotent per day (see `leads.followups`): a second run the same day sends nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.followups import ReminderReport, send_followup_reminders


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date {value!r}: give a date as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "E-mail each active sales rep one digest of their open tasks due today or overdue on open "
        "leads (days of settings.TIME_ZONE), and the sales managers one digest of the due tasks nobody "
        "active is assigned. Reps with nothing due get nothing; tasks already in a digest that day are "
        "left out, so running it again the same day sends nothing. Reps without an e-mail address are "
        "listed, not failed. Exits non-zero when a digest could not be sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            dest="day",
            metavar="YYYY-MM-DD",
            help="The day to remind about (default: today in settings.TIME_ZONE).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show who would get what; send nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _iso_date(options["day"]) if options["day"] is not None else None
        report = send_followup_reminders(today=day, dry_run=options["dry_run"])
        self._print(report)
        if report.failures:
            raise CommandError(f"{len(report.failures)} digest(s) could not be sent.", returncode=1)

    def _print(self, report: ReminderReport) -> None:
        covering = f"{report.tasks_reminded} task(s) on {report.leads_reminded} lead(s)"
        if report.dry_run:
            self.stdout.write(
                f"Follow-up reminders for {report.day} (dry run: nothing sent): "
                f"{len(report.digests)} digest(s) would go out covering {covering}."
            )
        else:
            self.stdout.write(
                f"Follow-up reminders for {report.day}: {report.digests_sent} digest(s) sent covering {covering}."
            )
        for digest in report.digests:
            if report.dry_run:
                state = "would send"
            elif digest.error:
                state = f"FAILED: {digest.error}"
            else:
                state = "sent" if digest.sent else "nothing left to send"
            self.stdout.write(
                f"  {digest.name}: {len(digest.due_today)} due today, {len(digest.overdue)} overdue — {state}"
            )
        for digest in report.without_email:
            self.stdout.write(
                f"  {digest.name}: {len(digest.due_today)} due today, {len(digest.overdue)} overdue — "
                f"NOT SENT: {digest.name} has no e-mail address (add one to the user in the admin)"
            )
        if report.already_reminded:
            self.stdout.write(f"  already reminded earlier today: {report.already_reminded} task(s)")
        if report.without_active_owner:
            self.stdout.write(
                f"  due but unassigned or owned by an inactive user, and no sales manager or superuser "
                f"with an e-mail address to tell: {report.without_active_owner} task(s)"
            )
