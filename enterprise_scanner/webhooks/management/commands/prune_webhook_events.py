"""Retention for the webhook outbox: old events whose every delivery is finished, with their
deliveries and attempts (`services.webhook_events_prune`). Nightly from cron."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enterprise_scanner.webhooks.services import PruneResult, webhook_events_prune


class Command(BaseCommand):
    help = (
        "Delete webhook events older than --older-than DAYS days (default 30) whose every delivery "
        "is finished (delivered, gave up, failed), with their deliveries and attempts. Pending or "
        "retrying deliveries are never touched. Batched; safe to re-run or interrupt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=30, metavar="DAYS")
        parser.add_argument(
            "--batch-size", type=int, default=1000, metavar="N", help="Events per transaction."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]

        def progress(result: PruneResult) -> None:
            if verbosity > 1:
                self.stdout.write(f"… batch {result.batches}: {result.events} event(s) so far")

        try:
            result = webhook_events_prune(
                older_than_days=options["older_than"], batch_size=options["batch_size"], progress=progress
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Deleted {result.events} webhook event(s) older than {options['older_than']} day(s), "
            f"{result.deliveries} delivery(ies) and {result.attempts} attempt(s), in {result.batches} "
            "batch(es); events with a pending or retrying delivery are kept."
        )
