"""Webhook endpoints, the event outbox, and one delivery (plus its attempts) per endpoint and event.

An event is written in the transaction of the change it describes (`services.webhook_emit`), with
one `WebhookDelivery` per endpoint that may receive it and the job that sends them: if the change
rolls back, nothing is sent; if it commits, nothing is lost. The event's primary key is its
`sequence`, global and increasing, so a receiver can put events about one lead back in order.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class WebhookEventType(models.TextChoices):
    LEAD_CREATED = "lead.created", "Lead created"
    LEAD_QUALIFIED = "lead.qualified", "Lead qualified"
    LEAD_STATUS_CHANGED = "lead.status_changed", "Lead status changed"
    LEAD_ASSIGNED = "lead.assigned", "Lead assigned"
    LEAD_HOT = "lead.hot", "Lead became hot"
    ASSESSMENT_COMPLETED = "assessment.completed", "Assessment completed"
    CHAT_ESCALATED = "chat.escalated", "Chat escalated"
    COMMISSION_APPROVED = "commission.approved", "Commission approved"
    #: Sent by "Send test event" to one endpoint only; nobody subscribes to it.
    TEST = "webhook.test", "Test event"


#: The event types an endpoint can subscribe to (everything but the test event).
SUBSCRIBABLE_EVENT_TYPES: tuple[str, ...] = tuple(
    value for value in WebhookEventType.values if value != WebhookEventType.TEST
)


#: The `secret_box` purpose of endpoint signing secrets. Never change it: it is part of the key
#: that encrypted every stored secret (the string predates the shared module).
SIGNING_SECRET_PURPOSE = "enterprise-scanner.webhooks.secret"  # noqa: S105 (a key-derivation label, not a secret)


class WebhookEndpoint(models.Model):
    """A URL a manager registered, the events it wants, and the secret its requests are signed with.

    The secret is needed in clear to sign every request, so it cannot be hashed like an API key:
    it is stored encrypted with a key derived from SECRET_KEY (`enterprise_scanner/secret_box.py`,
    purpose `SIGNING_SECRET_PURPOSE`), shown once when it
    is created or rotated, and never again."""

    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    active = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
        help_text="Whose view of the data the endpoint gets: a manager's endpoint every event, "
        "a rep's only events about leads the rep may see.",
    )
    secret_encrypted = models.TextField(editable=False)
    secret_prefix = models.CharField(max_length=16, editable=False, help_text="To recognise the secret.")
    secret_rotated_at = models.DateTimeField(default=timezone.now, editable=False)
    failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when a delivery gave up after every retry; cleared by the next success.",
    )
    disabled_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        # Not the bare URL: the admin capitalises titles, and "Https://…" reads as a typo.
        return self.description or f"Endpoint {self.url.split('://', 1)[-1]}"


class WebhookEvent(models.Model):
    """One thing that happened, as sent to every endpoint that receives it (the outbox row)."""

    sequence = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    version = models.PositiveSmallIntegerField(default=1)
    occurred_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    lead_id = models.UUIDField(null=True, blank=True, db_index=True, help_text="For ordering per lead.")

    class Meta:
        ordering = ["-sequence"]
        verbose_name = "webhook event"

    def __str__(self) -> str:
        return f"{self.type} #{self.sequence}"

    @property
    def webhook_id(self) -> str:
        """The `webhook-id` header: the same on every attempt and resend, for receivers' de-duplication."""
        return f"msg_{self.public_id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    GAVE_UP = "gave_up", "Gave up"


class WebhookDelivery(models.Model):
    """An event on its way to one endpoint: its state, the next retry, and the last answer."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="A job is sending it (a lease, not a lock)."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_snippet = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once_per_endpoint"),
            models.CheckConstraint(
                condition=~models.Q(status="delivered") | models.Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            # The backlog an event's job takes along (services.webhook_deliver_event).
            models.Index(
                fields=["id"], condition=models.Q(status="pending", attempts=0), name="webhook_delivery_fresh"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery, for the delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_snippet = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        verbose_name = "webhook attempt"
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery_id}"
