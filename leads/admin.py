"""Admin (the sales CRM's foundation) for companies, leads, their timeline and notes.

Lists select every related row they show (no N+1); big tables skip the full count and use
autocomplete or raw-id widgets for their foreign keys. Computed fields (score, Fortune 500 flag)
are read-only here: the leads services own them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from enterprise_scanner.readonly_admin import ReadOnlyInline, ViewOnlyAdminMixin

from .models import Company, CompanyDomain, Lead, LeadEvent, LeadNote

# --- Companies ---------------------------------------------------------------------------------


class CompanyDomainInline(admin.TabularInline):
    model = CompanyDomain
    fields = ("domain",)
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
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


# --- Leads -------------------------------------------------------------------------------------


class LeadNoteInline(admin.TabularInline):
    """Add-only: existing notes are shown read-only; new ones get the current user as author."""

    model = LeadNote
    fields = ("body", "author", "created_at")
    readonly_fields = ("author", "created_at")
    extra = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadNote]:
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class LeadEventInline(ReadOnlyInline):
    """The lead's timeline, newest first. Written only by the services, never in the admin."""

    model = LeadEvent
    fields = ("created_at", "kind", "summary", "actor", "actor_label")
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "full_name",
        "job_title",
        "company",
        "is_fortune_500",
        "score",
        "status",
        "owner",
        "next_follow_up_at",
        "created_at",
    )
    list_select_related = ("company", "owner")
    list_filter = ("status", "is_fortune_500", "source", "seniority", "owner", "created_at")
    search_fields = ("email", "first_name", "last_name", "company_name", "company__name")
    date_hierarchy = "created_at"
    show_full_result_count = False
    autocomplete_fields = ("company", "partner", "visitor")
    raw_id_fields = ("owner",)
    readonly_fields = ("score", "why_this_score", "scored_at", "is_fortune_500", "created_at", "updated_at")
    inlines = (LeadNoteInline, LeadEventInline)
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

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj: Lead) -> str:
        return obj.full_name

    @admin.display(description="Why this score")
    def why_this_score(self, obj: Lead) -> str:
        """The stored breakdown as a sales rep reads it: each factor with its points."""
        breakdown = obj.score_breakdown or {}
        sections = [
            (title, breakdown.get(key) or {})
            for key, title in (("fit", "Fit"), ("engagement", "Engagement"), ("penalties", "Penalties"))
        ]
        rows = [
            (title, part.get("points", 0), part.get("label", part.get("factor", "")))
            for title, section in sections
            for part in section.get("parts", [])
        ]
        if not rows:
            return "Not scored yet."
        items = format_html_join("", "<li><strong>{}</strong> {:+d} — {}</li>", rows)
        flags = ", ".join(breakdown.get("flags", [])) or "none"
        return format_html("<ul style='margin:0;padding-left:1.2em'>{}</ul><p>Flags: {}</p>", items, flags)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is LeadNote:
            _save_new_notes(request, formset)
        else:
            super().save_formset(request, form, formset, change)


def _save_new_notes(request: HttpRequest, formset: BaseInlineFormSet) -> None:
    """Stamp new notes with their author. (Replace with a `lead_note_add` service once it exists.)"""
    for note in formset.save(commit=False):
        if note._state.adding:
            note.author = request.user
            note.save()
    formset.save_m2m()


# --- Timeline and notes on their own -----------------------------------------------------------


@admin.register(LeadEvent)
class LeadEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only everywhere: timeline rows are written by the services only."""

    list_display = ("created_at", "lead", "kind", "summary", "actor_name")
    list_select_related = ("lead", "actor")
    list_filter = ("kind",)
    search_fields = ("summary", "lead__email")
    show_full_result_count = False

    @admin.display(description="Actor", ordering="actor_label")
    def actor_name(self, obj: LeadEvent) -> str:
        return str(obj.actor) if obj.actor_id else obj.actor_label

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(LeadNote)
class LeadNoteAdmin(admin.ModelAdmin):
    list_display = ("short_body", "lead", "author", "created_at")
    list_select_related = ("lead", "author")
    search_fields = ("body", "lead__email")
    fields = ("lead", "body", "author", "created_at")
    readonly_fields = ("author", "created_at")
    autocomplete_fields = ("lead",)

    @admin.display(description="Note")
    def short_body(self, obj: LeadNote) -> str:
        return obj.body[:80]

    def save_model(self, request: HttpRequest, obj: LeadNote, form: Any, change: bool) -> None:
        if not change:
            obj.author = request.user  # (Replace with a `lead_note_add` service once it exists.)
        super().save_model(request, obj, form, change)
