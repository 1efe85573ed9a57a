"""Background work of the assessments domain. Tasks take ids, load, and call a service."""

from __future__ import annotations

from django_tasks import TaskContext, task

from . import services


@task(takes_context=True)
def assessment_scan_task(context: TaskContext, assessment_id: str) -> str | None:
    """Scan one queued assessment; returns its status afterwards (None: nothing to do).

    The job's id goes with the claim: when this job runs again because its worker died mid-scan,
    it takes over its own `running` scan; a duplicate job for the same scan does nothing."""
    assessment = services.assessment_run(assessment_id=assessment_id, job_id=context.task_result.id)
    return assessment.status if assessment else None


@task()
def assessment_report_email_task(assessment_id: str) -> bool:
    """E-mail the finished report (and the sales copy): each at most once, also when re-run."""
    return services.assessment_send_report(assessment_id=assessment_id)


@task()
def assessment_monitor_alert_task(assessment_id: str) -> bool:
    """Alert the lead owner when a watched target's scan got worse: at most once, also when re-run."""
    from .monitoring.services import monitor_send_alert

    return monitor_send_alert(assessment_id=assessment_id)
