"""Saying so on the timeline: one "possible duplicate" entry per pair, never two."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Q

from ..models import Lead, LeadEvent, LeadEventKind
from ..services import lead_event_build, lead_event_record
from .detection import DuplicateIndex, DuplicateMatch, lead_find_duplicates
from .keys import keys_from_columns


def lead_flag_duplicates(
    *, lead: Lead, actor_label: str = "system", index: DuplicateIndex | None = None
) -> list[DuplicateMatch]:
    """Find the lead's likely duplicates and say so on its timeline, once per pair.

    Meant to run after a lead is created (form, API: `lead_flag_duplicates(lead=lead)`;
    import: build one `DuplicateIndex` before the rows, pass it here, then `index.add_lead(lead)`).
    A pair already flagged, from either side, is not flagged again, so calling this twice or
    on both leads is harmless. Returns every match (flagged now or before).
    """
    matches = lead_find_duplicates(lead=lead, index=index)
    if not matches:
        return []
    with transaction.atomic():  # only when there is something to write: no savepoint per clean row
        # The lead's row lock makes two runs of the same job (one re-run after its worker
        # seemed dead) take turns, so the second sees the first one's entries.
        Lead.objects.select_for_update().filter(pk=lead.pk).exists()
        other_ids = [str(match.other.pk) for match in matches]
        flagged_pairs = LeadEvent.objects.filter(
            Q(lead=lead, data__duplicate_of__in=other_ids)
            | Q(lead__in=[match.other.pk for match in matches], data__duplicate_of=str(lead.pk))
        ).values_list("lead_id", "data__duplicate_of")
        already = {str(other) if lead_id == lead.pk else str(lead_id) for lead_id, other in flagged_pairs}
        for match in matches:
            if str(match.other.pk) in already:
                continue
            lead_event_record(lead=lead, **_flag_entry(match), actor_label=actor_label)
    return matches


def _flag_entry(match: DuplicateMatch) -> dict[str, Any]:
    """The kind, summary and data of the timeline entry that flags one likely duplicate."""
    return {
        "kind": LeadEventKind.UPDATED,
        "summary": f"Possible duplicate of {match.other.email} ({match.reason})"[:500],
        "data": {
            "possible_duplicate": True,
            "duplicate_of": str(match.other.pk),
            "duplicate_email": match.other.email,
            "reasons": list(match.reasons),
        },
    }


class NewLeadKeys(NamedTuple):
    """The columns of a just-created lead that duplicate matching reads (`KEY_COLUMNS`), for
    bulk writers that hold no model instances (`leads.import_sql`)."""

    pk: Any
    email: str
    phone: str
    first_name: str
    last_name: str
    company_id: Any
    company_name: str
    created_at: Any


def leads_flag_new_duplicates(
    *, leads: Sequence[Lead], index: DuplicateIndex, actor_label: str = "system"
) -> int:
    """`lead_flag_duplicates` for many just-created leads at once (bulk imports): the same
    timeline entries, with a fixed number of queries instead of a few per flagged lead.
    See `new_leads_flag_duplicates`, which this calls with the leads' columns."""
    return new_leads_flag_duplicates(
        leads=[
            NewLeadKeys(
                lead.pk,
                lead.email,
                lead.phone,
                lead.first_name,
                lead.last_name,
                lead.company_id,
                lead.company_name,
                lead.created_at,
            )
            for lead in leads
        ],
        index=index,
        actor_label=actor_label,
    )


def new_leads_flag_duplicates(
    *, leads: Sequence[NewLeadKeys], index: DuplicateIndex, actor_label: str = "system"
) -> int:
    """Flag likely duplicates of just-created leads, given as their key columns.

    Each lead is matched against `index` and then added to it, so a later lead of the same
    batch matches an earlier one (and the pair is flagged once, on the later lead). The leads
    must be new (saved, but with no timeline yet): then no pair can have been flagged before,
    which is what `lead_flag_duplicates` has to look up. Returns how many entries were written.
    """
    found: list[tuple[NewLeadKeys, dict[Any, tuple[str, ...]]]] = []
    for lead in leads:
        keys = keys_from_columns(
            lead.email, lead.phone, lead.first_name, lead.last_name, lead.company_id, lead.company_name
        )
        matches = index.matches_keys(lead.pk, keys)
        if matches:
            found.append((lead, matches))
        if lead.pk not in index.created:
            index.add(lead.pk, keys, lead.created_at)
    if not found:
        return 0
    wanted = sorted({pk for _, matches in found for pk in matches}, key=str)
    others: dict[Any, Lead] = {}
    for start in range(0, len(wanted), 500):
        batch = Lead.objects.filter(pk__in=wanted[start : start + 500]).only("pk", "email", "created_at")
        others.update((other.pk, other) for other in batch)
    events = []
    for lead, matches in found:
        present = sorted(
            (others[pk] for pk in matches if pk in others),
            key=lambda other: (other.created_at, str(other.pk)),
        )
        for other in present:
            entry = _flag_entry(DuplicateMatch(other=other, reasons=matches[other.pk]))
            events.append(lead_event_build(lead=Lead(pk=lead.pk), **entry, actor_label=actor_label))
    LeadEvent.objects.bulk_create(events, batch_size=500)
    return len(events)
