"""Admin for tracked websites, visitors, their events and the daily rollups.

Websites are created and changed through `analytics.services` (which issue the publishable key
and normalise the allowed origins). Visitors and events are written by the tracker, rollups by
the rollup job: the admin only shows them (a visitor's lead or company may be corrected).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from enterprise_scanner.readonly_admin import ViewOnlyAdminMixin

from .models import DailyMetric, Event, Visitor, Website
from .services import normalise_origin, website_create, website_update


class WebsiteForm(forms.ModelForm):
    """Allowed origins edited as text, one per line, and validated like the services do."""

    allowed_origins = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="One origin per line, e.g. https://www.example.com (scheme, host and port only).",
    )

    class Meta:
        model = Website
        fields = ("name", "allowed_origins", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "allowed_origins" not in (kwargs.get("initial") or {}):
            self.initial["allowed_origins"] = "\n".join(self.instance.allowed_origins or [])

    def clean_allowed_origins(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines()]
        origins: set[str] = set()
        errors: list[str] = []
        for line in filter(None, lines):
            try:
                origins.add(normalise_origin(line))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        if not origins:
            raise ValidationError("List at least one origin the site is served from.")
        return sorted(origins)


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    form = WebsiteForm
    list_display = ("name", "publishable_key", "origins", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "publishable_key")
    readonly_fields = ("publishable_key", "created_at")

    def get_fields(self, request: HttpRequest, obj: Website | None = None) -> list[str]:
        if obj is None:
            return ["name", "allowed_origins", "is_active"]
        return ["name", "publishable_key", "allowed_origins", "is_active", "created_at"]

    @admin.display(description="Allowed origins")
    def origins(self, obj: Website) -> str:
        return ", ".join(obj.allowed_origins)

    def save_model(self, request: HttpRequest, obj: Website, form: WebsiteForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            website_update(
                website=obj,
                name=data["name"],
                allowed_origins=data["allowed_origins"],
                is_active=data["is_active"],
            )
            return
        created = website_create(
            name=data["name"], allowed_origins=data["allowed_origins"], is_active=data["is_active"]
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        for field in Website._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin):
    list_display = ("anonymous_id", "website", "lead", "company", "first_seen_at", "last_seen_at")
    list_select_related = ("website", "lead", "company")
    list_filter = ("website",)
    search_fields = ("anonymous_id", "lead__email", "company__name")
    show_full_result_count = False
    autocomplete_fields = ("lead", "company")
    fields = ("website", "anonymous_id", "lead", "company", "first_seen_at", "last_seen_at", "first_touch")
    readonly_fields = ("website", "anonymous_id", "first_seen_at", "last_seen_at", "first_touch")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Visitors are created by the tracker.


@admin.register(Event)
class EventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: events are what visitors did."""

    list_display = ("occurred_at", "event_type", "url", "visitor", "website", "ip_address")
    list_select_related = ("visitor", "website")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("event_type", "website")
    search_fields = ("url", "visitor__anonymous_id")
    show_full_result_count = False


@admin.register(DailyMetric)
class DailyMetricAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: computed from the events by the rollup job."""

    list_display = (
        "date",
        "website",
        "visitors",
        "page_views",
        "leads",
        "fortune_500_visitors",
        "chats",
        "assessments",
        "roi_calculations",
        "conversion_rate",
        "computed_at",
    )
    list_select_related = ("website",)
    list_filter = ("website",)
    date_hierarchy = "date"
