"""Every call the analytics services make into another domain app, one function per step of a
cross-app flow, each naming its flow.

Issue 13 moves the flows that span apps (intake: identity stitching and referral attribution;
erasure) to one explicit place above the domain layers. Until then they are gathered here, so the
other analytics service modules import no other domain app and the move is mechanical: these
functions go to the flows layer (or become services of the app that owns the rows they touch),
and their callers in analytics are the flow steps that stay. The cross-app reads the analytics
services need (rollup funnel counts, purgeable visitors) are in `analytics.selectors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.db import models

from assessments.models import RoiCalculation, SecurityAssessment
from chat.models import Conversation
from enterprise_scanner.webhooks.models import WebhookEvent
from leads.models import Company, Lead, LeadEventKind
from leads.selectors import company_find_by_domain, leads_by_email_key
from leads.services import UTM_FIELDS, company_name_from_domain, lead_event_record, lead_rescore_later
from partners.models import Commission
from partners.services import referral_apply

from ..models import EventType, Visitor

# --- Flow: IP-range import → company resolution (leads) ----------------------------------------


def company_for_domain_get_or_create(*, domain: str) -> Company:
    """Flow: IP-range import resolves a range's company domain. The company known by that domain
    (any of its domains), else a new one named as lead intake names it."""
    company = company_find_by_domain(domain=domain)
    if company is None:
        company, _ = Company.objects.get_or_create(
            domain=domain, defaults={"name": company_name_from_domain(domain)}
        )
    return company


# --- Flow: referral attribution (partners) -------------------------------------------------------


def referral_credit(*, lead: Lead, code: str, actor_label: str) -> None:
    """Flow: referral attribution. Credit the partner whose code came with a visit of a known lead
    or with the first touch of a browser stitched to a lead (first touch wins: partners' rule)."""
    referral_apply(lead=lead, code=code, actor_label=actor_label)


# --- Flow: identity stitching (intake: an anonymous browser turns out to be a lead) ------------


@dataclass(frozen=True)
class StitchedActivity:
    """What identity stitching moved from the anonymous browser to the lead."""

    roi_calculations: int
    conversations: int


def stitch_conflict_note(*, lead: Lead, visitor: Visitor, actor_label: str) -> None:
    """Flow: identity stitching. The browser already belongs to another lead: two people are never
    merged, this lead's timeline only notes it."""
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.PAGE_VIEWS,
        summary="Identified from a browser already linked to another lead: its history stays there",
        data={"visitor": str(visitor.pk), "other_lead": str(visitor.lead_id)},
        actor_label=actor_label,
    )


def stitch_activity_link(*, lead: Lead, visitor: Visitor) -> StitchedActivity:
    """Flow: identity stitching. The browser's ROI calculations (assessments) and chats (chat) that
    belong to no lead yet now belong to this one."""
    roi = RoiCalculation.objects.filter(visitor=visitor, lead__isnull=True).update(lead=lead)
    chats = Conversation.objects.filter(visitor=visitor, lead__isnull=True).update(lead=lead)
    return StitchedActivity(roi_calculations=roi, conversations=chats)


def stitch_lead_fill(*, lead: Lead, visitor: Visitor, touch: dict[str, Any]) -> list[str]:
    """Flow: identity stitching. Fill the lead's empty UTM fields from the browser's first touch
    (never overwriting what the lead has) and its "first seen as" visitor; returns the fields set."""
    lead_fields: list[str] = []
    for name in UTM_FIELDS:
        if touch.get(name) and not getattr(lead, name):
            setattr(lead, name, str(touch[name])[:200])
            lead_fields.append(name)
    if lead.visitor_id is None:
        lead.visitor = visitor
        lead_fields.append("visitor")
    if lead_fields:
        lead.save(update_fields=[*lead_fields, "updated_at"])
    return lead_fields


def stitch_linked_note(
    *,
    lead: Lead,
    visitor: Visitor,
    counts: dict[str, int],
    activity: StitchedActivity,
    utm_filled: list[str],
    actor_label: str,
) -> None:
    """Flow: identity stitching. The lead's timeline entry for the earlier activity now linked."""
    page_views = counts.get(EventType.PAGE_VIEW, 0)
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.PAGE_VIEWS,
        summary=(
            f"Linked earlier website activity: {page_views} page view(s), "
            f"{sum(counts.values())} event(s), {activity.conversations} chat(s), "
            f"{activity.roi_calculations} ROI calculation(s)"
        ),
        data={
            "visitor": str(visitor.pk),
            "events": counts,
            "first_touch": visitor.first_touch or {},
            "utm_filled": utm_filled,
        },
        actor_label=actor_label,
    )


def stitch_rescore(*, lead: Lead) -> None:
    """Flow: identity stitching. The linked activity counts as engagement: re-score the lead after
    commit."""
    lead_rescore_later(lead=lead)


# --- Flow: right to erasure (leads, chat, assessments, partners, auditlog) ----------------------


def erasure_lead_find(*, email: str) -> Lead | None:
    """Flow: erasure. The lead with this (normalised) address, through the lower(email) index."""
    return leads_by_email_key(keys=[email]).get(email)


def erasure_activity_delete(*, lead: Lead, visitors: models.QuerySet[Visitor]) -> dict[str, int]:
    """Flow: erasure. Delete the person's conversations, ROI calculations and assessments, and
    detach a partner's commission from the lead (an accounting record, kept naming no one)."""
    deleted = {
        "conversations": Conversation.objects.filter(
            models.Q(lead=lead) | models.Q(visitor__in=visitors)
        ).delete()[0],
        "roi_calculations": RoiCalculation.objects.filter(
            models.Q(lead=lead) | models.Q(visitor__in=visitors)
        ).delete()[0],
        "assessments": SecurityAssessment.objects.filter(lead=lead).delete()[0],
    }
    detached = Commission.objects.filter(lead=lead).update(lead=None)
    if detached:
        deleted["commissions kept without the lead"] = detached
    return deleted


def erasure_lead_delete(*, lead: Lead) -> dict[str, int]:
    """Flow: erasure. Delete the lead (its timeline and notes cascade), then its change history:
    after the delete, because auditlog writes a "deleted" entry that still names the person."""
    leads = Lead.objects.filter(pk=lead.pk).delete()[0]
    return {
        "leads": leads,
        "history": LogEntry.objects.get_for_object(lead).delete()[0],
        # Webhook events about the lead carry a copy of it (their delivery log goes with them).
        "webhook_events": WebhookEvent.objects.filter(lead_id=lead.pk).delete()[0],
    }
