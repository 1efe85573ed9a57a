from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners & commissions"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Commission, Partner

        auditlog.register(Partner)
        auditlog.register(Commission)
