from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Shared API plumbing: secret API keys, authentication, throttles, errors, pagination."""

    name = "enterprise_scanner.api"
    label = "api"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from . import schema  # noqa: F401  (registers OpenAPI descriptions of our auth schemes)
        from .cors import allow_website_origins

        check_request_enabled.connect(allow_website_origins, dispatch_uid="website-origins")
