"""`manage.py db_worker`: django-tasks-db's worker, plus a heartbeat that makes its jobs leased.

Same options and behaviour as the library's command (this app is listed before
`django_tasks_db`, so this one is found first). While the worker runs, a thread writes its
heartbeat every TASK_LEASE_SECONDS / 4 and recovers jobs of dead workers every
TASK_LEASE_SECONDS; the worker also recovers once at start, before it takes a job.
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from enterprise_scanner.jobs.heartbeat import Heartbeat


class Command(LibraryCommand):
    help = "Run a database background worker that keeps a heartbeat (jobs of dead workers are re-run)"

    def handle(self, *args: Any, worker_id: str, reload: bool, batch: bool, **options: Any) -> None:
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent process only restarts the child, which runs the jobs
            # (and this method again, with the heartbeat).
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        heartbeat = Heartbeat(worker_id=worker_id)
        heartbeat.start()
        try:
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        finally:
            heartbeat.stop()
