from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks: endpoints, the event outbox, and the delivery log."""

    name = "enterprise_scanner.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import WebhookEndpoint

        # Who changed an endpoint's URL, events or state; never the (encrypted) secret.
        auditlog.register(WebhookEndpoint, exclude_fields=["secret_encrypted"])
