"""Companies, leads, and everything that happens to a lead.

Invariants live in the database (unique lower-cased e-mail, score 0–100, one company per mail
domain), so no code path, import or race can break them. State changes go through
`leads.services`; models hold data only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Company(models.Model):
    """An organisation, identified by its registrable e-mail domain (e.g. `jpmorganchase.com`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    domain = models.CharField(
        max_length=253, unique=True, help_text="Registrable domain, lower case, e.g. microsoft.com."
    )
    industry = models.CharField(max_length=120, blank=True)
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(
        max_digits=16, decimal_places=0, null=True, blank=True, help_text="US dollars per year."
    )
    hq_city = models.CharField("HQ city", max_length=100, blank=True)
    hq_state = models.CharField("HQ state", max_length=100, blank=True)
    hq_country = models.CharField("HQ country", max_length=2, blank=True, default="US")
    fortune_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Rank on the Fortune 500 list of `fortune_year`."
    )
    fortune_year = models.PositiveSmallIntegerField(null=True, blank=True)
    is_fortune_500 = models.GeneratedField(
        expression=models.Q(fortune_rank__isnull=False),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name="Fortune 500",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="company_domain_lower_case"
            ),
            models.CheckConstraint(
                condition=models.Q(fortune_rank__isnull=True)
                | models.Q(fortune_rank__gte=1, fortune_rank__lte=500, fortune_year__isnull=False),
                name="company_fortune_rank_1_500_with_year",
            ),
        ]
        indexes = [models.Index(fields=["fortune_rank"], name="company_fortune_rank_idx")]

    def __str__(self) -> str:
        return self.name


