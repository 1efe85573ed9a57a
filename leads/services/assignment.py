"""Who owns a lead: one assignment by hand, or a batch shared among the sales reps."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from ..models import Lead, LeadEvent, LeadEventKind, LeadStatus
from ..selectors import SALES_REP_GROUP
from ..webhooks import lead_assigned_emit
from .events import lead_event_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@transaction.atomic
def lead_assign(
    *,
    lead: Lead,
    owner: AbstractBaseUser | None,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "system",
) -> Lead:
    """Give the lead to a sales user (or back to the unassigned queue with None)."""
    return _lead_assign(lead=lead, owner=owner, actor=actor, actor_label=actor_label)


def _lead_assign(
    *,
    lead: Lead,
    owner: AbstractBaseUser | None,
    actor: AbstractBaseUser | None,
    actor_label: str,
    data: dict[str, Any] | None = None,
) -> Lead:
    if owner is not None and not (owner.is_active and owner.is_staff):
        raise ValidationError({"owner": "Leads can only be assigned to active staff users."})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.owner_id == (owner.pk if owner else None):
        return lead
    previous_owner_id = lead.owner_id
    lead.owner = owner
    lead.save(update_fields=["owner", "updated_at"])
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.ASSIGNED,
        summary=f"Assigned to {owner.get_username()}" if owner else "Returned to the unassigned queue",
        data={"owner": owner.pk if owner else None, **(data or {})},
        actor=actor,
        actor_label=actor_label,
    )
    lead_assigned_emit(lead=lead, previous_owner_id=previous_owner_id)
    return lead


OPEN_STATUSES_EXCLUDED = (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST)


def _active_sales_reps() -> list[AbstractBaseUser]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.select_for_update(of=("self",))
        .filter(is_active=True, is_staff=True, groups__name=SALES_REP_GROUP)
        .order_by("pk")
    )


@transaction.atomic
def lead_assign_balanced(
    *,
    leads: Iterable[Lead],
    strategy: Literal["round_robin", "least_busy"],
    actor: AbstractBaseUser | None = None,
) -> dict[Any, AbstractBaseUser]:
    """Share leads among the active sales reps, so no rep is buried while another waits.

    `round_robin` continues after the rep who last got a lead this way (read from the timeline,
    so the rotation survives restarts); `least_busy` gives each lead to the rep with the fewest
    open leads (not closed won/lost), ties broken at random so nobody is always first. The reps'
    rows are locked for the duration, so two managers balancing at once queue up instead of both
    reading the same counts. Returns {lead pk: new owner}.
    """
    if strategy not in ("round_robin", "least_busy"):
        raise ValidationError({"strategy": f"Unknown strategy {strategy!r}."})
    reps = _active_sales_reps()
    if not reps:
        raise ValidationError("There are no active sales reps to assign leads to.")
    lead_list = list(leads)
    lead_ids = [lead.pk for lead in lead_list]
    assigned: dict[Any, AbstractBaseUser] = {}
    if strategy == "least_busy":
        open_counts = dict(
            Lead.objects.filter(owner__in=reps)
            .exclude(status__in=OPEN_STATUSES_EXCLUDED)
            .exclude(pk__in=lead_ids)
            .values_list("owner")
            .annotate(n=Count("pk"))
            .order_by()
        )
        load = {rep.pk: open_counts.get(rep.pk, 0) for rep in reps}
        for lead in lead_list:
            fewest = min(load.values())
            rep = random.choice([rep for rep in reps if load[rep.pk] == fewest])
            _lead_assign(lead=lead, owner=rep, actor=actor, actor_label="system", data={"strategy": strategy})
            if lead.status not in OPEN_STATUSES_EXCLUDED:
                load[rep.pk] += 1
            assigned[lead.pk] = rep
        return assigned

    rep_ids = [rep.pk for rep in reps]
    last = (
        LeadEvent.objects.filter(kind=LeadEventKind.ASSIGNED, data__strategy="round_robin")
        .order_by("-created_at", "-id")
        .values_list("data__owner", flat=True)
        .first()
    )
    start = (rep_ids.index(last) + 1) if last in rep_ids else random.randrange(len(reps))
    for offset, lead in enumerate(lead_list):
        rep = reps[(start + offset) % len(reps)]
        _lead_assign(lead=lead, owner=rep, actor=actor, actor_label="system", data={"strategy": strategy})
        assigned[lead.pk] = rep
    return assigned
