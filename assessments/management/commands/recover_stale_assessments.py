"""Find scans whose worker died mid-scan and make them re-runnable (or queue them again), and
re-send finished reports whose e-mail never went out. Safe to run from cron every few minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.services import assessment_recover_stale


class Command(BaseCommand):
    help = "Mark assessments stuck in 'running' (older than ASSESSMENT_STALE_AFTER_SECONDS) as failed, or re-queue them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rerun", action="store_true", help="Queue them again instead of marking them failed."
        )

    def handle(self, *args: Any, rerun: bool, **options: Any) -> None:
        recovered = assessment_recover_stale(rerun=rerun)
        for assessment in recovered:
            self.stdout.write(f"{assessment.pk} {assessment.target_url}: {assessment.status}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(recovered)} stale assessment(s) {'re-queued' if rerun else 'marked failed'}."
            )
        )