class CompanyDomain(models.Model):
    """Another mail domain of a company (subsidiaries, brands, old names: chase.com, optum.com).

    A table rather than a list field, so that "which company owns this domain" is one indexed
    lookup on every database, and no domain can belong to two companies.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="alias_domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        verbose_name = "alias domain"
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="companydomain_domain_lower_case"
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class Seniority(models.TextChoices):
    C_LEVEL = "c_level", "C-Level"
    VP = "vp", "VP"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    INDIVIDUAL = "individual", "Individual contributor"
    UNKNOWN = "unknown", "Unknown"


class LeadSource(models.TextChoices):
    DEMO_REQUEST = "demo_request", "Demo request"
    CONTACT = "contact", "Contact form"
    ASSESSMENT = "assessment", "Security assessment"
    NEWSLETTER = "newsletter", "Newsletter"
    CHAT = "chat", "Live chat"
    IMPORT = "import", "Import"
    MANUAL = "manual", "Entered by staff"
    PARTNER = "partner", "Partner deal registration"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    QUALIFIED = "qualified", "Qualified"
    CONTACTED = "contacted", "Contacted"
    DEMO_SCHEDULED = "demo_scheduled", "Demo scheduled"
    PROPOSAL = "proposal", "Proposal"
    CLOSED_WON = "closed_won", "Closed won"
    CLOSED_LOST = "closed_lost", "Closed lost"


class Lead(models.Model):
    """A person who identified themselves with an e-mail address.

    `is_fortune_500` copies the company's flag so that the sales queue ("score > 90 and
    Fortune 500, best first") is served by one index instead of a join over every lead; the
    leads services keep it in step whenever the company link or the company's rank changes.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, default=Seniority.UNKNOWN)
    phone = models.CharField(max_length=40, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    company_name = models.CharField(
        max_length=200, blank=True, help_text="The company name as the person typed it."
    )
    source = models.CharField(max_length=20, choices=LeadSource.choices, default=LeadSource.CONTACT)
    message = models.TextField(blank=True, max_length=5000)
    status = models.CharField(max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    lost_reason = models.CharField(max_length=255, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    score_breakdown = models.JSONField(
        default=dict, blank=True, help_text="The parts the score is made of, and why."
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    is_fortune_500 = models.BooleanField("Fortune 500", default=False, editable=False)
    estimated_deal_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="US dollars."
    )
    actual_deal_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="US dollars, when won."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
    )
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    visitor = models.ForeignKey(
        "analytics.Visitor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The anonymous visitor this lead was first seen as.",
    )
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    consent_marketing = models.BooleanField(default=False)
    consent_marketing_at = models.DateTimeField(null=True, blank=True)
    marketing_unsubscribed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the lead unsubscribed from marketing e-mail (never mailed again).",
    )
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    next_follow_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_fortune_500", "-score", "-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="lead_email_unique_ci"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="lead_score_0_100"),
            models.CheckConstraint(
                condition=models.Q(estimated_deal_value__isnull=True) | models.Q(estimated_deal_value__gte=0),
                name="lead_estimated_deal_value_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_deal_value__isnull=True) | models.Q(actual_deal_value__gte=0),
                name="lead_actual_deal_value_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_marketing=False) | models.Q(consent_marketing_at__isnull=False),
                name="lead_consent_has_timestamp",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=LeadStatus.values), name="lead_status_valid"
            ),
        ]
        indexes = [
            # The hot queue: Fortune 500 first, best score first (seed: score > 90 AND is_fortune_500).
            models.Index(fields=["-is_fortune_500", "-score", "-created_at"], name="lead_queue_idx"),
            # The INCLUDEd columns (PostgreSQL; ignored elsewhere) let the dashboard's counts run
            # as index-only scans, for a rep (owner) as for a manager: the pipeline per status,
            # follow-ups due, leads per week (leads/dashboard.py).
            models.Index(
                fields=["status", "-score"],
                name="lead_status_score_idx",
                include=["owner", "estimated_deal_value"],
            ),
            models.Index(fields=["owner", "status"], name="lead_owner_status_idx"),
            models.Index(
                fields=["next_follow_up_at"], name="lead_follow_up_idx", include=["status", "owner"]
            ),
            models.Index(fields=["created_at"], name="lead_created_idx", include=["owner"]),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class LeadEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Form submitted"
    CREATED = "created", "Lead created"
    COMPANY_MATCHED = "company_matched", "Company matched"
    SCORED = "scored", "Scored"
    ALERT_SENT = "alert_sent", "Sales alert sent"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    FOLLOW_UP_SCHEDULED = "follow_up_scheduled", "Follow-up scheduled"
    NOTE_ADDED = "note_added", "Note added"
    #: Activities a rep logs on the lead page (leads.services.activities).
    CALL_LOGGED = "call_logged", "Call"
    EMAIL_LOGGED = "email_logged", "E-mail logged"
    MEETING_LOGGED = "meeting_logged", "Meeting"
    EMAIL_SENT = "email_sent", "E-mail sent"
    CHAT = "chat", "Chat conversation"
    ASSESSMENT = "assessment", "Security assessment"
    ROI_CALCULATION = "roi_calculation", "ROI calculation"
    PAGE_VIEWS = "page_views", "Website activity"
    REFERRED = "referred", "Referred by partner"
    IMPORTED = "imported", "Imported"
    MERGED = "merged", "Merged"
    UPDATED = "updated", "Updated"
    #: Something a rep should act on now, e.g. a watched prospect's security grade dropped.
    SALES_TRIGGER = "sales_trigger", "Sales trigger"
    TASK_CREATED = "task_created", "Task created"
    TASK_UPDATED = "task_updated", "Task changed"
    TASK_COMPLETED = "task_completed", "Task completed"
    TASK_REOPENED = "task_reopened", "Task reopened"
    #: Nurture e-mail (leads.nurture): enrolled, a step sent, stopped, unsubscribed; a reply.
    NURTURE_ENROLLED = "nurture_enrolled", "Nurture enrolled"
    NURTURE_SENT = "nurture_sent", "Nurture e-mail sent"
    NURTURE_STOPPED = "nurture_stopped", "Nurture stopped"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    EMAIL_REPLY = "email_reply", "E-mail reply received"


class LeadEvent(models.Model):
    """One row per thing that happened to a lead: its timeline, newest first.

    `actor` is the staff user who did it, if any; `actor_label` names other actors
    ("website form", "chat bot", "system") so every row says who.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=LeadEventKind.choices)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True, default="system")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "timeline entry"
        verbose_name_plural = "timeline"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "-created_at"], name="leadevent_lead_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class LeadNote(models.Model):
    """A free-text note a rep wrote on a lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["lead", "-created_at"], name="leadnote_lead_time_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="leadnote_body_not_empty"),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class TaskKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up"
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    TODO = "todo", "To-do"


class LeadTask(models.Model):
    """Something a person should do about a lead by a given time ("call back Tuesday 10:00").

    A lead has any number; its `next_follow_up_at` is the due time of its earliest open task,
    kept so by `leads.services.tasks` (the lead queue, the dashboard and the API read that one
    indexed column instead of a subquery per lead). An empty `owner` means "whoever owns the
    lead", so reassigning a lead hands its unowned tasks over with it; an explicit owner keeps
    the task whoever owns the lead. Open means `done_at` is empty.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP)
    due_at = models.DateTimeField("due")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_tasks",
        help_text="Empty: the lead's owner.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The local day the reminder digest last listed this task (leads.followups): a second run
    #: the same day leaves it out.
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "task"
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="leadtask_title_not_empty"),
            models.CheckConstraint(condition=models.Q(kind__in=TaskKind.values), name="leadtask_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=False) | models.Q(done_by__isnull=True),
                name="leadtask_done_by_only_when_done",
            ),
        ]
        indexes = [
            # A lead's open tasks, earliest first (its next follow-up, its page).
            models.Index(
                fields=["lead", "due_at"], name="leadtask_open_lead_idx", condition=models.Q(done_at=None)
            ),
            # Everyone's open tasks by due time (My tasks, the digest).
            models.Index(fields=["due_at"], name="leadtask_open_due_idx", condition=models.Q(done_at=None)),
            models.Index(fields=["owner", "due_at"], name="leadtask_owner_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    @property
    def is_overdue(self) -> bool:
        """Open and due before today (a local day of `settings.TIME_ZONE`): the same line the
        "Overdue" preset of My tasks and the reminder digest draw, so the flag and the lists agree."""
        from .days import day_bounds

        return self.done_at is None and self.due_at < day_bounds().start

    @property
    def assignee(self):
        """Who should do it: the task's owner, else the lead's (None on an unassigned lead)."""
        return self.owner if self.owner_id else self.lead.owner


class IntakeIdempotencyKey(models.Model):
    """A public submission sent with an `Idempotency-Key` header, stored in the same transaction
    as the submission. A retry with the same key (the browser or a proxy never saw the first
    response) gets the first answer back and records nothing new."""

    website = models.ForeignKey("analytics.Website", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the validated submission.")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    created = models.BooleanField(help_text="The first answer created the lead (201) or not (200).")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["website", "key"], name="intake_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key


# The nurture tables live in their own module (leads.nurture.models); Django finds them here.
from .nurture.models import (  # noqa: E402, F401
    EnrollmentStatus,
    NurtureEnrollment,
    NurtureSend,
    NurtureSequence,
    NurtureStep,
    NurtureTrigger,
    StopReason,
)
