"""The channel form: the webhook URL is validated with clear messages and never shown again."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from unfold.widgets import UnfoldAdminTextInputWidget

from enterprise_scanner.outbound import outbound_url_refusal

from .models import AlertChannel, ChannelKind

SLACK_HOSTS = ("hooks.slack.com",)
#: Teams incoming webhooks (classic connectors) and Power Automate / Workflows endpoints.
TEAMS_HOST_SUFFIXES = (
    ".webhook.office.com",
    ".logic.azure.com",
    ".api.powerplatform.com",
    ".powerautomate.com",
)


def webhook_host_warning(kind: str, url: str) -> str:
    """A hint when the URL does not look like the kind's webhook (a warning only: a relay or a
    test receiver is fine)."""
    host = (urlsplit(url).hostname or "").lower()
    if kind == ChannelKind.SLACK and host not in SLACK_HOSTS:
        return (
            f"This does not look like a Slack incoming webhook (expected https://hooks.slack.com/services/…, "
            f"got {host}). Saved anyway; use “Send test message” to check it."
        )
    if kind == ChannelKind.TEAMS and not host.endswith(TEAMS_HOST_SUFFIXES):
        return (
            "This does not look like a Teams webhook (expected a Workflows / Power Automate URL or "
            f"https://….webhook.office.com/…, got {host}). Saved anyway; use “Send test message” to check it."
        )
    return ""


class AlertChannelForm(forms.ModelForm):
    webhook_url = forms.CharField(
        label="Webhook URL",
        required=False,
        max_length=1000,
        strip=True,
        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=(
            "Slack: Apps → Incoming Webhooks → “Add New Webhook to Workspace”, copy the "
            "https://hooks.slack.com/services/… URL. Teams: a Workflows “Post to a channel when a webhook "
            "request is received” flow, copy its URL."
        ),
    )

    class Meta:
        model = AlertChannel
        fields = (
            "name",
            "kind",
            "webhook_url",
            "alert_hot_lead",
            "alert_chat_escalation",
            "alert_watched_assessment",
            "team",
            "include_unassigned",
            "is_active",
        )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.warning = ""
        # The saved URL is a secret: never sent back to the browser, only its masked form.
        self.initial["webhook_url"] = ""
        if self.instance.pk:
            field = self.fields["webhook_url"]
            field.widget.attrs["placeholder"] = "Saved (hidden) — leave empty to keep it"
            field.help_text = (
                f"Saved: {self.instance.webhook_hint}. Leave empty to keep it; paste a new URL to replace it."
            )

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data.get("webhook_url", "")
        if not url:
            if self.instance.pk and self.instance.webhook_url:
                return self.instance.webhook_url
            raise ValidationError("Paste the incoming-webhook URL of the channel.", code="required")
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                "This is not a valid URL. Paste the whole webhook URL, starting with https://.",
                code="invalid",
            ) from None
        refusal = outbound_url_refusal(url)
        if refusal:
            raise ValidationError(f"This URL cannot be used: {refusal}", code="refused")
        return url

    def save(self, commit: bool = True) -> AlertChannel:
        # `webhook_url` is not a model field but the encrypting property: a ModelForm only copies
        # model fields onto the instance, so set it here (re-encrypting a kept URL with the
        # current SECRET_KEY, which also finishes a key rotation for this channel).
        url = self.cleaned_data.get("webhook_url")
        if url:
            self.instance.webhook_url = str(url)
        return super().save(commit)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if not any(
            cleaned.get(name)
            for name in ("alert_hot_lead", "alert_chat_escalation", "alert_watched_assessment")
        ):
            raise ValidationError("Choose at least one kind of alert for this channel.", code="no_alerts")
        url = cleaned.get("webhook_url")
        if url and cleaned.get("kind"):
            self.warning = webhook_host_warning(str(cleaned["kind"]), str(url))
        return cleaned
