"""Jobs whose worker died: finding them (for /healthz) and running them again (recover_stale_jobs).

django-tasks-db claims a job by marking it RUNNING and appending the worker's id to
`worker_ids`; it has no lease, heartbeat or retry of its own, so a worker killed mid-job leaves
the job RUNNING for ever. Our `db_worker` keeps a `WorkerHeartbeat` row fresh; a RUNNING job
whose last worker has not been seen for `TASK_LEASE_SECONDS` is orphaned. Recovery puts it back
to READY for any worker to take, or, once `TASK_MAX_ATTEMPTS` workers have died running it (a job
that kills its worker), marks it failed with the reason, for the admin's Task Results page.

Every task must therefore be safe to run again: see the docstrings of the tasks modules.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

#: `exception_class_path` of a job given up after its workers died; shown in the admin.
WORKER_LOST = "enterprise_scanner.jobs.recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running a job stopped (killed, crashed, machine lost) before the job finished."""


@dataclass(frozen=True)
class StuckJob:
    id: str
    task_path: str
    worker_id: str
    attempts: int
    started_at: datetime | None
    last_seen_at: datetime | None  # the worker's last heartbeat; None: never seen or long gone


@dataclass
class RecoveryReport:
    requeued: list[StuckJob] = field(default_factory=list)
    failed: list[StuckJob] = field(default_factory=list)


def lease() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


# --- Heartbeats ----------------------------------------------------------------------------------


def heartbeat_touch(*, worker_id: str, started_at: datetime) -> None:
    """Say that this worker is alive now (one upsert; called every few seconds by its thread)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen_at": timezone.now()},
        create_defaults={
            "last_seen_at": timezone.now(),
            "started_at": started_at,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def heartbeat_forget(*, worker_id: str) -> None:
    """A worker that stops cleanly removes its row: it holds no job any more."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


# --- Finding and recovering orphaned jobs --------------------------------------------------------


def stuck_jobs(*, now: datetime | None = None) -> list[StuckJob]:
    """RUNNING jobs whose worker has sent no heartbeat within the lease, oldest first.

    Few rows: RUNNING jobs are at most one per live worker plus the orphans, so the worker ids
    are matched in Python rather than with a JSON-array lookup each database spells differently.
    """
    return _stuck(DBTaskResult.objects.running().order_by("started_at"), now=now or timezone.now())


def _stuck(running: QuerySet[DBTaskResult], *, now: datetime) -> list[StuckJob]:
    jobs = list(running.only("id", "task_path", "worker_ids", "started_at"))
    last_workers = {job.worker_ids[-1] for job in jobs if job.worker_ids}
    seen = dict(
        WorkerHeartbeat.objects.filter(worker_id__in=last_workers).values_list("worker_id", "last_seen_at")
    )
    cutoff = now - lease()
    stuck = []
    for job in jobs:
        worker_id = job.worker_ids[-1] if job.worker_ids else ""
        last_seen = seen.get(worker_id)
        if last_seen is not None and last_seen >= cutoff:
            continue  # its worker is alive: the job is running, however long it takes
        stuck.append(
            StuckJob(
                id=str(job.id),
                task_path=job.task_path,
                worker_id=worker_id,
                attempts=len(job.worker_ids),
                started_at=job.started_at,
                last_seen_at=last_seen,
            )
        )
    return stuck


def jobs_recover_stale(*, now: datetime | None = None) -> RecoveryReport:
    """Put every orphaned RUNNING job back to READY, or fail it after `TASK_MAX_ATTEMPTS`.

    The candidate rows are locked (FOR UPDATE SKIP LOCKED; an exclusive transaction on SQLite)
    and re-checked under the lock, so several workers and the cron job may run this at once and
    each orphan is recovered exactly once; a job a worker is just finishing keeps its result.
    Heartbeat rows older than the lease are then deleted: a missing heartbeat counts as dead.
    """
    now = now or timezone.now()
    report = RecoveryReport()
    running = DBTaskResult.objects.running()
    with exclusive_transaction(running.db):
        locked = running.select_for_update(skip_locked=True).order_by("started_at")
        for job in _stuck(locked, now=now):
            if job.attempts >= settings.TASK_MAX_ATTEMPTS:
                _give_up(job, now=now)
                report.failed.append(job)
            else:
                DBTaskResult.objects.filter(pk=job.id, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.READY
                )
                report.requeued.append(job)
        WorkerHeartbeat.objects.filter(last_seen_at__lt=now - lease()).delete()
    for job in report.requeued:
        logger.warning(
            "Job %s (%s) re-queued: worker %s stopped mid-run (attempt %d of %d)",
            job.id,
            job.task_path,
            job.worker_id,
            job.attempts,
            settings.TASK_MAX_ATTEMPTS,
        )
    for job in report.failed:
        logger.error("Job %s (%s) failed: %d workers died running it", job.id, job.task_path, job.attempts)
    return report


def _give_up(job: StuckJob, *, now: datetime) -> None:
    reason = (
        f"{WORKER_LOST}: the worker running this job stopped before it finished, "
        f"{job.attempts} time(s) (last worker {job.worker_id or 'unknown'}, last heartbeat "
        f"{job.last_seen_at.isoformat() if job.last_seen_at else 'never seen'}). "
        f"Not retried again (TASK_MAX_ATTEMPTS={settings.TASK_MAX_ATTEMPTS}): the job may be what "
        "kills its worker. Look at the worker's log, then enqueue it again if it is safe.\n"
    )
    DBTaskResult.objects.filter(pk=job.id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=WORKER_LOST,
        traceback=reason,
        return_value=None,
    )


def job_in_flight(job_id: str) -> bool:
    """Is this job queued or running (so its work is still going to happen)? For domains that
    record which job holds a piece of work, e.g. a scan, to tell a live one from a dead one."""
    if not job_id:
        return False
    try:
        return DBTaskResult.objects.filter(
            pk=job_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).exists()
    except ValidationError:  # not a job id of this backend (e.g. recorded by another backend)
        return False
