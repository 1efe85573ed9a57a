"""Work a dead worker or a down mail server left behind: scans stuck `running` with no job to
finish them, and finished reports whose e-mail never went out."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import AssessmentStatus, SecurityAssessment
from ..selectors import assessment_ids_with_unsent_report, stale_running_assessments
from .jobs import report_email_enqueue, scan_enqueue


@transaction.atomic
def assessment_recover_stale(*, rerun: bool = False) -> list[SecurityAssessment]:
    """Mark scans left running with no job to finish them as failed, or queue them again; and
    queue the e-mail again for finished reports that were never sent (the mail server was down).

    A scan whose worker died is normally re-run by the generic job recovery
    (`recover_stale_jobs`: the job is queued again and takes its scan over); this is for what that
    cannot do (see `stale_running_assessments`)."""
    cutoff = timezone.now() - timedelta(seconds=settings.ASSESSMENT_STALE_AFTER_SECONDS)
    for assessment_id in assessment_ids_with_unsent_report(completed_before=cutoff):
        report_email_enqueue(assessment_id)

    stale_ids = [assessment.pk for assessment in stale_running_assessments()]
    recovered = list(
        SecurityAssessment.objects.select_for_update().filter(
            pk__in=stale_ids, status=AssessmentStatus.RUNNING
        )
    )
    for assessment in recovered:
        if rerun:
            assessment.status = AssessmentStatus.QUEUED
            assessment.started_at = None
            scan_enqueue(assessment)
        else:
            assessment.status = AssessmentStatus.FAILED
            assessment.completed_at = timezone.now()
        assessment.error = "The scan stopped without finishing (its worker died); it can be re-run."
        assessment.save(update_fields=["status", "started_at", "completed_at", "error"])
    return recovered
