"""Tracked websites, anonymous visitors, their events, and daily rollups."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class Website(models.Model):
    """A site that embeds our script. Its publishable key is public by design (it sits in the
    page's HTML); what protects it is the list of origins it may be used from, and throttling."""

    name = models.CharField(max_length=100)
    publishable_key = models.CharField(max_length=64, unique=True, editable=False)
    allowed_origins = models.JSONField(
        default=list,
        help_text="Exact origins, e.g. ['https://www.example.com']: scheme, host and port.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Visitor(models.Model):
    """A browser we have seen, known by the random id in its first-party cookie."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="visitors")
    anonymous_id = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    lead = models.ForeignKey(
        "leads.Lead",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visitors",
        help_text="The lead this visitor turned out to be (identity stitching).",
    )
    company = models.ForeignKey(
        "leads.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visitors",
        help_text="Company the visits are attributed to.",
    )
    first_touch = models.JSONField(
        default=dict, blank=True, help_text="Referrer and UTM parameters of the first visit."
    )

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["website", "anonymous_id"], name="visitor_unique_per_site"),
        ]
        indexes = [
            models.Index(fields=["company", "-last_seen_at"], name="visitor_company_seen_idx"),
            models.Index(fields=["lead"], name="visitor_lead_idx"),
        ]

    def __str__(self) -> str:
        return f"Visitor {self.anonymous_id[:12]}"


class EventType(models.TextChoices):
    PAGE_VIEW = "page_view", "Page view"
    ROI_CALCULATION = "roi_calculation", "ROI calculation"
    FORM_VIEW = "form_view", "Form view"
    FORM_SUBMIT = "form_submit", "Form submit"
    CHAT_STARTED = "chat_started", "Chat started"
    ASSESSMENT_REQUESTED = "assessment_requested", "Assessment requested"
    CUSTOM = "custom", "Custom"


class Event(models.Model):
    """Something a visitor did. IPs are stored anonymised (last octet / last 80 bits zeroed)."""

    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="+")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=30, choices=EventType.choices)
    url = models.URLField(max_length=2048, blank=True)
    referrer = models.URLField(max_length=2048, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="Anonymised.")
    user_agent = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["event_type", "occurred_at"], name="event_type_time_idx"),
            models.Index(fields=["visitor", "occurred_at"], name="event_visitor_time_idx"),
            models.Index(fields=["occurred_at"], name="event_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(event_type__in=EventType.values), name="event_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.url}"


class DailyMetric(models.Model):
    """One day's rollup of the raw events, per website (or all sites when `website` is empty).

    Dashboards read these rows, never the raw events, so they stay fast at millions of events.
    """

    date = models.DateField()
    website = models.ForeignKey(
        Website, null=True, blank=True, on_delete=models.CASCADE, related_name="daily_metrics"
    )
    visitors = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    fortune_500_visitors = models.PositiveIntegerField(default=0)
    chats = models.PositiveIntegerField(default=0)
    assessments = models.PositiveIntegerField(default=0)
    roi_calculations = models.PositiveIntegerField(default=0)
    conversion_rate = models.DecimalField(
        max_digits=6, decimal_places=4, default=0, help_text="Leads / visitors."
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "website"],
                condition=models.Q(website__isnull=False),
                name="dailymetric_unique_site_day",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(website__isnull=True),
                name="dailymetric_unique_all_sites_day",
            ),
            models.CheckConstraint(
                condition=models.Q(conversion_rate__gte=0, conversion_rate__lte=1),
                name="dailymetric_conversion_rate_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.website or 'all sites'}"


class CompanyDailyVisit(models.Model):
    """One day's visits by one company (through stitched leads or imported IP ranges): the rollup
    behind "which Fortune 500 companies visited?" and the top-companies chart."""

    date = models.DateField()
    company = models.ForeignKey("leads.Company", on_delete=models.CASCADE, related_name="daily_visits")
    visitors = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)
    last_visit_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-visitors"]
        constraints = [
            models.UniqueConstraint(fields=["date", "company"], name="companydailyvisit_unique_day"),
        ]
        indexes = [models.Index(fields=["company", "-date"], name="companyvisit_company_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.company_id}"


class PageDailyView(models.Model):
    """One day's page views of one path (all sites): the rollup behind the top-pages chart."""

    date = models.DateField()
    path = models.CharField(max_length=500)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date", "-views"]
        constraints = [models.UniqueConstraint(fields=["date", "path"], name="pagedailyview_unique_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.path}"


class IpRange(models.Model):
    """A network a manager imported (CIDR → company domain), so anonymous visits from a company's
    offices can be attributed to it. Stored as integer bounds for a range lookup; the bounds of an
    IPv6 network do not fit a 64-bit column, so they are kept as zero-padded hex strings, which
    compare in the same order."""

    network = models.CharField(max_length=49, unique=True, help_text="CIDR, e.g. 192.0.2.0/24.")
    version = models.PositiveSmallIntegerField(choices=[(4, "IPv4"), (6, "IPv6")])
    start = models.CharField(max_length=32, help_text="First address, 32 hex digits.")
    end = models.CharField(max_length=32, help_text="Last address, 32 hex digits.")
    company = models.ForeignKey("leads.Company", on_delete=models.CASCADE, related_name="ip_ranges")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "IP range"
        ordering = ["network"]
        indexes = [models.Index(fields=["version", "start", "end"], name="iprange_lookup_idx")]

    def __str__(self) -> str:
        return self.network


class ErasureRecord(models.Model):
    """Proof that a person's data was erased on request (right to erasure), without keeping the
    person: only a SHA-256 of the lower-cased e-mail address and the numbers of rows removed."""

    email_sha256 = models.CharField(max_length=64)
    deleted = models.JSONField(default=dict, help_text="Rows removed, per kind.")
    actor_label = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Erasure {self.email_sha256[:12]}… {self.created_at:%Y-%m-%d}"
