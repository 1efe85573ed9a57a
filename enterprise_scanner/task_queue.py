"""Queueing background jobs so that they run only for data that was really stored."""

from __future__ import annotations

from typing import Any

from django.db import router, transaction
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend


def enqueue_with_transaction(task: Task, *args: Any) -> None:
    """Queue `task(*args)` to run if, and only if, the current transaction commits.

    With the database backend (production) the job row is written inside the transaction, next
    to the rows it refers to: it commits or rolls back with them, so there is no moment where a
    submission is stored but its job is lost (a process dying between COMMIT and an on-commit
    enqueue), the worker cannot see the job before the data is visible, and the request saves a
    transaction of its own. Any other backend (the immediate one in tests, a broker elsewhere)
    could start the job before the data is committed, so it is queued on commit instead.
    """
    connection = transaction.get_connection()
    in_transaction_safe = isinstance(task.get_backend(), DatabaseBackend) and (
        router.db_for_write(_task_result_model()) == connection.alias
    )
    if in_transaction_safe or not connection.in_atomic_block:
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def _task_result_model() -> type:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult
