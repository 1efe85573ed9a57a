"""Right to erasure: forget a person, keeping only proof that it was done."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models, transaction

from ..models import ErasureRecord, Event, Visitor
from .cross_app import erasure_activity_delete, erasure_lead_delete, erasure_lead_find


@transaction.atomic
def person_forget(*, email: str, actor_label: str) -> ErasureRecord:
    """Erase everything we hold about the person with this e-mail address (right to erasure): the
    lead, its timeline and notes, its browsers' events, its conversations, assessments, ROI
    calculations, and the change history of the lead. What remains is an ErasureRecord with a
    hash of the address and the numbers removed, as proof it was done.

    A partner's commission on the lead is kept but detached from it: what was earned and paid is
    an accounting record (retention for a legal obligation is an exception to erasure), and
    without the lead it names no one.

    This is the cross-app flow "erasure"; its steps in other apps are the `erasure_*` functions of
    `analytics.services.cross_app`, run in the order the foreign keys need."""
    normalised = email.strip().lower()
    if "@" not in normalised:
        raise ValidationError({"email": "Give the person's e-mail address."})
    deleted: dict[str, int] = {}
    lead = erasure_lead_find(email=normalised)
    if lead is not None:
        visitors = Visitor.objects.filter(models.Q(lead=lead) | models.Q(pk=lead.visitor_id))
        deleted["events"] = Event.objects.filter(visitor__in=visitors).delete()[0]
        deleted.update(erasure_activity_delete(lead=lead, visitors=visitors))
        deleted["visitors"] = visitors.delete()[0]
        deleted.update(erasure_lead_delete(lead=lead))
    return ErasureRecord.objects.create(
        email_sha256=hashlib.sha256(normalised.encode()).hexdigest(),
        deleted=deleted,
        actor_label=actor_label[:100],
    )
