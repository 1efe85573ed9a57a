"""What the job machinery itself stores: which workers are alive, and which e-mails went out."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running `db_worker`, touched every few seconds by a thread of the worker.

    django-tasks-db marks a job RUNNING with the id of the worker that claimed it and has no lease
    of its own: a worker killed mid-job leaves the job RUNNING for ever. A job whose worker's
    heartbeat is older than `TASK_LEASE_SECONDS` (or missing) is therefore orphaned and can be
    run again. The heartbeat is per worker, not per job, so a long job on a live worker is never
    taken away from it.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = "task worker"

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class SentEmail(models.Model):
    """The ledger of e-mails sent by background jobs, keyed by what each e-mail is about.

    A job re-run after its worker died must not send its e-mail twice: `send_once` inserts the
    key (the unique index makes a concurrent run wait, then see it), sends, and commits. Its
    Message-ID is derived from the key, so the one duplicate that can still happen (killed
    between the SMTP hand-off and COMMIT) carries the same Message-ID and is recognisable.
    """

    key = models.CharField(max_length=255, unique=True)
    message_id = models.CharField(max_length=255)
    to = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "sent e-mail"

    def __str__(self) -> str:
        return self.key
