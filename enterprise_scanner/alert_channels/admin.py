"""Managers' pages for Slack / Teams alerts (Settings in the sidebar): channels with a test
action, and the delivery log with Retry. The webhook URL is never shown after saving."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from enterprise_scanner import admin_theme  # noqa: F401  (re-registers third-party admins on unfold)

from .forms import AlertChannelForm
from .models import AlertChannel, AlertDelivery, DeliveryStatus
from .services import alert_channel_send_test, alert_delivery_retry

STATUS_LABELS = {
    DeliveryStatus.DELIVERED.label: "success",
    DeliveryStatus.PENDING.label: "warning",
    DeliveryStatus.FAILED.label: "danger",
}


@admin.register(AlertChannel)
class AlertChannelAdmin(ModelAdmin):
    form = AlertChannelForm
    list_display = (
        "name",
        "kind",
        "alert_list",
        "team",
        "is_active",
        "health",
        "last_delivery",
        "webhook_hint",
    )
    list_display_links = ("name",)
    list_filter = ("kind", "is_active", "team")
    search_fields = ("name",)
    list_select_related = ("team",)
    readonly_fields = (
        "webhook_hint",
        "health",
        "disabled_reason",
        "created_by",
        "created_at",
        "recent_deliveries",
    )
    actions = ("send_test_message",)
    actions_submit_line = ("save_and_send_test",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "webhook_url", "is_active")}),
        ("Which alerts", {"fields": ("alert_hot_lead", "alert_chat_escalation", "alert_watched_assessment")}),
        ("Team", {"fields": ("team", "include_unassigned")}),
        (
            "Status",
            {"fields": ("health", "disabled_reason", "recent_deliveries", "created_by", "created_at")},
        ),
    )

    def get_fieldsets(self, request: HttpRequest, obj: AlertChannel | None = None):  # type: ignore[no-untyped-def]
        return self.fieldsets if obj else self.fieldsets[:3]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AlertChannel]:
        last = AlertDelivery.objects.filter(channel=OuterRef("pk")).order_by("-created_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_delivery_at=Subquery(last.values("created_at")[:1]),
                last_delivery_status=Subquery(last.values("status")[:1]),
                last_delivery_error=Subquery(last.values("error")[:1]),
            )
        )

    @admin.display(description="Alerts")
    def alert_list(self, obj: AlertChannel) -> str:
        names = [
            label
            for wanted, label in (
                (obj.alert_hot_lead, "Hot leads"),
                (obj.alert_chat_escalation, "Chats"),
                (obj.alert_watched_assessment, "Watched sites"),
            )
            if wanted
        ]
        return ", ".join(names) or "—"

    @display(
        description="Health",
        label={
            "OK": "success",
            "Retrying": "warning",
            "Failing": "danger",
            "Off": "info",
            "Not used yet": "info",
        },
    )
    def health(self, obj: AlertChannel) -> str:
        """Off, Failing (gave up on an alert), Retrying (the last alert failed and waits for its
        next try), OK, or Not used yet."""
        if not obj.is_active:
            return "Off"
        if obj.failing_since:
            return "Failing"
        status = getattr(obj, "last_delivery_status", None)
        if status is None and not hasattr(obj, "last_delivery_status"):
            last = obj.deliveries.order_by("-created_at", "-pk").values("status", "error").first()
            status, obj.last_delivery_error = (last["status"], last["error"]) if last else (None, "")
        if status is None:
            return "Not used yet"
        if status == DeliveryStatus.PENDING and getattr(obj, "last_delivery_error", ""):
            return "Retrying"
        return "OK"

    @admin.display(description="Last alert")
    def last_delivery(self, obj: AlertChannel) -> str:
        when = getattr(obj, "last_delivery_at", None)
        if when is None:
            return "—"
        status = DeliveryStatus(obj.last_delivery_status).label
        return format_html("{} · {}", status, when.strftime("%d %b %H:%M"))

    @admin.display(description="Recent alerts")
    def recent_deliveries(self, obj: AlertChannel) -> str:
        rows = obj.deliveries.order_by("-created_at")[:10]
        if not rows:
            return "No alerts sent here yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} ({}){}</li>",
                (
                    (
                        d.created_at.strftime("%d %b %H:%M"),
                        d.get_alert_kind_display(),
                        d.subject_label,
                        d.get_status_display(),
                        f" — {d.error}" if d.error else "",
                    )
                    for d in rows
                ),
            ),
        )

    def save_model(
        self, request: HttpRequest, obj: AlertChannel, form: AlertChannelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        if "webhook_url" in form.changed_data or "is_active" in form.changed_data:
            # A new URL or switching it back on is a fresh start.
            obj.failing_since = None
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)
        if form.warning:
            self.message_user(request, form.warning, messages.WARNING)

    @action(description="Save and send test message", permissions=["change"])
    def save_and_send_test(self, request: HttpRequest, obj: AlertChannel) -> None:
        """A button next to Save (a POST with the form, CSRF-checked): saves, then posts."""
        result = alert_channel_send_test(channel=obj)
        self.message_user(request, result.message, messages.SUCCESS if result.ok else messages.ERROR)

    @admin.action(description="Send test message", permissions=["change"])
    def send_test_message(self, request: HttpRequest, queryset: QuerySet[AlertChannel]) -> None:
        for channel in queryset[:10]:
            result = alert_channel_send_test(channel=channel)
            self.message_user(request, result.message, messages.SUCCESS if result.ok else messages.ERROR)


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ModelAdmin):
    list_display = (
        "when",
        "channel_name",
        "alert_kind",
        "subject",
        "status_badge",
        "attempts",
        "answer",
        "next_try",
        "short_error",
    )
    list_filter = ("status", "alert_kind", "channel")
    list_select_related = ("channel",)
    search_fields = ("subject_label", "subject_key")
    date_hierarchy = "created_at"
    actions = ("retry",)
    fields = (
        "channel",
        "alert_kind",
        "subject",
        "subject_key",
        "status",
        "attempts",
        "status_code",
        "latency_ms",
        "response_snippet",
        "error",
        "next_attempt_at",
        "last_attempt_at",
        "delivered_at",
        "created_at",
        "payload",
    )
    readonly_fields = fields

    @admin.display(description="When", ordering="created_at")
    def when(self, obj: AlertDelivery) -> str:
        return timezone.localtime(obj.created_at).strftime("%d %b %H:%M")

    @admin.display(description="Channel", ordering="channel__name")
    def channel_name(self, obj: AlertDelivery) -> str:
        return obj.channel.name

    @admin.display(description="Answer")
    def answer(self, obj: AlertDelivery) -> str:
        if obj.status_code is None:
            return "—" if obj.latency_ms is None else f"none · {obj.latency_ms} ms"
        return f"{obj.status_code} · {obj.latency_ms} ms"

    @admin.display(description="Next try", ordering="next_attempt_at")
    def next_try(self, obj: AlertDelivery) -> str:
        if obj.next_attempt_at is None:
            return "—"
        return timezone.localtime(obj.next_attempt_at).strftime("%d %b %H:%M")

    @admin.display(description="Error")
    def short_error(self, obj: AlertDelivery) -> str:
        if not obj.error:
            return "—"
        if len(obj.error) <= 70:
            return obj.error
        return format_html('<span title="{}">{}…</span>', obj.error, obj.error[:69])

    @display(description="About")
    def subject(self, obj: AlertDelivery) -> str:
        if obj.subject_url.startswith(("http://", "https://")):
            return format_html('<a href="{}">{}</a>', obj.subject_url, obj.subject_label or obj.subject_key)
        return obj.subject_label or obj.subject_key

    @display(description="Status", label=STATUS_LABELS)
    def status_badge(self, obj: AlertDelivery) -> str:
        return obj.get_status_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the alerts themselves

    @admin.action(description="Retry now", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[AlertDelivery]) -> None:
        retried = sum(
            alert_delivery_retry(delivery=delivery) for delivery in queryset.select_related("channel")
        )
        skipped = queryset.count() - retried
        self.message_user(request, f"Queued {retried} delivery(ies) again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Skipped {skipped}: already delivered, being posted right now, or the channel is switched off.",
                messages.WARNING,
            )
