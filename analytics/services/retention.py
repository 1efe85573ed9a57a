"""Retention: raw tracker events do not outlive their use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Event, Visitor
from ..selectors import visitors_purgeable


@dataclass(frozen=True)
class PurgeResult:
    """What a retention run removed."""

    events: int
    visitors: int


@transaction.atomic
def events_purge(*, older_than_days: int) -> PurgeResult:
    """Delete raw events older than `older_than_days` days (rollups are kept), and the anonymous
    visitors not seen since then: a visitor row keeps its first touch (landing page, referrer,
    campaign), which is tracking data like the events and should not outlive them.

    A visitor is kept while anything still needs it (see `visitors_purgeable`). A chat keeps its
    transcript; only its link to the anonymous browser goes."""
    if older_than_days < 1:
        raise ValidationError({"older_than_days": "Keep at least one day of events."})
    cutoff = timezone.now() - timedelta(days=older_than_days)
    events, _ = Event.objects.filter(occurred_at__lt=cutoff).delete()
    _, per_model = visitors_purgeable(cutoff=cutoff).delete()
    return PurgeResult(events=events, visitors=per_model.get(Visitor._meta.label, 0))
