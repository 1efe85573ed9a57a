"""Queue a scan of every watched target that is due (assessments.monitoring). Idempotent: run it
from cron (hourly is plenty); a second run finds nothing due until an interval has passed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from assessments.monitoring.services import monitor_rescan_due


class Command(BaseCommand):
    help = (
        "Queue scheduled re-scans of watched targets that are due, in batches of "
        "ASSESSMENT_MONITOR_BATCH_SIZE, within the per-domain rate limit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help=f"Targets per batch (default ASSESSMENT_MONITOR_BATCH_SIZE, {settings.ASSESSMENT_MONITOR_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--max-batches",
            type=int,
            default=1,
            help="Batches in this run (default 1; cron runs the rest later).",
        )

    def handle(self, *args: Any, batch_size: int | None, max_batches: int, **options: Any) -> None:
        queued = in_flight = rate_limited = 0
        for _ in range(max(1, max_batches)):
            report = monitor_rescan_due(limit=batch_size)
            for host in report.queued:
                self.stdout.write(f"queued {host}")
            for host in report.rate_limited:
                self.stdout.write(f"deferred {host}: per-domain rate limit reached, retrying in an hour")
            queued += len(report.queued)
            in_flight += len(report.in_flight)
            rate_limited += len(report.rate_limited)
            if not (report.queued or report.in_flight or report.rate_limited):
                break
        self.stdout.write(
            self.style.SUCCESS(
                f"{queued} re-scan(s) queued, {in_flight} still in flight, {rate_limited} deferred by the rate limit."
            )
        )
