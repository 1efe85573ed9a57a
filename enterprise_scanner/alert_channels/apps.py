from django.apps import AppConfig


class AlertChannelsConfig(AppConfig):
    """Slack and Teams incoming webhooks that receive sales alerts besides the e-mail."""

    name = "enterprise_scanner.alert_channels"
    label = "alert_channels"
    verbose_name = "Slack & Teams alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import AlertChannel

        # The webhook URL is a secret (whoever holds it can post to the channel): the audit log
        # records its masked hint, which changes with it, never the URL itself.
        auditlog.register(AlertChannel, exclude_fields=["webhook_url_encrypted", "updated_at"])
