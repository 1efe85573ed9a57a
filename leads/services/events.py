"""The lead timeline: every service writes its entries through these two functions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ..models import Lead, LeadEvent, LeadEventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def lead_event_build(
    *,
    lead: Lead,
    kind: LeadEventKind,
    summary: str,
    data: dict[str, Any] | None = None,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "system",
    created_at: datetime | None = None,
) -> LeadEvent:
    """An unsaved timeline entry (bulk imports save many at once). `actor` is the staff user,
    `actor_label` names any other actor; a staff actor's username is the label."""
    staff = actor if actor is not None and actor.is_authenticated else None
    return LeadEvent(
        lead=lead,
        kind=kind,
        summary=summary[:500],
        data=data or {},
        actor=staff,
        actor_label=(staff.get_username() if staff is not None else actor_label)[:100],
        created_at=created_at or timezone.now(),
    )


def lead_event_record(
    *,
    lead: Lead,
    kind: LeadEventKind,
    summary: str,
    data: dict[str, Any] | None = None,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "system",
) -> LeadEvent:
    """Add one entry to a lead's timeline. `actor` is the staff user, `actor_label` any other actor."""
    event = lead_event_build(
        lead=lead, kind=kind, summary=summary, data=data, actor=actor, actor_label=actor_label
    )
    event.save()
    return event
