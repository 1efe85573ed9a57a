"""`manage.py retry_alert_deliveries`: queue again the Slack / Teams posts whose retry is overdue
(for cron). Each failed post already queues its own retry with a delay; this covers a deferred job
that was lost (pruned, a backend that cannot defer). Safe to run any time: a second job for the
same delivery finds it posted or not due and does nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enterprise_scanner.alert_channels.services import alert_deliveries_retry_due


class Command(BaseCommand):
    help = "Queue the Slack / Teams alert posts whose next attempt is overdue by more than --grace-seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-seconds",
            type=int,
            default=300,
            help="Only deliveries overdue by more than this (their own deferred job normally runs first).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = alert_deliveries_retry_due(grace_seconds=max(0, options["grace_seconds"]))
        self.stdout.write(self.style.SUCCESS(f"{count} delivery(ies) queued again."))
