from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import AppConfig
from django.db import models


def normalise_decimal_fields(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Store every decimal at its column's scale before the row is saved.

    Why: django-auditlog diffs the string forms of the old row (read back from the database,
    e.g. Decimal("5000000.00")) and of the instance being saved (e.g. Decimal("5000000") from the
    deal-value estimate), so an unchanged value was logged as a change on every re-score:
    "estimated deal value 5000000.00 → 5000000", three times for one lead. Quantizing here, in a
    receiver connected before auditlog's, makes equal values equal strings on every write path
    (scoring, import, admin, demo loader)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.DecimalField):
            value = getattr(instance, field.attname)
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                setattr(
                    instance, field.attname, Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
                )


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads & companies"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Company, Lead

        # Before auditlog's own pre_save receiver (receivers run in the order they connect).
        for model in (Lead, Company):
            models.signals.pre_save.connect(
                normalise_decimal_fields, sender=model, dispatch_uid=f"leads_decimal_scale_{model.__name__}"
            )
        # Field-level history of staff changes (who changed what, when); the lead timeline
        # records business events, auditlog the raw field diffs.
        auditlog.register(Lead, exclude_fields=["updated_at", "score_breakdown", "scored_at"])
        auditlog.register(Company, exclude_fields=["updated_at"])
