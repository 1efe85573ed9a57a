"""The nurture tables. Imported by `leads.models` (Django finds an app's models there).

The invariants are constraints: one enrolment per lead and sequence (a lead never gets the same
sequence twice, also when two workers enrol it at once), and one send per enrolment and step —
the guarantee that nobody gets a step twice, whatever crashes and re-runs happen.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class NurtureTrigger(models.TextChoices):
    FORM_SUBMITTED = "form_submitted", "Form submitted"
    SCORE_BAND = "score_band", "Score enters a band"
    ASSESSMENT_COMPLETED = "assessment_completed", "Security assessment completed"


class NurtureSequence(models.Model):
    """A series of e-mails leads are enrolled in by one rule (`trigger`)."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=2000, help_text="What it is for (staff only).")
    trigger = models.CharField(max_length=30, choices=NurtureTrigger.choices)
    sources = models.JSONField(
        default=list,
        blank=True,
        help_text="Form submitted: the forms (lead sources) that enrol; none selected means any form.",
    )
    min_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Score band: the lowest score (0–100) that enrols."
    )
    max_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Score band: the highest score that enrols (empty: 100)."
    )
    is_active = models.BooleanField(
        "active",
        default=False,
        help_text="Inactive: nobody new is enrolled and nothing is sent (enrolments wait, paused).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "nurture sequence"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trigger__in=NurtureTrigger.values), name="nurtureseq_trigger_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(min_score__isnull=True) | models.Q(min_score__lte=100),
                name="nurtureseq_min_score_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(max_score__isnull=True)
                | models.Q(max_score__lte=100, min_score__isnull=True)
                | models.Q(max_score__lte=100, min_score__lte=models.F("max_score")),
                name="nurtureseq_score_band_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(trigger=NurtureTrigger.SCORE_BAND) | models.Q(min_score__isnull=False),
                name="nurtureseq_score_band_has_min",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NurtureStep(models.Model):
    """One e-mail of a sequence, sent `delay` after the lead's enrolment.

    Subject, text and HTML are templates in a sandboxed template language with a fixed context
    (see `leads.nurture.templating`); they are checked when saved, so a step that is stored can
    be rendered for every lead."""

    sequence = models.ForeignKey(NurtureSequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=1)
    delay_days = models.PositiveSmallIntegerField(default=0, help_text="Days after enrolment.")
    delay_hours = models.PositiveSmallIntegerField(default=0, help_text="Plus hours.")
    subject = models.CharField(max_length=200)
    text_template = models.TextField("text", max_length=20000)
    html_template = models.TextField(
        "HTML", max_length=50000, blank=True, help_text="Optional; without it the e-mail is plain text."
    )

    class Meta:
        verbose_name = "nurture step"
        ordering = ["sequence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "position"], name="nurturestep_position_unique"),
            models.CheckConstraint(condition=~models.Q(subject=""), name="nurturestep_subject_not_empty"),
            models.CheckConstraint(condition=~models.Q(text_template=""), name="nurturestep_text_not_empty"),
            models.CheckConstraint(
                condition=models.Q(delay_hours__lt=24 * 366), name="nurturestep_hours_bound"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.subject}"

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days, hours=self.delay_hours)


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class StopReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    REPLIED = "replied", "Replied"
    CLOSED = "closed", "Deal closed"
    MANUAL = "manual", "Stopped by staff"
    CONSENT_WITHDRAWN = "consent_withdrawn", "No marketing consent"
    UNDELIVERABLE = "undeliverable", "Undeliverable"


class NurtureEnrollment(models.Model):
    """A lead in a sequence: which step is next and when it is due."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="nurture_enrollments")
    sequence = models.ForeignKey(NurtureSequence, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(
        max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    stop_reason = models.CharField(max_length=30, choices=StopReason.choices, blank=True)
    next_step = models.ForeignKey(
        NurtureStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_send_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True, help_text="Completed or stopped.")
    send_failures = models.PositiveSmallIntegerField(
        "Refused sends",
        default=0,
        help_text="Sends in a row the mail server refused (5xx); back to 0 after a send goes out. "
        "At NURTURE_MAX_SEND_FAILURES the enrolment stops as undeliverable.",
    )
    last_send_error = models.CharField(
        "Last refusal", max_length=300, blank=True, help_text="What the mail server answered last time."
    )
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "nurture enrolment"
        ordering = ["-enrolled_at", "-pk"]
        constraints = [
            # Stronger than "one active enrolment": a lead never goes through a sequence twice.
            models.UniqueConstraint(fields=["lead", "sequence"], name="nurtureenrollment_once_per_sequence"),
            models.CheckConstraint(
                condition=models.Q(status__in=EnrollmentStatus.values), name="nurtureenrollment_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status=EnrollmentStatus.STOPPED, stop_reason__in=StopReason.values)
                | (~models.Q(status=EnrollmentStatus.STOPPED) & models.Q(stop_reason="")),
                name="nurtureenrollment_stop_reason_iff_stopped",
            ),
        ]
        indexes = [
            # The sender's query: active enrolments due now, earliest first.
            models.Index(
                fields=["next_send_at"],
                name="nurtureenrollment_due_idx",
                condition=models.Q(status="active"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} in {self.sequence_id}"


class NurtureSend(models.Model):
    """A step e-mailed to an enrolled lead. UNIQUE(enrollment, step): sent once, ever."""

    enrollment = models.ForeignKey(NurtureEnrollment, on_delete=models.CASCADE, related_name="sends")
    step = models.ForeignKey(NurtureStep, on_delete=models.PROTECT, related_name="sends")
    subject = models.CharField(max_length=200)
    message_id = models.CharField(max_length=255)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "nurture e-mail sent"
        verbose_name_plural = "nurture e-mails sent"
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="nurturesend_once_per_step"),
        ]

    def __str__(self) -> str:
        return self.subject
