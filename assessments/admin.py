"""Admin for security assessments, their findings and ROI calculations.

Findings and ROI calculations are produced by the scanner and the calculator, so they are shown
read-only; an assessment's results are read-only too. Actions (approve target, re-run) and
staff-started assessments go through the services. Rows are scoped like their leads: a rep sees
assessments of their own and unassigned leads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin

from enterprise_scanner.admin_format import truncated
from enterprise_scanner.readonly_admin import ReadOnlyInline, ViewOnlyAdminMixin
from leads.selectors import user_may_see_lead

from . import services
from .models import Finding, RoiCalculation, SecurityAssessment
from .monitoring.admin import MonitoredTargetAdmin, MonitoringAssessmentAdminMixin
from .report.dns_section import is_dns_finding, summary_rows
from .report.tls_section import tls_rows
from .selectors import (
    assessment_is_stale,
    assessment_queryset_for_user,
    finding_queryset_for_user,
    roi_calculation_queryset_for_user,
)

__all__ = ["MonitoredTargetAdmin", "SecurityAssessmentAdmin"]


SEVERITY_COLOURS = {
    "critical": "#7f1d1d",
    "high": "#b91c1c",
    "medium": "#b45309",
    "low": "#4d7c0f",
    "info": "#6b7280",
}


def severity_chip(finding: Finding) -> str:
    colour = SEVERITY_COLOURS.get(finding.severity, "#6b7280")
    return format_html(
        '<span class="es-chip" style="background:{};border-color:{};color:#fff">{}</span>',
        colour,
        colour,
        finding.get_severity_display(),
    )


def compliance_chips(finding: Finding) -> str:
    """The compliance references as chips ("OWASP ASVS 5.0 V3.4.3"), not a raw JSON list."""
    refs = [str(ref) for ref in (finding.compliance_refs or []) if str(ref).strip()]
    if not refs:
        return "–"
    return format_html(
        '<span class="es-chips">{}</span>',
        format_html_join("", '<span class="es-chip" title="{}">{}</span>', ((ref, ref) for ref in refs)),
    )


class FindingDisplayMixin:
    """Finding columns shared by the inline on the assessment page and the findings list."""

    @admin.display(description="Severity", ordering="severity")
    def severity_label(self, obj: Finding) -> str:
        return severity_chip(obj)

    @admin.display(description="Finding", ordering="title")
    def finding_summary(self, obj: Finding) -> str:
        return format_html('{}<br><span class="es-quiet">{}</span>', obj.title, obj.check_id)

    @admin.display(description="Evidence")
    def evidence_short(self, obj: Finding) -> str:
        return truncated(obj.evidence, width="14rem")

    @admin.display(description="Recommendation")
    def recommendation_short(self, obj: Finding) -> str:
        return truncated(obj.recommendation, width="16rem")

    @admin.display(description="Compliance")
    def compliance(self, obj: Finding) -> str:
        return compliance_chips(obj)

    @admin.display(description="Points", ordering="score_modifier")
    def points(self, obj: Finding) -> str:
        return f"{obj.score_modifier:+d}"


class FindingInline(FindingDisplayMixin, ReadOnlyInline):
    """The findings on the assessment page: one line each, long text cut with a tooltip (the
    inline was 1,417 px wide at 1366 px), compliance references as chips."""

    model = Finding
    fields = (
        "severity_label",
        "finding_summary",
        "evidence_short",
        "recommendation_short",
        "compliance",
        "points",
    )
    readonly_fields = fields


@admin.register(SecurityAssessment)
class SecurityAssessmentAdmin(MonitoringAssessmentAdminMixin, ModelAdmin):
    list_display = (
        "target_display",
        "lead_display",
        "status_label",
        "grade_badge",
        "risk_score",
        "requested_at",
        "report_link",
    )
    list_select_related = ("lead",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("status", "assessment_type", "grade", ("monitored_target", admin.EmptyFieldListFilter))
    search_fields = ("target_url", "target_host", "lead__email", "lead__company__name")
    date_hierarchy = "requested_at"
    autocomplete_fields = ("lead",)
    actions = ("approve_target", "rerun", "watch_target", "unwatch_target")
    readonly_fields = (
        "status",
        "target_host",
        "risk_score",
        "grade",
        "observatory_score",
        "report_link",
        "attempts",
        "error",
        "requested_at",
        "started_at",
        "completed_at",
        "report_sent_at",
        "sales_copy_sent_at",
        "target_approved_at",
        "target_approved_by",
        "tls_configuration",
        "results",
        "dns_email_security",
        "monitoring_panel",
    )
    fieldsets = (
        (None, {"fields": ("lead", "target_url", "target_host", "assessment_type")}),
        (
            "Result",
            {"fields": ("status", "grade", "risk_score", "observatory_score", "report_link", "error")},
        ),
        (
            "Timing and delivery",
            {
                "fields": (
                    "requested_at",
                    "target_approved_at",
                    "target_approved_by",
                    "started_at",
                    "completed_at",
                    "attempts",
                    "report_sent_at",
                    "sales_copy_sent_at",
                )
            },
        ),
        ("TLS configuration", {"fields": ("tls_configuration",)}),
        ("DNS and e-mail security", {"fields": ("dns_email_security",)}),
        ("Raw results", {"classes": ("collapse",), "fields": ("results",)}),
    )
    inlines = (FindingInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SecurityAssessment]:
        return super().get_queryset(request) & assessment_queryset_for_user(user=request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and not user_may_see_lead(user=request.user, lead=obj.lead):
            return None
        return obj

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        if obj is not None:  # the target was approved (or not) as it is: it cannot change afterwards
            return (*self.readonly_fields, "lead", "target_url", "assessment_type")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: SecurityAssessment, form: Any, change: bool) -> None:
        if change:
            return  # nothing editable after creation
        try:
            created = services.assessment_create_by_staff(
                lead=obj.lead,
                target_url=obj.target_url,
                assessment_type=obj.assessment_type,
                actor=request.user,
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = created.pk
        obj._state.adding = False

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<uuid:object_id>/report/",
                self.admin_site.admin_view(self.report_view),
                name="assessments_securityassessment_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        assessment = self.get_object(request, str(object_id))
        if assessment is None or not self.has_view_permission(request, assessment):
            raise Http404("No such assessment.")
        if not assessment.report_file:
            raise Http404("This assessment has no report yet.")
        return FileResponse(
            assessment.report_file.open("rb"),
            as_attachment=True,
            filename=f"security-assessment-{assessment.target_host}.pdf",
            content_type="application/pdf",
        )

    @admin.display(description="Target", ordering="target_url")
    def target_display(self, obj: SecurityAssessment) -> str:
        return truncated(obj.target_url, width="14rem")

    @admin.display(description="Lead", ordering="lead__email")
    def lead_display(self, obj: SecurityAssessment) -> str:
        return truncated(obj.lead, width="13rem")

    @admin.display(description="Grade", ordering="grade")
    def grade_badge(self, obj: SecurityAssessment) -> str:
        """The letter grade as a coloured chip (A green ... F red)."""
        if not obj.grade:
            return "–"
        return format_html(
            '<span class="es-grade es-grade-{}" title="Grade {}">{}</span>',
            obj.grade[:1].lower(),
            obj.grade,
            obj.grade,
        )

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj: SecurityAssessment) -> str:
        if assessment_is_stale(obj):
            return "Running (stalled: re-run it)"
        return obj.get_status_display()

    @admin.display(description="TLS configuration")
    def tls_configuration(self, obj: SecurityAssessment) -> str:
        rows = tls_rows(obj.results)
        if not rows:
            return "–"
        return format_html(
            '<table class="tls-configuration">{}</table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description="Checks")
    def dns_email_security(self, obj: SecurityAssessment) -> str:
        """SPF, DMARC, MTA-STS, TLS-RPT, CAA, DNSSEC, MX and security.txt as the scan found them."""
        rows = summary_rows((obj.results or {}).get("dns")) if obj.pk else []
        findings = [f.title for f in obj.findings.all() if is_dns_finding(f.check_id)] if rows else []
        return render_to_string("admin/assessments/dns_summary.html", {"rows": rows, "findings": findings})

    @admin.display(description="Report")
    def report_link(self, obj: SecurityAssessment) -> str:
        if not obj.pk or not obj.report_file:
            return "–"
        url = reverse("admin:assessments_securityassessment_report", args=[obj.pk])
        return format_html('<span class="es-links"><a href="{}">Download PDF</a></span>', url)

    @admin.action(description="Approve the target and start the scan", permissions=["change"])
    def approve_target(self, request: HttpRequest, queryset: QuerySet[SecurityAssessment]) -> None:
        approved, skipped = 0, 0
        for assessment in queryset.select_related("lead"):
            try:
                services.assessment_approve_target(assessment=assessment, actor=request.user)
                approved += 1
            except ValidationError:
                skipped += 1
        self.message_user(request, f"{approved} target(s) approved and queued.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} skipped: not awaiting approval.", messages.WARNING)

    @admin.action(description="Re-run the scan", permissions=["change"])
    def rerun(self, request: HttpRequest, queryset: QuerySet[SecurityAssessment]) -> None:
        queued, problems = 0, []
        for assessment in queryset.select_related("lead"):
            try:
                services.assessment_rerun(assessment=assessment, actor=request.user)
                queued += 1
            except ValidationError as exc:
                problems.append(f"{assessment.target_host}: {' '.join(exc.messages)}")
        if queued:
            self.message_user(request, f"{queued} assessment(s) queued again.", messages.SUCCESS)
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)


@admin.register(Finding)
class FindingAdmin(FindingDisplayMixin, ViewOnlyAdminMixin, ModelAdmin):
    """Scanner output: read-only."""

    list_display = ("finding_summary", "severity_label", "assessment", "compliance", "points")
    fields = (
        "assessment",
        "title",
        "check_id",
        "severity_label",
        "evidence",
        "description",
        "recommendation",
        "compliance",
        "points",
    )
    readonly_fields = fields
    list_select_related = ("assessment",)
    list_filter = ("severity",)
    search_fields = ("title", "check_id", "assessment__target_url")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Finding]:
        return super().get_queryset(request) & finding_queryset_for_user(user=request.user)


@admin.register(RoiCalculation)
class RoiCalculationAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Calculator output: read-only."""

    list_display = ("created_at", "lead", "visitor")
    list_select_related = ("lead", "visitor")
    search_fields = ("lead__email", "visitor__anonymous_id")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoiCalculation]:
        """Anonymous calculations, and those of leads the user may see (assessments.selectors)."""
        return super().get_queryset(request) & roi_calculation_queryset_for_user(user=request.user)
