"""`manage.py recover_stale_jobs`: run again the jobs of workers that died (for cron).

Every `db_worker` also does this at start and once per lease; the cron line covers the moment
when no worker is running. Safe to run anywhere, any time, concurrently.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from enterprise_scanner.jobs.recovery import jobs_recover_stale


class Command(BaseCommand):
    help = (
        "Put RUNNING jobs whose worker's heartbeat is older than TASK_LEASE_SECONDS back in the "
        "queue (or mark them failed after TASK_MAX_ATTEMPTS)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = jobs_recover_stale()
        for job in report.requeued:
            self.stdout.write(
                f"re-queued {job.id} {job.task_path} (attempt {job.attempts}, worker {job.worker_id})"
            )
        for job in report.failed:
            self.stdout.write(f"failed {job.id} {job.task_path} after {job.attempts} attempts")
        self.stdout.write(
            self.style.SUCCESS(f"{len(report.requeued)} job(s) re-queued, {len(report.failed)} given up.")
        )
