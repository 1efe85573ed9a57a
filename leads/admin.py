"""Admin: the sales CRM where reps spend their day (companies, leads, their timeline and notes).

Who sees what is decided by `leads.selectors.lead_queryset_for_user` (a rep: own leads and the
unassigned queue; a manager: everything); every list, page, action and object URL goes through it.
Writes go through `leads.services` (the same functions the API calls), so the timeline reads the
same whoever changed a lead. Lists select every related row they show (no N+1) and never count
a whole big table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from auditlog.admin import LogEntryAdmin as AuditLogEntryAdmin
from auditlog.models import LogEntry as AuditLogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Max, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import BaseInlineFormSet, ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from import_export.admin import ExportActionModelAdmin, ImportExportModelAdmin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX

from enterprise_scanner.readonly_admin import ViewOnlyAdminMixin

from .admin_duplicates import LeadDuplicatesAdminMixin
from .models import Company, CompanyDomain, IntakeIdempotencyKey, Lead, LeadEvent, LeadNote, LeadStatus
from .resources import CompanyResource, LeadResource
from .selectors import (
    SALES_MANAGER_GROUP,
    SALES_REP_GROUP,
    audit_entry_queryset_for_user,
    lead_queryset_for_user,
    lead_search_q,
    user_is_sales_manager,
    user_may_see_lead,
)
from .services import (
    lead_assign,
    lead_assign_balanced,
    lead_change_status,
    lead_deal_value_recorded,
    lead_note_add,
    lead_record_staff_created,
    lead_schedule_follow_up,
    lead_set_company,
    lead_status_change_validate,
)

# --- Companies ---------------------------------------------------------------------------------


class CompanyDomainInline(admin.TabularInline):
    model = CompanyDomain
    fields = ("domain",)
    extra = 0


@admin.register(Company)
class CompanyAdmin(ImportExportModelAdmin):
    resource_classes = [CompanyResource]
    formats = [CSV, XLSX]
    list_display = ("name", "domain", "fortune_rank", "industry", "employee_count", "is_fortune_500")
    list_filter = ("is_fortune_500", "fortune_year", "hq_country")
    search_fields = ("name", "domain", "alias_domains__domain")
    readonly_fields = ("is_fortune_500", "created_at", "updated_at")
    inlines = (CompanyDomainInline,)
    fieldsets = (
        (None, {"fields": ("name", "domain", "industry", "employee_count", "annual_revenue")}),
        ("Headquarters", {"fields": ("hq_city", "hq_state", "hq_country")}),
        ("Fortune 500", {"fields": ("fortune_rank", "fortune_year", "is_fortune_500")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )


@admin.register(CompanyDomain)
class CompanyDomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "company")
    list_select_related = ("company",)
    search_fields = ("domain", "company__name", "company__domain")
    autocomplete_fields = ("company",)


# --- Scoping helpers -----------------------------------------------------------------------------


def _sales_users() -> QuerySet[Any]:
    """Active staff in a sales group, for owner filters and the owner field."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, is_staff=True, groups__name__in=[SALES_REP_GROUP, SALES_MANAGER_GROUP]
        )
        .distinct()
        .order_by("username")
    )


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows, so a list over millions of leads costs a bounded COUNT
    (`SELECT COUNT(*) FROM (… LIMIT 10001)`) instead of a full-table scan. Beyond the cap the
    pagination line says "more than 10,000" and filters or search narrow it down.

    The count drops the list's ORDER BY: the order does not change how many rows there are, and
    with it PostgreSQL had to find and sort every match before it could stop at the cap."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.CAP + 1].count()


# --- Changelist filters --------------------------------------------------------------------------

SCORE_BANDS = {"hot": (80, None), "warm": (50, 80), "cold": (None, 50)}


