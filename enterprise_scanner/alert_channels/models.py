"""Where alerts go besides e-mail (`AlertChannel`) and what was posted there (`AlertDelivery`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from enterprise_scanner.secret_box import decrypt_text, encrypt_text

#: The `secret_box` purpose of channel webhook URLs (its own key: a token never decrypts as
#: another kind of secret). Never change it: migration 0004 encrypted existing rows with it.
WEBHOOK_URL_PURPOSE = "enterprise-scanner.alert_channels.webhook_url"


class ChannelKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class AlertKind(models.TextChoices):
    HOT_LEAD = "hot_lead", "Hot lead"
    CHAT_ESCALATION = "chat_escalation", "Chat escalation"
    WATCHED_ASSESSMENT = "watched_assessment", "Watched assessment got worse"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


def mask_webhook_url(url: str) -> str:
    """What may be shown of a webhook URL once saved: scheme, host and the last four characters.
    Anyone holding the full URL can post to the channel, so lists, forms and the audit log show
    only this."""
    from urllib.parse import urlsplit

    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…{url[-4:]}"


class AlertChannel(models.Model):
    """A Slack or Teams incoming webhook that receives some kinds of alerts.

    Per team: with a `team` (a group of users), the channel gets hot-lead, chat and watched-site
    alerts about leads owned by a member of that group (and unassigned leads when
    `include_unassigned`); without one it gets every alert of its kinds."""

    name = models.CharField(max_length=100, help_text="E.g. '#sales-hot-leads' or 'EMEA team in Teams'.")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices, default=ChannelKind.SLACK)
    webhook_url_encrypted = models.TextField(
        "Webhook URL (encrypted)",
        editable=False,
        default="",
        help_text="The incoming-webhook URL, encrypted (see `webhook_url`). Shown masked once saved.",
    )
    webhook_hint = models.CharField(
        "Webhook", max_length=300, editable=False, blank=True, help_text="The masked URL, shown in lists."
    )
    alert_hot_lead = models.BooleanField("Hot leads", default=True)
    alert_chat_escalation = models.BooleanField("Chat escalations", default=True)
    alert_watched_assessment = models.BooleanField("Watched assessments", default=True)
    team = models.ForeignKey(
        "auth.Group",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only alerts about leads owned by members of this group. Empty: every alert.",
    )
    include_unassigned = models.BooleanField(
        "Include unassigned leads",
        default=True,
        help_text="With a team: also alerts about leads nobody owns yet.",
    )
    is_active = models.BooleanField("Active", default=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set when an alert could not be delivered."
    )
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Slack / Teams channel"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"webhook_url", "webhook_url_encrypted"} & set(update_fields):
            kwargs["update_fields"] = {
                *(set(update_fields) - {"webhook_url"}),
                "webhook_url_encrypted",
                "webhook_hint",
            }
        super().save(*args, **kwargs)

    @property
    def webhook_url(self) -> str:
        """The incoming-webhook URL in clear. Anyone holding it can post to the channel, so the
        database keeps only its encryption (`secret_box`, keyed from SECRET_KEY / its fallbacks)."""
        if not self.webhook_url_encrypted:
            return ""
        return decrypt_text(self.webhook_url_encrypted, purpose=WEBHOOK_URL_PURPOSE)

    @webhook_url.setter
    def webhook_url(self, url: str) -> None:
        # Also works as a constructor keyword: `AlertChannel(webhook_url=...)`.
        self.webhook_url_encrypted = encrypt_text(url, purpose=WEBHOOK_URL_PURPOSE) if url else ""
        # Derived, not business logic: the masked form always matches the stored URL.
        self.webhook_hint = mask_webhook_url(url)

    def wants(self, alert_kind: str) -> bool:
        return {
            AlertKind.HOT_LEAD: self.alert_hot_lead,
            AlertKind.CHAT_ESCALATION: self.alert_chat_escalation,
            AlertKind.WATCHED_ASSESSMENT: self.alert_watched_assessment,
        }.get(alert_kind, False)


class AlertDelivery(models.Model):
    """One alert for one channel: the message as built when the alert was raised, and how its
    posting went. Unique per (channel, alert kind, subject key), so a job that runs again never
    creates (or posts) a second one."""

    channel = models.ForeignKey(AlertChannel, on_delete=models.CASCADE, related_name="deliveries")
    alert_kind = models.CharField(max_length=30, choices=AlertKind.choices)
    subject_key = models.CharField(
        max_length=200, help_text="What the alert is about, e.g. lead id and crossing."
    )
    subject_label = models.CharField("About", max_length=300, blank=True)
    subject_url = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, help_text="The JSON body posted to the webhook.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_snippet = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Claimed by a job that is posting it now, until then (a lease, not a row lock).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Slack / Teams delivery"
        verbose_name_plural = "Slack / Teams deliveries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "alert_kind", "subject_key"],
                name="alertdelivery_once_per_channel_and_alert",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="delivered") | models.Q(delivered_at__isnull=False),
                name="alertdelivery_delivered_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alertdelivery_due_idx")]

    def __str__(self) -> str:
        return (
            f"{self.get_alert_kind_display()}: {self.subject_label or self.subject_key} → {self.channel.name}"
        )
