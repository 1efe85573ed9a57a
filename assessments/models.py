"""Security assessments of a prospect's public website, their findings, and ROI calculations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AssessmentType(models.TextChoices):
    QUICK = "quick", "Quick check"
    STANDARD = "standard", "Standard"
    ENTERPRISE = "enterprise", "Enterprise"


class AssessmentStatus(models.TextChoices):
    #: The target is not on the requester's company domain: staff must approve it before any scan.
    PENDING_APPROVAL = "pending_approval", "Awaiting target approval"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Grade(models.TextChoices):
    """The Mozilla HTTP Observatory's grades."""

    A_PLUS = "A+", "A+"
    A = "A", "A"
    A_MINUS = "A-", "A-"
    B_PLUS = "B+", "B+"
    B = "B", "B"
    B_MINUS = "B-", "B-"
    C_PLUS = "C+", "C+"
    C = "C", "C"
    C_MINUS = "C-", "C-"
    D_PLUS = "D+", "D+"
    D = "D", "D"
    D_MINUS = "D-", "D-"
    F = "F", "F"


class WatchSource(models.TextChoices):
    """Why a target is watched: staff chose it, or the prospect consented in their request."""

    STAFF = "staff", "Staff choice"
    CONSENT = "consent", "Prospect's consent"


def default_monitor_interval_days() -> int:
    return settings.ASSESSMENT_MONITOR_INTERVAL_DAYS


class MonitoredTarget(models.Model):
    """A prospect's website host that is re-scanned on a schedule (monitoring).

    One row per normalised host (`guard.canonical_host`, as `SecurityAssessment.target_host`),
    linked to the lead whose owner hears about changes and to its company. Each scheduled scan is
    an ordinary `SecurityAssessment` pointing here, so every scan is kept and the history and the
    diffs are read from those rows. `is_active` off keeps the history but stops the schedule."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    host = models.CharField(max_length=253, unique=True, help_text="Normalised host name of the target.")
    target_url = models.URLField(max_length=2048, help_text="The URL each scheduled scan fetches.")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="monitored_targets")
    company = models.ForeignKey(
        "leads.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="monitored_targets"
    )
    is_active = models.BooleanField("watched", default=True, help_text="Re-scan on the schedule.")
    interval_days = models.PositiveSmallIntegerField(
        default=default_monitor_interval_days, help_text="Days between scheduled re-scans."
    )
    source = models.CharField(max_length=10, choices=WatchSource.choices, default=WatchSource.STAFF)
    watched_since = models.DateTimeField(default=timezone.now)
    watched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_scan_at = models.DateTimeField(
        null=True, blank=True, help_text="When the schedule queues the next scan (empty: not scheduled)."
    )
    last_scan_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "watched target"
        ordering = ["host"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_days__gte=1, interval_days__lte=365),
                name="monitored_target_interval_1_365",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "next_scan_at"], name="monitored_target_due_idx")]

    def __str__(self) -> str:
        return self.host


class SecurityAssessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="assessments")
    target_url = models.URLField(max_length=2048)
    assessment_type = models.CharField(
        max_length=20, choices=AssessmentType.choices, default=AssessmentType.STANDARD
    )
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.QUEUED
    )
    target_host = models.CharField(
        max_length=253, blank=True, help_text="Lower-case host name of the target (per-domain rate limit)."
    )
    risk_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0 (no risk seen) to 100 (severe)."
    )
    grade = models.CharField(max_length=2, choices=Grade.choices, blank=True)
    observatory_score = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text="Mozilla HTTP Observatory-style score (100 ± modifiers, bonuses ≥ 90).",
    )
    results = models.JSONField(
        default=dict, blank=True, help_text="Every test's result, TLS facts and response headers seen."
    )
    report_file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    access_token_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the status URL's token."
    )
    target_approved_at = models.DateTimeField(null=True, blank=True)
    target_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    #: The background job running the scan (set when it claims it): a re-run of that same job
    #: after its worker died may take the scan over; another job may not.
    job_id = models.CharField(max_length=64, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    report_sent_at = models.DateTimeField(null=True, blank=True)
    sales_copy_sent_at = models.DateTimeField(null=True, blank=True)
    #: The watched target this scan belongs to (its history and diffs); empty for a one-off scan.
    monitored_target = models.ForeignKey(
        MonitoredTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    #: When the lead owner was alerted about this scan (grade drop or new critical finding).
    monitor_alert_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(risk_score__isnull=True)
                | models.Q(risk_score__gte=0, risk_score__lte=100),
                name="assessment_risk_score_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AssessmentStatus.values),
                name="assessment_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="assessment_status_time_idx"),
            models.Index(fields=["lead", "-requested_at"], name="assessment_lead_time_idx"),
            models.Index(fields=["target_host", "requested_at"], name="assessment_host_time_idx"),
            models.Index(fields=["monitored_target", "completed_at"], name="assessment_target_history_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.target_url} ({self.get_status_display()})"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    INFO = "info", "Info"


class Finding(models.Model):
    assessment = models.ForeignKey(SecurityAssessment, on_delete=models.CASCADE, related_name="findings")
    check_id = models.CharField(max_length=80, help_text="Stable id, e.g. 'csp-not-implemented'.")
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    evidence = models.TextField(blank=True, help_text="The header or value seen.")
    description = models.TextField(blank=True, help_text="Why it matters.")
    recommendation = models.TextField(blank=True, help_text="How to fix it.")
    compliance_refs = models.JSONField(
        default=list, blank=True, help_text="e.g. ['OWASP ASVS 5.0 V3.4.1', 'PCI DSS 4.0.1 6.4.1']."
    )
    score_modifier = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "check_id"], name="finding_unique_check"),
            models.CheckConstraint(
                condition=models.Q(severity__in=Severity.values), name="finding_severity_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.severity}] {self.title}"


class RoiCalculation(models.Model):
    """One use of the ROI calculator: what was entered and what it answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="roi_calculations"
    )
    visitor = models.ForeignKey(
        "analytics.Visitor",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roi_calculations",
    )
    inputs = models.JSONField(help_text="employees, annual_security_budget, industry, region …")
    outputs = models.JSONField(help_text="breach exposure, potential savings …")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "ROI calculation"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="roi_created_idx")]

    def __str__(self) -> str:
        return f"ROI calculation {self.created_at:%Y-%m-%d %H:%M}"