class ScoreBandFilter(admin.SimpleListFilter):
    """Hot ≥ 80 (sales alert threshold), warm 50–79, cold < 50."""

    title = "score band"
    parameter_name = "score_band"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("hot", "Hot (80+)"), ("warm", "Warm (50–79)"), ("cold", "Cold (under 50)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        band = SCORE_BANDS.get(self.value() or "")
        if band is None:
            return queryset
        low, high = band
        if low is not None:
            queryset = queryset.filter(score__gte=low)
        if high is not None:
            queryset = queryset.filter(score__lt=high)
        return queryset


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of a calendar day in the current time zone, DST-safe."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), tz)
    return start, end


class FollowUpDueFilter(admin.SimpleListFilter):
    """Follow-ups by the rep's calendar (current time zone): overdue = before today, today, and
    this week = Monday to Sunday of the current week."""

    title = "follow-up due"
    parameter_name = "follow_up"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("today", "Today"), ("week", "This week"), ("none", "None scheduled")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        today = timezone.localdate()
        start_today, start_tomorrow = local_day_bounds(today)
        value = self.value()
        if value == "overdue":
            return queryset.filter(next_follow_up_at__lt=start_today)
        if value == "today":
            return queryset.filter(next_follow_up_at__gte=start_today, next_follow_up_at__lt=start_tomorrow)
        if value == "week":
            monday = today - dt.timedelta(days=today.weekday())
            week_start, _ = local_day_bounds(monday)
            week_end, _ = local_day_bounds(monday + dt.timedelta(days=7))
            return queryset.filter(next_follow_up_at__gte=week_start, next_follow_up_at__lt=week_end)
        if value == "none":
            return queryset.filter(next_follow_up_at__isnull=True)
        return queryset


class OwnerFilter(admin.SimpleListFilter):
    """Reps choose between their own leads and the unassigned queue; managers also pick a rep."""

    title = "owner"
    parameter_name = "owner"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        choices = [("me", "Mine"), ("none", "Unassigned")]
        if user_is_sales_manager(request.user):
            choices += [(str(user.pk), user.get_username()) for user in _sales_users()]
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        value = self.value()
        if value == "me":
            return queryset.filter(owner=request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit() and user_is_sales_manager(request.user):
            return queryset.filter(owner_id=int(value))
        return queryset


# --- Lead change page ----------------------------------------------------------------------------


class LeadNoteInline(admin.TabularInline):
    """Add a note. Existing notes are shown on the timeline, newest first, so this inline only
    offers the empty form; the note is written by `lead_note_add` (see `LeadAdmin.save_formset`)."""

    model = LeadNote
    fields = ("body",)
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = "note"
    verbose_name_plural = "Add a note"

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadNote]:
        return super().get_queryset(request).none()

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class LeadAdminForm(ModelForm):
    """Checks the business rules of a status change before anything is saved, so a missing lost
    reason is a form error next to the field rather than an exception halfway through saving."""

    class Meta:
        model = Lead
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin's fieldsets decide what is shown

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "status" in self.fields and cleaned.get("status"):
            try:
                lead_status_change_validate(
                    status=cleaned["status"],
                    lost_reason=cleaned.get("lost_reason") or "",
                    lead=Lead.objects.filter(pk=self.instance.pk).first(),  # None when adding
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


#: Fields the change form saves through a service (timeline entry, flag copies) instead of save().
SERVICE_FIELDS = frozenset({"status", "owner", "next_follow_up_at", "company"})
CRM_CHANGE_FORM_TEMPLATE = "admin/leads/lead/change_form.html"
TIMELINE_LIMIT = 100
AUDIT_LIMIT = 20


def _lead_activity_summary(lead: Lead) -> dict[str, Any]:
    """Chat conversations, assessments and page views of the lead in one query (subqueries)."""
    from analytics.models import Event, EventType
    from assessments.models import SecurityAssessment
    from chat.models import Conversation

    def counted(queryset: QuerySet[Any], link: str) -> Coalesce:
        sub = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk"))
        return Coalesce(Subquery(sub.values("n")[:1]), Value(0), output_field=IntegerField())

    def newest(queryset: QuerySet[Any], link: str, field: str) -> Subquery:
        sub = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(at=Max(field))
        return Subquery(sub.values("at")[:1])

    page_views = Event.objects.filter(event_type=EventType.PAGE_VIEW)
    return (
        Lead.objects.filter(pk=lead.pk)
        .annotate(
            conversations_n=counted(Conversation.objects.all(), "lead"),
            conversation_last=newest(Conversation.objects.all(), "lead", "created_at"),
            assessments_n=counted(SecurityAssessment.objects.all(), "lead"),
            assessment_last=newest(SecurityAssessment.objects.all(), "lead", "requested_at"),
            page_views_n=counted(page_views, "visitor__lead"),
            page_view_last=newest(page_views, "visitor__lead", "occurred_at"),
        )
        .values(
            "conversations_n",
            "conversation_last",
            "assessments_n",
            "assessment_last",
            "page_views_n",
            "page_view_last",
        )
        .get()
    )


def _lead_crm_context(lead: Lead) -> dict[str, Any]:
    """What the change page shows beside the form: timeline (newest 100), activity counts,
    company card and the last field changes from the audit log. A fixed number of queries."""
    from auditlog.models import LogEntry

    events = list(
        LeadEvent.objects.filter(lead=lead)
        .select_related("actor")
        .order_by("-created_at", "-id")[: TIMELINE_LIMIT + 1]
    )
    older = 0
    if len(events) > TIMELINE_LIMIT:
        older = LeadEvent.objects.filter(lead=lead).count() - TIMELINE_LIMIT
        events = events[:TIMELINE_LIMIT]
    audit = list(
        LogEntry.objects.get_for_object(lead)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:AUDIT_LIMIT]
    )
    return {
        "crm_timeline": events,
        "crm_timeline_older": older,
        "crm_activity": _lead_activity_summary(lead),
        "crm_company": lead.company,
        "crm_audit": [(entry, sorted(entry.changes_display_dict.items())) for entry in audit],
    }


# --- Action forms --------------------------------------------------------------------------------


class StatusActionForm(forms.Form):
    status = forms.ChoiceField(choices=LeadStatus.choices)
    lost_reason = forms.CharField(
        max_length=255, required=False, help_text="Required when closing as lost.", strip=True
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status"):
            try:
                lead_status_change_validate(
                    status=cleaned["status"], lost_reason=cleaned.get("lost_reason", "")
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


FOLLOW_UP_HOUR = 9  # follow-ups land at the start of the rep's working day


class FollowUpActionForm(forms.Form):
    when = forms.ChoiceField(
        choices=[
            ("1", "Tomorrow (+1 day)"),
            ("2", "In 2 days"),
            ("7", "In a week (+7 days)"),
            ("date", "On…"),
        ],
        widget=forms.RadioSelect,
        initial="1",
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        when = cleaned.get("when")
        if when == "date":
            day = cleaned.get("date")
            if day is None:
                self.add_error("date", "Pick the date of the follow-up.")
            elif day < timezone.localdate():
                self.add_error("date", "The follow-up date is in the past.")
        return cleaned

    def follow_up_at(self) -> dt.datetime:
        """The chosen day at 09:00 in the current time zone."""
        when = self.cleaned_data["when"]
        day = (
            self.cleaned_data["date"]
            if when == "date"
            else timezone.localdate() + dt.timedelta(days=int(when))
        )
        start, _ = local_day_bounds(day)
        return start + dt.timedelta(hours=FOLLOW_UP_HOUR)


# --- Leads ---------------------------------------------------------------------------------------


@admin.register(Lead)
class LeadAdmin(LeadDuplicatesAdminMixin, ImportMixin, ExportActionModelAdmin):
    """The rep's queue and lead page. Extend it with mixins (duplicates, import/export): their
    `actions` are merged with `crm_actions` in __init__, and this class adds no URLs."""

    form = LeadAdminForm
    paginator = CappedCountPaginator
    resource_classes = [LeadResource]
    formats = [CSV, XLSX]
    list_display = (
        "score_badge",
        "lead_name",
        "job_title",
        "company_display",
        "status",
        "owner",
        "follow_up_display",
        "created_at",
    )
    list_display_links = ("lead_name",)
    list_select_related = ("company", "owner")
    list_filter = (
        "status",
        ("is_fortune_500", admin.BooleanFieldListFilter),
        ScoreBandFilter,
        OwnerFilter,
        "source",
        FollowUpDueFilter,
    )
    search_fields = ("email", "first_name", "last_name", "company_name", "company__name", "company__domain")
    search_help_text = "Name, e-mail, company name or domain."
    ordering = ("-is_fortune_500", "-score", "-created_at")  # lead_queue_idx: hot Fortune 500 first
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ("company", "partner", "visitor")
    raw_id_fields = ("owner",)
    readonly_fields = ("score", "why_this_score", "scored_at", "is_fortune_500", "created_at", "updated_at")
    inlines = (LeadNoteInline,)
    crm_actions: ClassVar[list[str]] = [
        "crm_assign_to_me",
        "crm_assign_round_robin",
        "crm_assign_least_busy",
        "crm_change_status",
        "crm_schedule_follow_up",
        "crm_watch_websites",
    ]
    fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name", "job_title", "seniority", "phone")}),
        ("Company", {"fields": ("company", "company_name", "is_fortune_500")}),
        (
            "Pipeline",
            {
                "fields": (
                    "status",
                    "lost_reason",
                    "owner",
                    "next_follow_up_at",
                    "last_contacted_at",
                    "estimated_deal_value",
                    "actual_deal_value",
                )
            },
        ),
        ("Score", {"fields": ("score", "why_this_score", "scored_at")}),
        ("Origin", {"fields": ("source", "message", "partner", "visitor")}),
        (
            "Campaign",
            {
                "fields": ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"),
                "classes": ("collapse",),
            },
        ),
        ("Consent", {"fields": ("consent_marketing", "consent_marketing_at")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        declared: list[Any] = []
        for klass in reversed(type(self).__mro__):  # mixins' actions, then ours
            declared += list(vars(klass).get("actions") or [])
        declared += list(vars(self).get("actions") or [])  # set by a mixin's __init__
        merged = [*self.crm_actions, *declared]
        self.actions = list(dict.fromkeys(merged))
        # Our change form wraps whichever one a mixin (import-export's export button) provides.
        base = self.change_form_template
        self.crm_base_change_form_template = (
            base if base and base != CRM_CHANGE_FORM_TEMPLATE else "admin/change_form.html"
        )
        self.change_form_template = CRM_CHANGE_FORM_TEMPLATE

    # --- Scoping ------------------------------------------------------------------------------

    def get_resource_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Imports act as, and exports are scoped to, the logged-in user."""
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def get_export_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return lead_queryset_for_user(user=request.user, queryset=super().get_export_queryset(request))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        queryset = super().get_queryset(request).select_related("company", "owner")
        return lead_queryset_for_user(user=request.user, queryset=queryset)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Lead], search_term: str
    ) -> tuple[QuerySet[Lead], bool]:
        """Searches `search_fields`' columns, shaped for the trigram indexes (`lead_search_q`):
        the matched company's name and domains through a list of company ids, not a join, so
        PostgreSQL reads only the matching leads. No duplicates: every condition is on the lead."""
        if not search_term.strip():
            return queryset, False
        return queryset.filter(lead_search_q(search_term)), False

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Lead | None:
        """A lead outside the user's scope is a 404, the same as one that does not exist, so a
        URL reveals nothing (Django would redirect to the index with a message otherwise)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None or not user_may_see_lead(user=request.user, lead=obj):
            raise Http404("No such lead.")
        return obj

    def has_view_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or user_may_see_lead(user=request.user, lead=obj))

    def has_change_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_may_see_lead(user=request.user, lead=obj))

    def has_delete_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_may_see_lead(user=request.user, lead=obj))

    def has_reassign_permission(self, request: HttpRequest) -> bool:
        """Only managers hand leads to other people."""
        return user_is_sales_manager(request.user) and super().has_change_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Lead | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not user_is_sales_manager(request.user):
            readonly += ("owner",)  # reps take leads with "Assign to me", never give them away
        return readonly

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "owner":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Changelist columns -------------------------------------------------------------------

    @admin.display(description="Score", ordering="score")
    def score_badge(self, obj: Lead) -> str:
        band = "hot" if obj.score >= 80 else "warm" if obj.score >= 50 else "cold"
        colours = {"hot": ("#b91c1c", "#fff"), "warm": ("#d97706", "#fff"), "cold": ("#e5e7eb", "#374151")}
        background, colour = colours[band]
        return format_html(
            '<span class="crm-score crm-score-{}" title="{}" style="display:inline-block;min-width:2.2em;'
            'text-align:center;border-radius:9px;padding:1px 6px;font-weight:bold;background:{};color:{}">'
            "{}</span>",
            band,
            band.capitalize(),
            background,
            colour,
            obj.score,
        )

    @admin.display(description="Name", ordering="last_name")
    def lead_name(self, obj: Lead) -> str:
        if obj.full_name:
            return format_html('{}<br><span class="quiet">{}</span>', obj.full_name, obj.email)
        return obj.email

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj: Lead) -> str:
        return obj.full_name

    @admin.display(description="Company", ordering="company__name")
    def company_display(self, obj: Lead) -> str:
        company = obj.company
        if company is None:
            return obj.company_name or "–"
        if company.fortune_rank:
            return format_html(
                '{} <span class="crm-f500" style="font-size:.85em;background:#1d4ed8;color:#fff;'
                'border-radius:4px;padding:0 4px">F500 #{}</span>',
                company.name,
                company.fortune_rank,
            )
        return company.name

    @admin.display(description="Next follow-up", ordering="next_follow_up_at")
    def follow_up_display(self, obj: Lead) -> str:
        at = obj.next_follow_up_at
        if at is None:
            return "–"
        local = timezone.localtime(at)
        text = local.strftime("%Y-%m-%d %H:%M")
        start_today, start_tomorrow = local_day_bounds(timezone.localdate())
        if at < start_today:
            return format_html(
                '<strong class="crm-overdue" style="color:#b91c1c">{} (overdue)</strong>', text
            )
        if at < start_tomorrow:
            return format_html(
                '<strong class="crm-due-today" style="color:#d97706">{} (today)</strong>', text
            )
        return text

    @admin.display(description="Why this score")
    def why_this_score(self, obj: Lead) -> str:
        """The stored breakdown as a sales rep reads it: each factor with its points."""
        breakdown = obj.score_breakdown or {}
        sections = [
            (title, breakdown.get(key) or {})
            for key, title in (("fit", "Fit"), ("engagement", "Engagement"), ("penalties", "Penalties"))
        ]
        rows = [
            # Signed points formatted here: format_html escapes its arguments to strings first,
            # so a "{:+d}" in the template raised ValueError and the admin showed "-".
            (title, f"{part.get('points', 0):+d}", part.get("label", part.get("factor", "")))
            for title, section in sections
            for part in section.get("parts", [])
        ]
        if not rows:
            return "Not scored yet."
        items = format_html_join("", "<li><strong>{}</strong> {} — {}</li>", rows)
        flags = ", ".join(breakdown.get("flags", [])) or "none"
        return format_html("<ul style='margin:0;padding-left:1.2em'>{}</ul><p>Flags: {}</p>", items, flags)

    # --- Change page --------------------------------------------------------------------------

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Lead | None = None,
    ) -> HttpResponse:
        context["crm_base_change_form_template"] = self.crm_base_change_form_template
        if obj is not None and obj.pk:
            context.update(_lead_crm_context(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Lead, form: ModelForm, change: bool) -> None:
        """Plain fields are saved as typed (auditlog records them); status, owner, follow-up and
        company go through their services so the timeline and the copied flags stay right."""
        user = request.user
        data = form.cleaned_data
        if not change:
            # Insert the plain lead, then apply the pipeline fields through their services so a
            # new lead's timeline starts with the same entries as any other.
            owner, status, follow_up = obj.owner, obj.status, obj.next_follow_up_at
            obj.owner, obj.status, obj.next_follow_up_at = None, LeadStatus.NEW, None
            super().save_model(request, obj, form, change)
            lead_record_staff_created(lead=obj, actor=user)
            if owner is None and not user_is_sales_manager(user):
                owner = user  # a rep owns the leads they enter
            if owner is not None:
                lead_assign(lead=obj, owner=owner, actor=user)
            if status != LeadStatus.NEW:
                lead_change_status(lead=obj, status=status, lost_reason=obj.lost_reason, actor=user)
            if follow_up is not None:
                lead_schedule_follow_up(lead=obj, at=follow_up, actor=user)
            obj.refresh_from_db()
            return
        changed = set(form.changed_data)
        status_changes = "status" in changed
        plain = [name for name in changed if name not in SERVICE_FIELDS]
        if status_changes and "lost_reason" in plain:
            plain.remove("lost_reason")  # written by lead_change_status with the status
        if plain:
            obj.save(update_fields=[*plain, "updated_at"])
        if "company" in changed:
            lead_set_company(lead=obj, company=data.get("company"), actor=user)
        if status_changes:
            lead_change_status(
                lead=obj, status=data["status"], lost_reason=data.get("lost_reason") or "", actor=user
            )
        if "owner" in changed and user_is_sales_manager(user):
            lead_assign(lead=obj, owner=data.get("owner"), actor=user)
        if "next_follow_up_at" in changed:
            lead_schedule_follow_up(lead=obj, at=data.get("next_follow_up_at"), actor=user)
        if "actual_deal_value" in changed and not status_changes:
            lead_deal_value_recorded(lead=obj, actor=user)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is LeadNote:
            # What formset.save() would have set, for the admin's change message.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for note_form in formset.forms:
                body = note_form.cleaned_data.get("body") if note_form.has_changed() else None
                if body:
                    note = lead_note_add(lead=form.instance, author=request.user, body=body)
                    formset.new_objects.append(note)
        else:
            super().save_formset(request, form, formset, change)

    # --- Actions ------------------------------------------------------------------------------

    def _scoped(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        """Actions touch only leads the user may work, whatever ids were posted."""
        return lead_queryset_for_user(user=request.user, queryset=queryset)

    @admin.action(description="Assign to me", permissions=["change"])
    def crm_assign_to_me(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        leads = self._scoped(request, queryset)
        if not user_is_sales_manager(request.user):
            leads = leads.filter(Q(owner__isnull=True) | Q(owner=request.user))
        taken = 0
        for lead in leads:
            if lead.owner_id != request.user.pk:
                lead_assign(lead=lead, owner=request.user, actor=request.user)
                taken += 1
        self.message_user(request, f"{taken} lead(s) assigned to you.", messages.SUCCESS)

    def _assign_balanced(self, request: HttpRequest, queryset: QuerySet[Lead], strategy: Any) -> None:
        leads = list(self._scoped(request, queryset).order_by("-is_fortune_500", "-score", "-created_at"))
        try:
            assigned = lead_assign_balanced(leads=leads, strategy=strategy, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        per_rep: dict[str, int] = {}
        for rep in assigned.values():
            per_rep[rep.get_username()] = per_rep.get(rep.get_username(), 0) + 1
        summary = ", ".join(f"{name}: {n}" for name, n in sorted(per_rep.items()))
        self.message_user(request, f"{len(assigned)} lead(s) assigned ({summary}).", messages.SUCCESS)

    @admin.action(description="Assign round-robin among active reps", permissions=["reassign"])
    def crm_assign_round_robin(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        self._assign_balanced(request, queryset, "round_robin")

    @admin.action(description="Assign to the least busy rep", permissions=["reassign"])
    def crm_assign_least_busy(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        self._assign_balanced(request, queryset, "least_busy")

    def _action_page(
        self,
        request: HttpRequest,
        leads: QuerySet[Lead],
        template: str,
        form: forms.Form,
        action: str,
        title: str,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "leads": leads,
            "form": form,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, f"admin/leads/lead/{template}", context)

    @admin.action(description="Change status…", permissions=["change"])
    def crm_change_status(self, request: HttpRequest, queryset: QuerySet[Lead]) -> TemplateResponse | None:
        leads = self._scoped(request, queryset)
        form = StatusActionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            status, reason = form.cleaned_data["status"], form.cleaned_data["lost_reason"]
            changed = 0
            for lead in leads:
                try:
                    lead_change_status(lead=lead, status=status, lost_reason=reason, actor=request.user)
                except ValidationError as error:  # e.g. a won lead whose commission is approved
                    problems = "; ".join(error.messages)
                    self.message_user(request, f"{lead} was not changed: {problems}", messages.ERROR)
                else:
                    changed += 1
            label = LeadStatus(status).label
            self.message_user(request, f"{changed} lead(s) set to {label}.", messages.SUCCESS)
            return None
        return self._action_page(
            request, leads, "crm_change_status.html", form, "crm_change_status", "Change the status of leads"
        )

    @admin.action(description="Schedule follow-up…", permissions=["change"])
    def crm_schedule_follow_up(
        self, request: HttpRequest, queryset: QuerySet[Lead]
    ) -> TemplateResponse | None:
        leads = self._scoped(request, queryset)
        form = FollowUpActionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            at = form.follow_up_at()
            for lead in leads:
                lead_schedule_follow_up(lead=lead, at=at, actor=request.user)
            local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
            self.message_user(
                request, f"Follow-up set for {len(leads)} lead(s) on {local}.", messages.SUCCESS
            )
            return None
        return self._action_page(
            request, leads, "crm_follow_up.html", form, "crm_schedule_follow_up", "Schedule a follow-up"
        )

    def has_watch_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("assessments.change_monitoredtarget")

    @admin.action(description="Watch their assessed websites (re-scan on a schedule)", permissions=["watch"])
    def crm_watch_websites(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        """Monitoring (assessments.monitoring): watch the sites assessed for the selected leads."""
        from assessments.monitoring.services import monitor_watch_lead_targets

        hosts: list[str] = []
        without = 0
        for lead in self._scoped(request, queryset):
            targets = monitor_watch_lead_targets(lead=lead, actor=request.user)
            hosts += [target.host for target in targets]
            without += not targets
        self.message_user(
            request, f"{len(hosts)} website(s) watched: {', '.join(sorted(hosts)) or '–'}.", messages.SUCCESS
        )
        if without:
            self.message_user(
                request, f"{without} lead(s) have no assessed website to watch yet.", messages.WARNING
            )


# --- Timeline and notes on their own -----------------------------------------------------------


def _scope_by_lead(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Rows that hang off a lead are visible only with their lead."""
    if user_is_sales_manager(request.user):
        return queryset
    return queryset.filter(lead__in=lead_queryset_for_user(user=request.user).values("pk"))


@admin.register(LeadEvent)
class LeadEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only everywhere: timeline rows are written by the services only."""

    list_display = ("created_at", "lead", "kind", "summary", "actor_name")
    list_select_related = ("lead", "actor")
    list_filter = ("kind",)
    search_fields = ("summary", "lead__email")
    show_full_result_count = False
    paginator = CappedCountPaginator  # ten rows per lead: a plain COUNT took 0.9 s at 10 M rows

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadEvent]:
        return _scope_by_lead(request, super().get_queryset(request))

    @admin.display(description="Actor", ordering="actor_label")
    def actor_name(self, obj: LeadEvent) -> str:
        return str(obj.actor) if obj.actor_id else obj.actor_label

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(IntakeIdempotencyKey)
class IntakeIdempotencyKeyAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: which `Idempotency-Key` answered with which lead (written by lead intake)."""

    list_display = ("created_at", "key", "website", "lead", "created")
    list_select_related = ("website", "lead")
    search_fields = ("key", "lead__email")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[IntakeIdempotencyKey]:
        return _scope_by_lead(request, super().get_queryset(request))

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class LeadNoteAdminForm(ModelForm):
    class Meta:
        model = LeadNote
        fields = ("lead", "body")


@admin.register(LeadNote)
class LeadNoteAdmin(admin.ModelAdmin):
    form = LeadNoteAdminForm
    list_display = ("short_body", "lead", "author", "created_at")
    list_select_related = ("lead", "author")
    search_fields = ("body", "lead__email")
    fields = ("lead", "body", "author", "created_at")
    readonly_fields = ("author", "created_at")
    autocomplete_fields = ("lead",)
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadNote]:
        return _scope_by_lead(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "lead":
            kwargs["queryset"] = lead_queryset_for_user(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Note")
    def short_body(self, obj: LeadNote) -> str:
        return obj.body[:80]

    def save_model(self, request: HttpRequest, obj: LeadNote, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        note = lead_note_add(
            lead=form.cleaned_data["lead"], author=request.user, body=form.cleaned_data["body"]
        )
        obj.pk, obj.author, obj.created_at = note.pk, note.author, note.created_at
        obj._state.adding = False


# django-auditlog's own log admin, with the lead entries scoped (leads.selectors).
admin.site.unregister(AuditLogEntry)


@admin.register(AuditLogEntry)
class ScopedLogEntryAdmin(AuditLogEntryAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return audit_entry_queryset_for_user(user=request.user, queryset=super().get_queryset(request))
