"""Admin for security assessments, their findings and ROI calculations.

Findings and ROI calculations are produced by the scanner and the calculator, so they are shown
read-only; an assessment's results (grade, risk score, timing, error) are read-only too.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from enterprise_scanner.readonly_admin import ReadOnlyInline, ViewOnlyAdminMixin

from .models import Finding, RoiCalculation, SecurityAssessment


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ("severity", "check_id", "title", "evidence", "score_modifier")
    readonly_fields = fields


@admin.register(SecurityAssessment)
class SecurityAssessmentAdmin(admin.ModelAdmin):
    list_display = (
        "target_url",
        "lead",
        "assessment_type",
        "status",
        "grade",
        "risk_score",
        "requested_at",
        "completed_at",
    )
    list_select_related = ("lead",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("status", "assessment_type", "grade")
    search_fields = ("target_url", "lead__email", "lead__company__name")
    date_hierarchy = "requested_at"
    autocomplete_fields = ("lead",)
    readonly_fields = (
        "status",
        "risk_score",
        "grade",
        "report_file",
        "attempts",
        "error",
        "requested_at",
        "started_at",
        "completed_at",
    )
    fieldsets = (
        (None, {"fields": ("lead", "target_url", "assessment_type")}),
        ("Result", {"fields": ("status", "grade", "risk_score", "report_file", "error")}),
        ("Timing", {"fields": ("requested_at", "started_at", "completed_at", "attempts")}),
    )
    inlines = (FindingInline,)


@admin.register(Finding)
class FindingAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Scanner output: read-only."""

    list_display = ("title", "severity", "check_id", "assessment", "score_modifier")
    list_select_related = ("assessment",)
    list_filter = ("severity",)
    search_fields = ("title", "check_id", "assessment__target_url")


@admin.register(RoiCalculation)
class RoiCalculationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Calculator output: read-only."""

    list_display = ("created_at", "lead", "visitor")
    list_select_related = ("lead", "visitor")
    search_fields = ("lead__email", "visitor__anonymous_id")
    date_hierarchy = "created_at"
