"""Every state change of the leads domain: one keyword-only function per action.

Each function is atomic, validates its input, and writes the lead's timeline, so the API, the
admin, commands and tasks behave the same whichever of them calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .models import Company, Lead, LeadEvent, LeadEventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


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
    return LeadEvent.objects.create(
        lead=lead,
        kind=kind,
        summary=summary[:500],
        data=data or {},
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.get_username() if actor is not None and actor.is_authenticated else actor_label)[
            :100
        ],
    )


@transaction.atomic
def company_sync_lead_flags(*, companies: Iterable[Company]) -> int:
    """Copy each company's Fortune 500 flag onto its leads (the queue index reads the copy).

    Returns the number of leads whose flag changed.
    """
    changed = 0
    for company in companies:
        changed += (
            Lead.objects.filter(company=company)
            .exclude(is_fortune_500=company.is_fortune_500)
            .update(is_fortune_500=company.is_fortune_500)
        )
    return changed
