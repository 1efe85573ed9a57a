"""Admin for webhooks (managers, under Settings): endpoints, their delivery log, resending.

Every change goes through `services`: the add form registers the endpoint and shows its signing
secret once (rendered in the response, never stored in clear, in a message or in the session);
"Rotate secret" does the same for a new one; "Send test event" and "Resend" queue a delivery.
State-changing buttons are POST forms with the CSRF token.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminTextInputWidget

from enterprise_scanner import admin_theme  # noqa: F401  (re-registers third-party admins on unfold)
from enterprise_scanner.admin_format import truncated
from enterprise_scanner.readonly_admin import ReadOnlyInline, ViewOnlyAdminMixin

from . import services
from .models import (
    SUBSCRIBABLE_EVENT_TYPES,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)

STATUS_CHIPS = {
    DeliveryStatus.DELIVERED: "success",
    DeliveryStatus.PENDING: "info",
    "retrying": "warning",
    DeliveryStatus.FAILED: "danger",
    DeliveryStatus.GAVE_UP: "danger",
}
RECENT_DELIVERIES = 20


def short_time(value: datetime | None) -> str:
    """ "Dec 6, 01:15:43": a list column that stays on one line at 1366 px."""
    if value is None:
        return "—"
    return format_html(
        '<span class="wh-nowrap">{}</span>', date_format(timezone.localtime(value), "M j, H:i:s")
    )


def delivery_chip(delivery: WebhookDelivery) -> tuple[str, str]:
    """(chip colour key, text): a pending delivery that already failed once is "Retrying"."""
    if delivery.status == DeliveryStatus.PENDING and delivery.attempts:
        return "retrying", "Retrying"
    return delivery.status, DeliveryStatus(delivery.status).label


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        widget=UnfoldAdminTextInputWidget(
            attrs={"placeholder": "https://hooks.example.com/enterprise-scanner"}
        ),
        help_text="Where we POST the events: an https:// URL on a public address.",
    )
    events = forms.MultipleChoiceField(
        choices=[(value, f"{value} — {WebhookEventType(value).label}") for value in SUBSCRIBABLE_EVENT_TYPES],
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text="The events this endpoint receives (payloads: docs/webhooks.md).",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "active")
        help_texts = {
            "url": "Where we POST the events: an https:// URL on a public address.",
            "active": "Inactive endpoints receive nothing; turning one back on clears its failing mark.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["url"], data["events"] = services.webhook_endpoint_clean(
                url=data.get("url", ""), events=data.get("events", [])
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field not in self.errors:  # a field's own error ("required") says it already
                    self.add_error(field, errors)
        return data


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ("number", "attempted_at", "response_status", "latency_ms", "response_snippet", "error")
    readonly_fields = fields
    ordering = ("-number",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ModelAdmin):
    form = WebhookEndpointForm
    change_form_template = "admin/webhooks/webhookendpoint/change_form.html"
    change_list_template = "admin/webhooks/change_list.html"
    list_display = ("url_column", "event_list", "state", "last_delivery", "owner")
    list_select_related = ("owner",)
    list_filter = ("active", ("failing_since", admin.EmptyFieldListFilter))
    search_fields = ("url", "description")
    readonly_fields = (
        "owner",
        "secret_prefix",
        "secret_rotated_at",
        "failing_since",
        "disabled_reason",
        "created_at",
    )

    def get_fieldsets(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> Any:
        main = (None, {"fields": ("url", "description", "events", "active")})
        if obj is None:
            return [main]
        state = ("Secret and state", {"fields": self.readonly_fields})
        return [main, state]

    def get_readonly_fields(
        self, request: HttpRequest, obj: WebhookEndpoint | None = None
    ) -> tuple[str, ...]:
        return self.readonly_fields if obj is not None else ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_delivery_at=Subquery(latest.values("created_at")[:1]),
                last_delivery_status=Subquery(latest.values("status")[:1]),
                last_delivery_code=Subquery(latest.values("response_status")[:1]),
                last_delivery_attempts=Subquery(latest.values("attempts")[:1]),
            )
        )

    @admin.display(description="Endpoint", ordering="url")
    def url_column(self, obj: WebhookEndpoint) -> str:
        """The description as the name (what people recognise), the URL under it."""
        return format_html(
            '<span class="wh-name">{}</span><span class="wh-url" title="{}">{}</span>',
            obj.description or obj.url,
            obj.url,
            obj.url if obj.description else "",
        )

    @admin.display(description="Events")
    def event_list(self, obj: WebhookEndpoint) -> str:
        return truncated(", ".join(obj.events), width="13rem")

    @display(
        description="State",
        label={"ok": "success", "failing": "danger", "off": "warning"},
    )
    def state(self, obj: WebhookEndpoint) -> tuple[str, str]:
        if not obj.active:
            return "off", "Disabled"
        if obj.failing_since:
            return (
                "failing",
                f"Failing since {date_format(timezone.localtime(obj.failing_since), 'M j, H:i')}",
            )
        return "ok", "Active"

    @admin.display(description="Last delivery", ordering="last_delivery_at")
    def last_delivery(self, obj: WebhookEndpoint) -> str:
        if obj.last_delivery_at is None:
            return "—"
        last = WebhookDelivery(status=obj.last_delivery_status, attempts=obj.last_delivery_attempts or 0)
        key, text = delivery_chip(last)
        code = f" {obj.last_delivery_code}" if obj.last_delivery_code else ""
        return format_html(
            '<span class="wh-nowrap"><span class="wh-chip wh-chip-{}">{}{}</span> {}</span>',
            key,
            text,
            code,
            date_format(timezone.localtime(obj.last_delivery_at), "M j, H:i"),
        )

    # --- Saving through the services, the secret shown once -------------------------------------

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: WebhookEndpointForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if change:
            services.webhook_endpoint_update(
                endpoint=obj,
                url=data["url"],
                events=data["events"],
                description=data.get("description", ""),
                active=data["active"],
            )
            return
        created, secret = services.webhook_endpoint_create(
            url=data["url"],
            events=data["events"],
            owner=request.user,
            description=data.get("description", ""),
            active=data["active"],
        )
        # The admin goes on with `obj` (log entry, response): make it the saved row.
        for field in WebhookEndpoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db
        request._webhook_secret = secret  # for response_add, this response only

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret = getattr(request, "_webhook_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return self._secret_page(request, obj, secret, created=True)

    def _secret_page(
        self, request: HttpRequest, endpoint: WebhookEndpoint, secret: str, *, created: bool
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": endpoint,
            "title": "Endpoint registered" if created else "New signing secret",
            "secret": secret,
            "created": created,
            "change_url": reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        }
        response = TemplateResponse(request, "admin/webhooks/webhookendpoint/secret.html", context)
        response["Cache-Control"] = "no-store"
        return response

    # --- Buttons of the endpoint page -------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/rotate-secret/",
                wrap(self.rotate_secret_view),
                name="webhooks_webhookendpoint_rotate",
            ),
            path("<int:pk>/send-test/", wrap(self.send_test_view), name="webhooks_webhookendpoint_test"),
            path(
                "deliveries/<int:pk>/resend/",
                wrap(self.resend_view),
                name="webhooks_webhookdelivery_resend",
            ),
            *super().get_urls(),
        ]

    def _endpoint_for_change(self, request: HttpRequest, pk: int) -> WebhookEndpoint:
        if request.method != "POST":
            raise _MethodNotAllowed
        endpoint = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        return endpoint

    def rotate_secret_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            endpoint = self._endpoint_for_change(request, pk)
        except _MethodNotAllowed:
            return HttpResponseNotAllowed(["POST"])
        secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint)
        return self._secret_page(request, endpoint, secret, created=False)

    def send_test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            endpoint = self._endpoint_for_change(request, pk)
        except _MethodNotAllowed:
            return HttpResponseNotAllowed(["POST"])
        if not endpoint.active:
            self.message_user(
                request, "This endpoint is disabled: turn it on to send it events.", messages.ERROR
            )
        else:
            services.webhook_send_test(endpoint=endpoint)
            self.message_user(
                request, "Test event queued: its delivery appears below within seconds.", messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))

    def resend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("webhooks.change_webhookdelivery"):
            raise PermissionDenied
        delivery = get_object_or_404(WebhookDelivery.objects.select_related("event"), pk=pk)
        services.webhook_delivery_resend(delivery=delivery)
        self.message_user(
            request,
            f"{delivery.event.type} #{delivery.event.sequence} queued to be sent again (same webhook-id).",
            messages.SUCCESS,
        )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:webhooks_webhookendpoint_change", args=[delivery.endpoint_id])
        return HttpResponseRedirect(back)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        obj = kwargs.get("obj") or context.get("original")
        if obj is not None and obj.pk:
            recent = list(
                WebhookDelivery.objects.filter(endpoint=obj)
                .select_related("event")
                .order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
            )
            context["recent_deliveries"] = [(delivery, delivery_chip(delivery)) for delivery in recent]
            context["may_resend"] = request.user.has_perm("webhooks.change_webhookdelivery")
            context["all_deliveries_url"] = (
                reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
            )
        return super().render_change_form(request, context, *args, **kwargs)


class _MethodNotAllowed(Exception):
    pass


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """The delivery log: every event sent to every endpoint, its state and last answer."""

    list_display = (
        "created",
        "endpoint_column",
        "event_column",
        "status_chip",
        "code",
        "latency",
        "attempts",
        "next_retry",
        "snippet",
    )
    list_select_related = ("endpoint", "event")
    change_list_template = "admin/webhooks/change_list.html"
    change_form_template = "admin/webhooks/change_form.html"
    list_filter = ("status", "endpoint", "event__type")
    search_fields = ("endpoint__url", "event__type", "response_snippet", "error")
    date_hierarchy = None
    actions = ("resend_selected",)
    inlines = (WebhookAttemptInline,)
    readonly_fields = (
        "endpoint",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "delivered_at",
        "response_status",
        "latency_ms",
        "response_snippet",
        "error",
        "created_at",
        "payload",
    )
    fields = readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.change_webhookdelivery")

    @admin.display(description="Created", ordering="created_at")
    def created(self, obj: WebhookDelivery) -> str:
        return short_time(obj.created_at)

    @admin.display(description="Next retry", ordering="next_attempt_at")
    def next_retry(self, obj: WebhookDelivery) -> str:
        return short_time(obj.next_attempt_at) if obj.status == DeliveryStatus.PENDING else "—"

    @admin.display(description="Code", ordering="response_status")
    def code(self, obj: WebhookDelivery) -> str:
        return str(obj.response_status) if obj.response_status else "—"

    @admin.display(description="Endpoint", ordering="endpoint__url")
    def endpoint_column(self, obj: WebhookDelivery) -> str:
        return truncated(obj.endpoint.description or obj.endpoint.url, width="12rem")

    @admin.display(description="Event", ordering="event__sequence")
    def event_column(self, obj: WebhookDelivery) -> str:
        return f"{obj.event.type} #{obj.event.sequence}"

    @display(description="Status", label=STATUS_CHIPS, ordering="status")
    def status_chip(self, obj: WebhookDelivery) -> tuple[str, str]:
        return delivery_chip(obj)

    @admin.display(description="Latency", ordering="latency_ms")
    def latency(self, obj: WebhookDelivery) -> str:
        return f"{obj.latency_ms} ms" if obj.latency_ms is not None else "—"

    @admin.display(description="Response")
    def snippet(self, obj: WebhookDelivery) -> str:
        return truncated(obj.error or obj.response_snippet, width="12rem")

    @admin.display(description="Payload (as sent)")
    def payload(self, obj: WebhookDelivery) -> str:
        pretty = json.dumps(json.loads(services.event_body(obj.event)), indent=2, ensure_ascii=False)
        return format_html('<pre class="wh-payload">{}</pre>', pretty)

    @admin.action(description="Resend selected deliveries", permissions=["resend"])
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        deliveries = list(queryset)
        for delivery in deliveries:
            services.webhook_delivery_resend(delivery=delivery)
        self.message_user(
            request, f"{len(deliveries)} delivery(ies) queued to be sent again.", messages.SUCCESS
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """The outbox: every event emitted, in sequence order (for support: what did we send?)."""

    list_display = ("sequence", "type", "version", "occurred_at", "lead_id")
    list_filter = ("type",)
    search_fields = ("type",)
    fields = ("sequence", "public_id", "type", "version", "occurred_at", "lead_id", "data")
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
