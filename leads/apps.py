from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads & companies"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Company, Lead

        # Field-level history of staff changes (who changed what, when); the lead timeline
        # records business events, auditlog the raw field diffs.
        auditlog.register(Lead, exclude_fields=["updated_at", "score_breakdown", "scored_at"])
        auditlog.register(Company, exclude_fields=["updated_at"])
