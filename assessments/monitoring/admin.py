"""Monitoring in the admin: the watch/unwatch actions and the history-and-changes panel of an
assessment's page (a mixin for the assessment admin), and the watched targets' own list, where
a target's watch is turned on or off and its interval set (through the services).

Rows are scoped like their leads (`monitored_target_queryset_for_user`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from unfold.admin import ModelAdmin

from leads.charts import Bar, bar_chart_svg
from leads.selectors import user_may_see_lead

from ..models import AssessmentStatus, MonitoredTarget, SecurityAssessment, WatchSource
from . import services
from .diff import CHANGE_LABELS
from .selectors import MonitoringSummary, monitored_target_queryset_for_user, monitoring_summary

#: The permission that lets staff watch and unwatch targets (reps and managers have it).
WATCH_PERMISSION = "assessments.change_monitoredtarget"


def history_chart(summary: MonitoringSummary, *, chart_id: str) -> SafeString:
    """Risk score per scan as bars (leads.charts), each labelled with the scan's grade and date."""
    bars = [
        Bar(
            label=f"{point.grade or '–'} · {timezone.localtime(point.completed_at):%d %b}",
            value=point.risk_score or 0,
            description=(
                f"{timezone.localtime(point.completed_at):%d %B %Y}: grade {point.grade or '–'}, "
                f"risk {point.risk_score}/100"
            ),
        )
        for point in summary.history[-24:]
    ]
    return bar_chart_svg(
        bars=bars,
        title=f"Risk score and grade per scan of {summary.host}",
        chart_id=chart_id,
        description=summary.headline,
    )


def monitoring_panel(summary: MonitoringSummary | None, *, chart_id: str) -> SafeString:
    """The history and the changes since the previous scan, as HTML for a read-only admin field."""
    if summary is None:
        return format_html(
            "{}", "Not a watched target: use the action “Watch the target” to re-scan it on a schedule."
        )
    rows = []
    if summary.diff is not None:
        rows = [
            {
                "label": CHANGE_LABELS[change.change],
                "change": change.change,
                "severity": (
                    f"{change.previous.severity} → {change.current.severity}"
                    if change.previous
                    and change.current
                    and change.previous.severity != change.current.severity
                    else change.shown.severity
                ),
                "title": change.shown.title,
                "check_id": change.shown.check_id,
            }
            for change in summary.diff.changes
        ]
    return SafeString(
        render_to_string(
            "assessments/admin/monitoring_panel.html",
            {
                "summary": summary,
                "chart": history_chart(summary, chart_id=chart_id) if summary.history else "",
                "rows": rows,
                "counts": list(summary.diff.counts.items()) if summary.diff else [],
            },
        )
    )


