"""Sending the nurture e-mails that are due: rate-limited, resumable, each at most once.

Each enrolment is sent in a transaction of its own, locked with SKIP LOCKED (two senders never
take the same row): the stop rules are checked again, then the send is recorded (NurtureSend,
unique per enrolment and step; the timeline; the enrolment moved to its next step) and the
e-mail handed to the mail server last, through the ledger of `send_once`. A sender killed
mid-batch leaves every e-mail it sent committed and every other one due: the next run sends
those, and nobody twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from enterprise_scanner.jobs.mail import deterministic_message_id, send_once

from ...models import (
    EnrollmentStatus,
    Lead,
    LeadEvent,
    LeadEventKind,
    NurtureEnrollment,
    NurtureSend,
    NurtureStep,
    StopReason,
)
from ...services.events import lead_event_record
from ..templating import SAMPLE_CONTEXT, render, render_subject
from .enrolment import _stop_rows, lead_may_receive_marketing, unsubscribe_url

logger = logging.getLogger(__name__)

#: Two e-mails of one sequence are never closer than this, whatever the step delays say.
MIN_GAP = timedelta(hours=1)
#: A send that failed is tried again this much later (up to NURTURE_MAX_SEND_FAILURES refusals).
RETRY_DELAY = timedelta(minutes=15)
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass
class SendReport:
    sent: int = 0
    completed: int = 0
    stopped: int = 0
    failed: int = 0
    skipped: int = 0
    undeliverable: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.completed} sequences completed, {self.stopped} stopped, "
            f"{self.failed} failed (retried later), {self.undeliverable} stopped as undeliverable, "
            f"{self.skipped} taken by another sender"
        )


def _assessment_context(lead: Lead) -> dict[str, Any]:
    from assessments.models import AssessmentStatus, SecurityAssessment

    assessment = (
        SecurityAssessment.objects.filter(lead=lead, status=AssessmentStatus.COMPLETED)
        .order_by("-completed_at")
        .only("pk", "grade", "target_url", "completed_at")
        .first()
    )
    if assessment is None:
        return {"grade": "", "target_host": "", "top_findings": [], "findings_count": 0}
    findings = list(assessment.findings.values("title", "severity", "recommendation"))
    findings.sort(key=lambda f: SEVERITY_RANK.get(f["severity"], 9))
    return {
        "grade": assessment.grade,
        "target_host": urlsplit(assessment.target_url).hostname or "",
        "top_findings": findings[:3],
        "findings_count": len(findings),
    }


def nurture_context(*, lead: Lead) -> dict[str, Any]:
    """The fixed context of a step: plain values only (see templating.VARIABLES)."""
    company = lead.company.name if lead.company_id and lead.company else lead.company_name
    return {
        "first_name": lead.first_name or "there",
        "last_name": lead.last_name,
        "company": company,
        "job_title": lead.job_title,
        **_assessment_context(lead),
        "unsubscribe_url": unsubscribe_url(lead.pk),
        "site_url": settings.SITE_URL,
    }


def _list_unsubscribe_mailto() -> str:
    address = settings.NURTURE_UNSUBSCRIBE_MAILTO
    return f"mailto:{address}?subject=unsubscribe"


def nurture_message(*, step: NurtureStep, context: dict[str, Any], to: str) -> EmailMultiAlternatives:
    """The e-mail of `step` for one recipient, with RFC 8058 one-click unsubscribe headers and the
    unsubscribe link at the bottom of both parts."""
    link = context["unsubscribe_url"]
    text = render(step.text_template, context, html=False).rstrip()
    text += f"\n\n--\nYou get this because you agreed to hear from Enterprise Scanner.\nUnsubscribe: {link}\n"
    message = EmailMultiAlternatives(
        subject=render_subject(step.subject, context),
        body=text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{link}>, <{_list_unsubscribe_mailto()}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if step.html_template.strip():
        html = render(step.html_template, context, html=True)
        footer = render(
            '<p style="font-size:12px;color:#6b7280">You get this because you agreed to hear from '
            'Enterprise Scanner. <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
            context,
            html=True,
        )
        html = html.replace("</body>", footer + "</body>") if "</body>" in html else html + footer
        message.attach_alternative(html, "text/html")
    return message


def nurture_send_test(*, step: NurtureStep, to: str) -> None:
    """Send `step` rendered for the sample lead to a staff address (the admin's "Send test")."""
    message = nurture_message(step=step, context=dict(SAMPLE_CONTEXT), to=to)
    message.subject = f"[TEST] {message.subject}"
    message.send()


def _steps_by_sequence(sequence_ids: set[int]) -> dict[int, list[NurtureStep]]:
    steps: dict[int, list[NurtureStep]] = {}
    for step in NurtureStep.objects.filter(sequence_id__in=sequence_ids).order_by("sequence_id", "position"):
        steps.setdefault(step.sequence_id, []).append(step)
    return steps


def _replied_since(enrollment: NurtureEnrollment) -> bool:
    return LeadEvent.objects.filter(
        lead_id=enrollment.lead_id, kind=LeadEventKind.EMAIL_REPLY, created_at__gte=enrollment.enrolled_at
    ).exists()


def _current_step(enrollment: NurtureEnrollment, steps: list[NurtureStep]) -> NurtureStep | None:
    """The step to send: the enrolment's next step, or (its step was deleted) the first one it
    was not sent yet."""
    if enrollment.next_step_id is not None:
        return next((s for s in steps if s.pk == enrollment.next_step_id), None)
    sent = set(enrollment.sends.values_list("step_id", flat=True))
    return next((s for s in steps if s.pk not in sent), None)


def _advance(
    enrollment: NurtureEnrollment, *, step: NurtureStep, steps: list[NurtureStep], now: datetime
) -> bool:
    """Point the enrolment at the step after `step`; True when the sequence is complete."""
    later = [s for s in steps if s.position > step.position]
    if later:
        enrollment.next_step = later[0]
        enrollment.next_send_at = max(enrollment.enrolled_at + later[0].delay, now + MIN_GAP)
    else:
        enrollment.next_step = None
        enrollment.next_send_at = None
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.finished_at = now
    enrollment.send_failures = 0  # "consecutive" refusals: a send that went out starts again
    enrollment.last_send_error = ""
    enrollment.save(
        update_fields=[
            "next_step",
            "next_send_at",
            "status",
            "finished_at",
            "send_failures",
            "last_send_error",
        ]
    )
    return not later


def _send_one(
    *, enrollment_id: int, now: datetime, steps: dict[int, list[NurtureStep]], report: SendReport
) -> None:
    with transaction.atomic():
        enrollment = (
            NurtureEnrollment.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("lead", "lead__company", "sequence")
            .filter(pk=enrollment_id, status=EnrollmentStatus.ACTIVE, next_send_at__lte=now)
            .first()
        )
        if enrollment is None:  # another sender has it, or it was sent or stopped meanwhile
            report.skipped += 1
            return
        lead = enrollment.lead
        reason = lead_may_receive_marketing(lead) or (
            StopReason.REPLIED if _replied_since(enrollment) else None
        )
        if reason is not None:
            _stop_rows([enrollment], lead=lead, reason=reason, actor=None, actor_label="system")
            report.stopped += 1
            return
        sequence_steps = steps.get(enrollment.sequence_id, [])
        step = _current_step(enrollment, sequence_steps)
        if step is None:  # every step was removed from the sequence
            report.completed += _advance(enrollment, step=NurtureStep(position=32767), steps=[], now=now)
            return
        key = f"nurture:{enrollment.pk}:{step.pk}"
        message = nurture_message(step=step, context=nurture_context(lead=lead), to=lead.email)
        try:
            with transaction.atomic():
                NurtureSend.objects.create(
                    enrollment=enrollment,
                    step=step,
                    subject=str(message.subject)[:200],
                    message_id=deterministic_message_id(key),
                    sent_at=now,
                )
        except IntegrityError:  # this step went out before: move on without sending it again
            report.completed += _advance(enrollment, step=step, steps=sequence_steps, now=now)
            return
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.NURTURE_SENT,
            summary=f"Nurture e-mail sent: {message.subject}",
            data={"sequence": enrollment.sequence_id, "step": step.pk, "position": step.position},
        )
        report.completed += _advance(enrollment, step=step, steps=sequence_steps, now=now)
        # Last, in this transaction: a failure rolls everything above back (tried again later).
        send_once(message, key=key)
        report.sent += 1


