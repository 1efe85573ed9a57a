"""`manage.py send_nurture`: send the nurture e-mails that are due (for cron, every minute).

Crontab::

    * * * * *  cd /srv/app && .venv/bin/python manage.py send_nurture

At most `NURTURE_MAX_PER_RUN` e-mails per run (the rate limit); the rest wait for the next
minute. Safe on several machines at once and after a crash (see leads.nurture.services.sending).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.nurture.services import SendReport, nurture_send_due


class Command(BaseCommand):
    help = (
        "Send the nurture e-mails that are due, at most NURTURE_MAX_PER_RUN (or --limit) per run, "
        "re-checking consent, unsubscribes, replies and closed deals right before each. Nobody gets "
        "a step twice, also when a run was killed. Exits non-zero when some sends failed (they are "
        "retried 15 minutes later)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help="Most e-mails this run (default: the setting)."
        )

    def handle(self, *args: Any, limit: int | None = None, **options: Any) -> None:
        if limit is not None and limit < 0:
            raise CommandError("--limit: give 0 or more.")
        verbose = options["verbosity"] > 1

        def progress(report: SendReport) -> None:
            if verbose:
                self.stdout.write(f"… {report}")

        report = nurture_send_due(limit=limit, progress=progress)
        self.stdout.write(f"Nurture: {report}.")
        if report.failed:
            raise CommandError(f"{report.failed} nurture e-mails failed; they are retried later.")
