"""Identity stitching: an anonymous browser turns out to be a known lead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from ..models import Visitor, Website
from ..selectors import visitor_event_counts
from .cross_app import (
    referral_credit,
    stitch_activity_link,
    stitch_conflict_note,
    stitch_lead_fill,
    stitch_linked_note,
    stitch_rescore,
)

if TYPE_CHECKING:
    from leads.models import Lead


def _visitor_link_lead(*, visitor: Visitor, lead: Lead) -> None:
    """Tie the browser to the lead; the known lead's company beats an IP-range guess."""
    visitor.lead = lead
    if lead.company_id is not None:
        visitor.company_id = lead.company_id
    visitor.save(update_fields=["lead", "company"])


@transaction.atomic
def visitor_identify(
    *, lead: Lead, website: Website, anonymous_id: str, actor_label: str = "website"
) -> Visitor:
    """The browser `anonymous_id` turned out to be `lead` (a form, an e-mail typed in the chat, an
    assessment request): link its earlier events, conversations and ROI calculations to the lead.

    This is the cross-app flow "identity stitching" (part of intake); its steps in other apps are
    the `stitch_*` and `referral_credit` functions of `analytics.services.cross_app`.

    Rules learnt from Mautic's bugs:
    - the known lead always wins (#16425): the anonymous visitor is folded into the lead, never the
      other way round, and nothing the visitor did overwrites what the lead already has;
    - UTMs are kept (#11612): the visitor's first-touch UTM parameters fill the lead's empty UTM
      fields, and the first-touch partner code credits the partner if the lead has none;
    - two different e-mails from one browser never merge two people (#5495): a visitor already
      tied to another lead stays with that lead, and this lead only gets a note on its timeline.
    The lead is re-scored afterwards, as its engagement may have changed.
    """
    visitor, _ = Visitor.objects.select_for_update().get_or_create(
        website=website, anonymous_id=anonymous_id[:64]
    )
    if visitor.lead_id is not None and visitor.lead_id != lead.pk:
        stitch_conflict_note(lead=lead, visitor=visitor, actor_label=actor_label)
        return visitor

    newly_linked = visitor.lead_id is None
    _visitor_link_lead(visitor=visitor, lead=lead)
    activity = stitch_activity_link(lead=lead, visitor=visitor)
    touch = visitor.first_touch or {}
    lead_fields = stitch_lead_fill(lead=lead, visitor=visitor, touch=touch)
    if newly_linked:
        stitch_linked_note(
            lead=lead,
            visitor=visitor,
            counts=visitor_event_counts(visitor=visitor),
            activity=activity,
            utm_filled=[f for f in lead_fields if f.startswith("utm_")],
            actor_label=actor_label,
        )
    if touch.get("ref"):
        referral_credit(lead=lead, code=str(touch["ref"]), actor_label=actor_label)
    if newly_linked or activity.roi_calculations or activity.conversations:
        stitch_rescore(lead=lead)
    return visitor