def _smtp_text(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def refusal_of(error: BaseException) -> str | None:
    """What the mail server said when it refused this recipient or message for good (a 5xx reply
    to RCPT TO or DATA, e.g. "550 5.1.1 no such user"), else None. A connection error, a timeout
    or a 4xx ("try later") says nothing about the address, nor does a refused sender, login or
    HELO (our configuration): those are retried without counting — a mail server that is down or
    misconfigured must not stop every enrolment as undeliverable."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        permanent = [(code, text) for code, text in error.recipients.values() if code >= 500]
        return _smtp_text(*permanent[0]) if permanent else None
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return _smtp_text(error.smtp_code, error.smtp_error)
    return None


def _after_failure(enrollment_id: int, *, error: BaseException, now: datetime) -> bool:
    """Retry the enrolment RETRY_DELAY later; a refusal counts, and the
    NURTURE_MAX_SEND_FAILURES-th in a row stops it as undeliverable (on the lead's timeline).
    True when it stopped."""
    refusal = refusal_of(error)
    with transaction.atomic():
        enrollment = (
            NurtureEnrollment.objects.select_for_update(of=("self",))
            .select_related("lead", "sequence")
            .filter(pk=enrollment_id, status=EnrollmentStatus.ACTIVE)
            .first()
        )
        if enrollment is None:
            return False
        if refusal is None:
            enrollment.next_send_at = now + RETRY_DELAY
            enrollment.save(update_fields=["next_send_at"])
            return False
        enrollment.send_failures += 1
        enrollment.last_send_error = refusal[:300]
        if enrollment.send_failures < settings.NURTURE_MAX_SEND_FAILURES:
            enrollment.next_send_at = now + RETRY_DELAY
            enrollment.save(update_fields=["send_failures", "last_send_error", "next_send_at"])
            return False
        enrollment.save(update_fields=["send_failures", "last_send_error"])
        _stop_rows(
            [enrollment],
            lead=enrollment.lead,
            reason=StopReason.UNDELIVERABLE,
            actor=None,
            actor_label="system",
            detail=f"the mail server refused {enrollment.lead.email} {enrollment.send_failures} times "
            f"in a row, last: {refusal[:200]}",
        )
        return True


def nurture_send_due(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    progress: Callable[[SendReport], None] | None = None,
) -> SendReport:
    """Send the due step of up to `limit` (default `NURTURE_MAX_PER_RUN`) active enrolments,
    earliest due first; run every minute, that is the rate limit. Safe to run on many machines
    at once and to re-run after a crash. `progress` is called after each enrolment."""
    now = now or timezone.now()
    limit = settings.NURTURE_MAX_PER_RUN if limit is None else limit
    report = SendReport()
    due = list(
        NurtureEnrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE, next_send_at__lte=now, sequence__is_active=True
        )
        .order_by("next_send_at", "pk")
        .values_list("pk", "sequence_id")[: max(limit, 0)]
    )
    steps = _steps_by_sequence({sequence_id for _, sequence_id in due})
    for enrollment_id, _ in due:
        try:
            _send_one(enrollment_id=enrollment_id, now=now, steps=steps, report=report)
        except Exception as error:  # the mail server refused or was down: this one later, the others now
            logger.exception("Nurture e-mail of enrolment %s failed", enrollment_id)
            if _after_failure(enrollment_id, error=error, now=now):
                report.undeliverable += 1
            else:
                report.failed += 1
        if progress is not None:
            progress(report)
    return report
