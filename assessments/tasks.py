"""Background work of the assessments domain. Tasks take ids, load, and call a service."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def assessment_scan_task(assessment_id: str) -> str | None:
    """Scan one queued assessment; returns its status afterwards (None: nothing to do)."""
    assessment = services.assessment_run(assessment_id=assessment_id)
    return assessment.status if assessment else None


@task()
def assessment_report_email_task(assessment_id: str) -> bool:
    """E-mail the finished report (idempotent: sends at most once)."""
    return services.assessment_send_report(assessment_id=assessment_id)
