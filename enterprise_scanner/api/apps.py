from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Shared API plumbing: secret API keys, authentication, throttles, errors, pagination."""

    name = "enterprise_scanner.api"
    label = "api"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"
