"""Queueing the domain's background jobs, always inside the transaction that needs them.

`assessments.tasks` calls these services, so the tasks module can only be imported when a job
is queued (a module-level import would be a cycle: tasks → services → tasks)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from enterprise_scanner.task_queue import enqueue_with_transaction

from ..models import SecurityAssessment


def scan_enqueue(assessment: SecurityAssessment, *, delay_seconds: int = 0) -> None:
    """Queue the scan of `assessment`, after `delay_seconds` where the task backend can defer."""
    from ..tasks import assessment_scan_task  # cycle: tasks imports services

    task = assessment_scan_task
    if delay_seconds and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    # Stored with the transaction that queued the scan (transactional outbox): never lost.
    enqueue_with_transaction(task, str(assessment.pk))


def report_email_enqueue(assessment_id: uuid.UUID | str) -> None:
    """Queue the report e-mail with the change that finished the report (transactional outbox):
    a worker killed after the commit still leaves the e-mail to send."""
    from ..tasks import assessment_report_email_task  # cycle: tasks imports services

    enqueue_with_transaction(assessment_report_email_task, str(assessment_id))
