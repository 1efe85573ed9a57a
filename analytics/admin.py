"""Admin for tracked websites, visitors, their events and the daily rollups.

Websites are created and changed through `analytics.services` (which issue the publishable key
and normalise the allowed origins). Visitors and events are written by the tracker, rollups by
the rollup job: the admin only shows them (a visitor's lead or company may be corrected).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from unfold.admin import ModelAdmin

from enterprise_scanner.readonly_admin import ViewOnlyAdminMixin
from leads.charts import Bar, bar_chart_svg

from .models import (
    CompanyDailyVisit,
    DailyMetric,
    ErasureRecord,
    Event,
    IpRange,
    PageDailyView,
    Visitor,
    Website,
)
from .selectors import analytics_overview, event_queryset_for_user, visitor_queryset_for_user
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
class WebsiteAdmin(ModelAdmin):
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
class VisitorAdmin(ModelAdmin):
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

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Visitor]:
        return visitor_queryset_for_user(user=request.user).select_related("website", "lead", "company")


@admin.register(Event)
class EventAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Read-only: events are what visitors did."""

    list_display = ("occurred_at", "event_type", "url", "visitor", "website", "ip_address")
    list_select_related = ("visitor", "website")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("event_type", "website")
    search_fields = ("url", "visitor__anonymous_id")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Event]:
        return event_queryset_for_user(user=request.user).select_related("visitor", "website")


@admin.register(DailyMetric)
class DailyMetricAdmin(ViewOnlyAdminMixin, ModelAdmin):
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
    change_list_template = "admin/analytics/dailymetric/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "overview/",
                self.admin_site.admin_view(self.overview_view),
                name="analytics_dailymetric_overview",
            ),
            *super().get_urls(),
        ]

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        """Charts of the last 30 days from the rollups (`manage.py rollup_analytics`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = min(max(int(request.GET.get("days", 30)), 7), 90)
        except ValueError:
            days = 30
        overview = analytics_overview(end=timezone.localdate(), days=days)
        visitor_bars = [
            Bar(f"{d.date:%d}", d.visitors, f"{d.date:%a %d %b}: {d.visitors} visitors")
            for d in overview.days
        ]
        lead_bars = [
            Bar(f"{d.date:%d}", d.leads, f"{d.date:%a %d %b}: {d.leads} leads") for d in overview.days
        ]
        peak = max((count for _, count in overview.funnel), default=0) or 1
        context = {
            **self.admin_site.each_context(request),
            "title": f"Website analytics, last {days} days",
            "opts": self.model._meta,
            "overview": overview,
            "days": days,
            "visitors_chart": bar_chart_svg(bars=visitor_bars, title="Visitors per day", chart_id="visitors"),
            "leads_chart": bar_chart_svg(bars=lead_bars, title="New leads per day", chart_id="leads"),
            "funnel": [(label, count, round(100 * count / peak)) for label, count in overview.funnel],
        }
        return TemplateResponse(request, "admin/analytics/overview.html", context)


@admin.register(IpRange)
class IpRangeAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Read-only: imported with `manage.py import_ip_ranges FILE`."""

    list_display = ("network", "company", "imported_at")
    list_select_related = ("company",)
    search_fields = ("network", "company__name", "company__domain")


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Read-only proof of each erasure (`manage.py forget_person EMAIL`)."""

    list_display = ("created_at", "email_sha256", "deleted", "actor_label")


@admin.register(CompanyDailyVisit)
class CompanyDailyVisitAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Read-only: the rollup job's companies that visited, per day."""

    list_display = ("date", "company", "visitors", "page_views", "last_visit_at")
    list_select_related = ("company",)
    search_fields = ("company__name", "company__domain")
    date_hierarchy = "date"


@admin.register(PageDailyView)
class PageDailyViewAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Read-only: the rollup job's page views per path, per day."""

    list_display = ("date", "path", "views")
    search_fields = ("path",)
    date_hierarchy = "date"
