"""The thread of a `db_worker` that keeps its heartbeat fresh and recovers other workers' jobs."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from .recovery import heartbeat_forget, heartbeat_touch, jobs_recover_stale

logger = logging.getLogger(__name__)


def beat_interval() -> float:
    """Four beats per lease: a worker is declared dead only after missing several in a row."""
    return max(0.5, settings.TASK_LEASE_SECONDS / 4)


class Heartbeat:
    """Beats for one worker from a daemon thread, independent of the job the worker is running
    (a scan waiting on the network for minutes stays leased), and every lease runs the recovery
    of jobs left by dead workers, so a pool of workers heals itself without cron.

    The thread dies with the process: a SIGKILLed worker stops beating, which is the point.
    """

    def __init__(self, *, worker_id: str) -> None:
        self.worker_id = worker_id
        self.started_at: datetime = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{worker_id[:8]}", daemon=True)

    def start(self) -> None:
        """Beat once before the worker claims anything (a claimed job always has a live lease),
        recover what dead workers left, then keep beating in the background."""
        heartbeat_touch(worker_id=self.worker_id, started_at=self.started_at)
        self._recover()
        self._thread.start()

    def stop(self) -> None:
        """A clean stop: the worker holds no job any more, its row goes."""
        self._stop.set()
        self._thread.join(timeout=beat_interval() + 5)
        try:
            heartbeat_forget(worker_id=self.worker_id)
        except Exception:  # the row then simply expires with the lease
            logger.warning("Could not remove the heartbeat of worker %s", self.worker_id, exc_info=True)

    def _run(self) -> None:
        next_recovery = time.monotonic() + settings.TASK_LEASE_SECONDS
        try:
            while not self._stop.wait(beat_interval()):
                close_old_connections()
                try:
                    heartbeat_touch(worker_id=self.worker_id, started_at=self.started_at)
                except Exception:  # a database blip: beat again next time
                    logger.warning("Heartbeat of worker %s failed", self.worker_id, exc_info=True)
                    continue
                if time.monotonic() >= next_recovery:
                    next_recovery = time.monotonic() + settings.TASK_LEASE_SECONDS
                    self._recover()
        finally:
            connections.close_all()  # this thread's own connections

    def _recover(self) -> None:
        try:
            jobs_recover_stale()
        except Exception:  # recovery is retried next lease (and by cron)
            logger.warning("Recovering stale jobs failed", exc_info=True)