class MonitoringAssessmentAdminMixin:
    """For SecurityAssessmentAdmin: add `monitoring_panel` to its readonly_fields and the two
    actions to its actions; the Monitoring section shows on existing assessments only."""

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if obj is not None and obj.pk:
            fieldsets.insert(
                2,
                (
                    "Monitoring: history and changes since the previous scan",
                    {"fields": ("monitoring_panel",)},
                ),
            )
        return fieldsets

    @admin.display(description="Monitoring")
    def monitoring_panel(self, obj: SecurityAssessment) -> SafeString:
        summary = monitoring_summary(obj) if obj.status == AssessmentStatus.COMPLETED else None
        if summary is None and obj.monitored_target_id is not None:
            return format_html(
                "{}", f"Watched target {obj.monitored_target}: the history shows once this scan completes."
            )
        return monitoring_panel(summary, chart_id=f"history-{obj.pk}")

    def has_watch_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(WATCH_PERMISSION)

    @admin.action(description="Watch the target (re-scan it on a schedule)", permissions=["watch"])
    def watch_target(self, request: HttpRequest, queryset: QuerySet[SecurityAssessment]) -> None:
        watched, skipped = set(), 0
        for assessment in queryset.select_related("lead"):
            if assessment.status == AssessmentStatus.PENDING_APPROVAL or not assessment.target_host:
                skipped += 1
                continue
            target = services.monitor_watch_assessment(
                assessment=assessment, source=WatchSource.STAFF, actor=request.user
            )
            watched.add(target.host)
        self.message_user(  # type: ignore[attr-defined]
            request,
            f"{len(watched)} target(s) watched: {', '.join(sorted(watched)) or '–'}.",
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(  # type: ignore[attr-defined]
                request, f"{skipped} skipped: approve the target first.", messages.WARNING
            )

    @admin.action(description="Stop watching the target", permissions=["watch"])
    def unwatch_target(self, request: HttpRequest, queryset: QuerySet[SecurityAssessment]) -> None:
        stopped = set()
        for assessment in queryset.select_related("monitored_target"):
            target = assessment.monitored_target
            if target is not None and target.is_active:
                services.monitor_unwatch(target=target, actor=request.user)
                stopped.add(target.host)
        self.message_user(  # type: ignore[attr-defined]
            request, f"{len(stopped)} target(s) no longer watched.", messages.SUCCESS
        )


@admin.register(MonitoredTarget)
class MonitoredTargetAdmin(ModelAdmin):
    """Watched targets: the toggle (`is_active`) and the interval are edited here; targets are
    created by the watch actions or by the prospect's consent."""

    list_display = (
        "host",
        "lead",
        "is_active",
        "interval_days",
        "source",
        "latest_grade",
        "scan_count",
        "next_scan_at",
    )
    list_select_related = ("lead",)
    list_filter = ("is_active", "source")
    search_fields = ("host", "lead__email", "lead__company__name")
    actions = ("resume_watching", "stop_watching")
    fields = (
        "host",
        "target_url",
        "lead",
        "company",
        "is_active",
        "interval_days",
        "source",
        "watched_since",
        "watched_by",
        "next_scan_at",
        "last_scan_queued_at",
        "history",
    )
    readonly_fields = (
        "host",
        "target_url",
        "lead",
        "company",
        "source",
        "watched_since",
        "watched_by",
        "next_scan_at",
        "last_scan_queued_at",
        "history",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[MonitoredTarget]:
        latest = SecurityAssessment.objects.filter(
            monitored_target=OuterRef("pk"), status=AssessmentStatus.COMPLETED
        ).order_by("-completed_at")
        return (
            super().get_queryset(request) & monitored_target_queryset_for_user(user=request.user)
        ).annotate(
            scans=Count("assessments", distinct=True),
            latest_grade_value=Subquery(latest.values("grade")[:1]),
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and not user_may_see_lead(user=request.user, lead=obj.lead):
            return None
        return obj

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # watch from an assessment or a lead (actions), or by the prospect's consent

    def save_model(self, request: HttpRequest, obj: MonitoredTarget, form: Any, change: bool) -> None:
        try:
            services.monitor_update(
                target=obj, is_active=obj.is_active, interval_days=obj.interval_days, actor=request.user
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    @admin.display(description="Latest grade")
    def latest_grade(self, obj: MonitoredTarget) -> str:
        return getattr(obj, "latest_grade_value", None) or "–"

    @admin.display(description="Scans", ordering="scans")
    def scan_count(self, obj: MonitoredTarget) -> int:
        return getattr(obj, "scans", 0)

    @admin.display(description="Grade and risk history")
    def history(self, obj: MonitoredTarget) -> SafeString:
        latest = (
            SecurityAssessment.objects.filter(monitored_target=obj, status=AssessmentStatus.COMPLETED)
            .select_related("monitored_target")
            .order_by("-completed_at")
            .first()
        )
        if latest is None:
            return format_html("{}", "No completed scan yet.")
        link = reverse("admin:assessments_securityassessment_change", args=[latest.pk])
        return format_html(
            '{}<p><a href="{}">The latest scan, its changes and its PDF</a></p>',
            monitoring_panel(monitoring_summary(latest), chart_id=f"target-{obj.pk}"),
            link,
        )

    def _set_active(self, request: HttpRequest, queryset: QuerySet[MonitoredTarget], active: bool) -> int:
        changed = 0
        for target in queryset:
            if target.is_active != active:
                services.monitor_update(
                    target=target, is_active=active, interval_days=target.interval_days, actor=request.user
                )
                changed += 1
        return changed

    @admin.action(description="Resume watching", permissions=["change"])
    def resume_watching(self, request: HttpRequest, queryset: QuerySet[MonitoredTarget]) -> None:
        self.message_user(request, f"{self._set_active(request, queryset, True)} target(s) watched again.")

    @admin.action(description="Stop watching", permissions=["change"])
    def stop_watching(self, request: HttpRequest, queryset: QuerySet[MonitoredTarget]) -> None:
        self.message_user(
            request, f"{self._set_active(request, queryset, False)} target(s) no longer watched."
        )
