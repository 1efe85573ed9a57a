"""Running test actions at the same instant on separate database connections (real races)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(actions: list[Callable[[], None]], *, timeout: float = 300) -> None:
    """Start each action in its own thread, release them all together at a barrier, and wait.

    Each thread gets Django's per-thread database connection and closes it when done, so the
    actions race on separate connections as concurrent requests would, and the test database
    can be dropped afterwards. The actions record their own outcomes; the callers assert on them."""
    barrier = threading.Barrier(len(actions), timeout=120)

    def run(action: Callable[[], None]) -> None:
        try:
            barrier.wait()
            action()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
