from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners & commissions"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Commission, Partner, PartnerInvite, PartnerMember

        auditlog.register(Partner)
        auditlog.register(Commission)
        auditlog.register(PartnerMember)
        auditlog.register(PartnerInvite, exclude_fields=["token_hash"])
