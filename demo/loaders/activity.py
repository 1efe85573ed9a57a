"""Demo website activity, recorded as the tracker and the calculator record it.

Each browser's events go through `event_batch_record` (which keeps the browser's clock, so
`occurred_at` is already the story's), the browser is stitched to its lead with
`visitor_identify` at the moment the lead came in, ROI calculations go through `roi_calculate`
and chats through the chat services (demo.loaders.chats). Only receipt times and the visitor's
first/last-seen times are moved afterwards (see demo.loaders.clock).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from analytics.models import Visitor, Website
from analytics.services import EventInput, event_batch_record, visitor_identify
from assessments.models import RoiCalculation
from assessments.roi import RoiInputs
from assessments.services import roi_calculate
from demo.specs.visitors import VISITORS, VisitorSpec
from demo.specs.websites import SITE
from leads.models import Lead

from .chats import load_conversation
from .clock import backdated

# Stable visitor ids (the tracker's cookie value) derived from a name, so re-runs find them.
_VISITOR_NAMESPACE = uuid.UUID("7d1c2b9e-5f0a-4a51-9a43-2f6a8d0e9c11")
RECEIVED_AFTER = timedelta(milliseconds=180)  # the tracker's batch reaches us a moment later


def anonymous_id(spec: VisitorSpec) -> str:
    return uuid.uuid5(_VISITOR_NAMESPACE, spec.name).hex


def _record_events(spec: VisitorSpec, website: Website, now: datetime) -> Visitor:
    events = [
        EventInput(
            event_type=event.event_type,
            url=SITE + event.path,
            referrer=event.referrer,
            occurred_at=now - timedelta(hours=event.hours_ago),
            data=dict(event.data),
            utm=dict(event.utm),
        )
        for event in spec.events
    ]
    first, last = min(e.occurred_at for e in events), max(e.occurred_at for e in events)
    with backdated(last + RECEIVED_AFTER):
        rows = event_batch_record(
            website=website, anonymous_id=anonymous_id(spec), events=events,
            ip=spec.ip_address, user_agent=spec.user_agent,
        )  # fmt: skip
    # Post-step (times only): seen from the first to the last event, not at load time.
    Visitor.objects.filter(pk=rows[0].visitor_id).update(first_seen_at=first, last_seen_at=last)
    return Visitor.objects.get(pk=rows[0].visitor_id)


def _calculate_roi(spec: VisitorSpec, website: Website, now: datetime) -> None:
    assert spec.roi is not None
    at = now - timedelta(hours=spec.roi.hours_ago)
    inputs = RoiInputs(
        employees=spec.roi.employees,
        annual_security_budget=Decimal(spec.roi.annual_security_budget),
        industry=spec.roi.industry,
        region=spec.roi.region,
    )
    with backdated(at):
        calculation = roi_calculate(inputs=inputs, website=website, visitor_id=anonymous_id(spec))
    RoiCalculation.objects.filter(pk=calculation.pk).update(created_at=at)  # post-step: time only
    calculation.visitor.events.filter(data__calculation=str(calculation.pk)).update(occurred_at=at)


def load_visitors(*, website: Website, leads: dict[str, Lead], now: datetime) -> None:
    """Browsers that have no events yet get their story; browsers with events are left alone."""
    for spec in VISITORS:
        if Visitor.objects.filter(
            website=website, anonymous_id=anonymous_id(spec), events__isnull=False
        ).exists():
            continue
        _record_events(spec, website, now)
        lead = leads.get(spec.lead_email) if spec.lead_email else None
        if lead is not None:
            with backdated(lead.created_at):
                visitor_identify(
                    lead=lead, website=website, anonymous_id=anonymous_id(spec), actor_label="website form"
                )
        if spec.roi is not None:
            _calculate_roi(spec, website, now)
        if spec.conversation is not None and spec.conversation_hours_ago is not None:
            started = now - timedelta(hours=spec.conversation_hours_ago)
            load_conversation(
                spec.conversation, website=website, visitor_id=anonymous_id(spec), started=started
            )
