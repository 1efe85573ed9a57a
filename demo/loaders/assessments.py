"""The Microsoft CISO's completed security assessment.

Written as rows here, not through `assessments.services`: `assessment_request` queues a real
scan of the target (www.microsoft.com) for the worker, and `assessment_complete` needs a live
`ScanOutcome` and sends the report e-mail. A "record a finished scan" service does not exist;
this is the minimal loader for it (noted for the lead). The timeline entry uses the leads
timeline service.
"""

from __future__ import annotations

from datetime import timedelta

from assessments.models import AssessmentStatus, AssessmentType, Finding, SecurityAssessment
from assessments.services import assessment_report_attach, findings_from
from demo.specs.assessments import (
    MICROSOFT_FINDINGS,
    MICROSOFT_GRADE,
    MICROSOFT_RISK_SCORE,
    MICROSOFT_TARGET_URL,
)
from demo.specs.leads import LEADS
from leads.models import Lead, LeadEventKind
from leads.services import lead_event_record

from .clock import backdated

SCAN_STARTED_AFTER = timedelta(seconds=14)
SCAN_TOOK = timedelta(seconds=83)


def attach_missing_reports() -> int:
    """Render the PDF of each completed demo assessment that has none, through the assessments
    service; returns how many. After the website activity, so the CISO's ROI calculation is in
    the report. Also mends a database an older seed left without the PDF."""
    missing = SecurityAssessment.objects.filter(
        lead__email__in=[spec.email for spec in LEADS], status=AssessmentStatus.COMPLETED, report_file=""
    ).select_related("lead__company")
    count = 0
    for assessment in missing:
        assessment_report_attach(assessment=assessment)
        count += 1
    return count


def load_microsoft_assessment(lead: Lead) -> None:
    """The assessment the CISO requested when she came in (only for a lead created in this run)."""
    requested = lead.created_at
    assessment = SecurityAssessment.objects.create(
        lead=lead,
        target_url=MICROSOFT_TARGET_URL,
        assessment_type=AssessmentType.ENTERPRISE,
        status=AssessmentStatus.COMPLETED,
        risk_score=MICROSOFT_RISK_SCORE,
        grade=MICROSOFT_GRADE,
        attempts=1,
        requested_at=requested,
        started_at=requested + SCAN_STARTED_AFTER,
        completed_at=requested + SCAN_STARTED_AFTER + SCAN_TOOK,
    )
    Finding.objects.bulk_create(findings_from(MICROSOFT_FINDINGS, assessment=assessment))
    with backdated(assessment.completed_at):
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.ASSESSMENT,
            summary=f"Security assessment of {MICROSOFT_TARGET_URL} completed: grade {MICROSOFT_GRADE}, "
            f"{len(MICROSOFT_FINDINGS)} findings",
            data={
                "assessment": str(assessment.pk),
                "grade": MICROSOFT_GRADE,
                "risk_score": MICROSOFT_RISK_SCORE,
            },
            actor_label="scanner",
        )
