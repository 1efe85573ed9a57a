"""E-mailing a finished report: to the requester, and a copy to sales when the lead is hot, each
at most once (also when the job runs again after its worker died)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from enterprise_scanner.jobs.mail import send_once
from leads.models import LeadEventKind
from leads.scoring import ScoringConfig
from leads.services import lead_event_record

from ..models import AssessmentStatus, SecurityAssessment


def _report_message(
    *, assessment: SecurityAssessment, to: list[str], for_sales: bool
) -> EmailMultiAlternatives:
    findings = list(assessment.findings.all())
    context = {
        "assessment": assessment,
        "lead": assessment.lead,
        "findings": findings[:5],
        "finding_count": len(findings),
        "for_sales": for_sales,
        "admin_url": settings.SITE_URL
        + reverse("admin:assessments_securityassessment_change", args=[assessment.pk]),
    }
    subject = f"Security assessment of {assessment.target_host}: grade {assessment.grade}"
    if for_sales:
        subject = f"[Hot lead] {assessment.lead.email} — {subject}"
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:200],
        body=render_to_string("assessments/email/report.txt", context),
        to=to,
    )
    message.attach_alternative(render_to_string("assessments/email/report.html", context), "text/html")
    assessment.report_file.open("rb")
    try:
        message.attach(
            f"security-assessment-{assessment.target_host}.pdf",
            assessment.report_file.read(),
            "application/pdf",
        )
    finally:
        assessment.report_file.close()
    return message


def assessment_send_report(*, assessment_id: uuid.UUID | str) -> bool:
    """E-mail the PDF to the requester (and a copy to sales for a hot lead). Each e-mail at most
    once, also when the job runs again after its worker died: returns False when there was
    nothing (more) to send.

    Each e-mail is its own transaction — lock the assessment, check its `*_sent_at`, record it
    and the timeline entry, send last (`send_once`), commit — so a failure of the sales copy
    cannot roll back the record of the requester's e-mail and have it sent twice."""
    sent = _send_report_copy(assessment_id=assessment_id, for_sales=False)
    if sent is None:
        return False
    return _send_report_copy(assessment_id=assessment_id, for_sales=True) or sent


@transaction.atomic
def _send_report_copy(*, assessment_id: uuid.UUID | str, for_sales: bool) -> bool | None:
    """Send one of the report's e-mails; None when there is no finished report."""
    assessment = (
        SecurityAssessment.objects.select_for_update(of=("self",))
        .select_related("lead", "lead__company")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or assessment.status != AssessmentStatus.COMPLETED or not assessment.report_file:
        return None
    lead = assessment.lead
    if for_sales:
        if assessment.sales_copy_sent_at is not None or assessment.report_sent_at is None:
            return False
        lead.refresh_from_db(fields=["score"])
        if lead.score < ScoringConfig.from_settings().hot_threshold:
            return False
        assessment.sales_copy_sent_at = timezone.now()
        assessment.save(update_fields=["sales_copy_sent_at"])
        to = settings.SALES_ALERT_EMAIL
        summary = f"Assessment report for {assessment.target_host} e-mailed to sales ({to})"
    else:
        if assessment.report_sent_at is not None:
            return False
        assessment.report_sent_at = timezone.now()
        assessment.save(update_fields=["report_sent_at"])
        to = lead.email
        summary = f"Assessment report for {assessment.target_host} e-mailed to {to}"
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.EMAIL_SENT,
        summary=summary,
        data={"assessment": str(assessment.pk), "sales_copy": for_sales},
    )
    message = _report_message(assessment=assessment, to=[to], for_sales=for_sales)
    key = f"assessment-report:{assessment.pk}:{'sales' if for_sales else 'requester'}:{assessment.completed_at:%Y%m%dT%H%M%S.%f}"
    if not send_once(message, key=key):
        transaction.set_rollback(True)  # sent before (ledger), whatever the row says
        return False
    return True
