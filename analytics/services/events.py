"""The tracker's event batches, and each visitor's first touch (landing page, referrer, UTM
parameters, partner code) recorded from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Event, Visitor, Website
from ..selectors import company_for_ip
from .cross_app import referral_credit
from .privacy import ip_anonymise

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass(frozen=True)
class EventInput:
    """One event the tracker sent, already validated by the API layer."""

    event_type: str
    url: str = ""
    referrer: str = ""
    occurred_at: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)
    utm: dict[str, str] = field(default_factory=dict)


def _event_time(event: EventInput, now: datetime) -> datetime:
    """When the event happened as stored: the browser's clock, but never in the future."""
    return min(event.occurred_at or now, now)


def _first_touch(events: list[EventInput], referral_code: str, now: datetime) -> dict[str, Any]:
    first = min(events, key=lambda e: _event_time(e, now))
    touch: dict[str, Any] = {
        "landing_url": first.url,
        "referrer": first.referrer,
        "at": _event_time(first, now).isoformat(),
    }
    touch.update({k: v for k, v in first.utm.items() if k in UTM_KEYS and v})
    if referral_code:
        touch["ref"] = referral_code
    return touch


def _earlier_touch(stored: dict[str, Any], candidate: dict[str, Any]) -> dict[str, Any] | None:
    """The candidate touch if it happened before the stored one, else None.

    A browser sends the landing page's events while it is already loading the next page, so the
    second page's batch can reach us first and create the visitor; the landing page (with its
    UTM parameters) must still be the first touch. Touches stored before "at" was recorded are
    kept as they are. A partner code already credited is never taken away."""
    stored_at = parse_datetime(str(stored.get("at") or ""))
    candidate_at = parse_datetime(str(candidate.get("at") or ""))
    if stored_at is None or candidate_at is None or candidate_at >= stored_at:
        return None
    merged = dict(candidate)
    if stored.get("ref"):
        merged["ref"] = stored["ref"]
    return merged


def _replacement_touch(
    stored: dict[str, Any], touch: dict[str, Any], referral_code: str
) -> dict[str, Any] | None:
    """The first touch a known visitor should now have, or None to keep the stored one: the
    batch's touch when none was stored, an earlier touch that arrived late, or the stored touch
    completed with a partner code it did not have yet."""
    if not stored:
        return touch
    earlier = _earlier_touch(stored, touch)
    if earlier is not None:
        return earlier
    if referral_code and "ref" not in stored:
        return {**stored, "ref": referral_code}
    return None


def _visitor_seen(
    visitor: Visitor,
    *,
    created: bool,
    touch: dict[str, Any],
    referral_code: str,
    stored_ip: str | None,
    now: datetime,
) -> None:
    """Record that the visitor was seen now, in one save: last seen, its first touch where the
    batch improves it, and the company of an imported IP range if none is known yet."""
    fields = ["last_seen_at"]
    visitor.last_seen_at = now
    replacement = None if created else _replacement_touch(visitor.first_touch or {}, touch, referral_code)
    if replacement is not None:
        visitor.first_touch = replacement
        fields.append("first_touch")
    if visitor.company_id is None:
        company = company_for_ip(ip=stored_ip)
        if company is not None:
            visitor.company = company
            fields.append("company")
    visitor.save(update_fields=fields)


def _events_create(
    *,
    website: Website,
    visitor: Visitor,
    events: list[EventInput],
    stored_ip: str | None,
    user_agent: str,
    now: datetime,
) -> list[Event]:
    """Insert the batch in one query; UTM parameters are kept in each event's data."""
    return Event.objects.bulk_create(
        Event(
            website=website,
            visitor=visitor,
            event_type=item.event_type,
            url=item.url,
            referrer=item.referrer,
            data={**item.data, **({"utm": item.utm} if item.utm else {})},
            ip_address=stored_ip,
            user_agent=user_agent[:500],
            occurred_at=_event_time(item, now),
            received_at=now,
        )
        for item in events
    )


@transaction.atomic
def event_batch_record(
    *,
    website: Website,
    anonymous_id: str,
    events: list[EventInput],
    ip: str | None = None,
    user_agent: str = "",
    referral_code: str = "",
) -> list[Event]:
    """Store a batch of one visitor's events. The visitor is created on first sight with its
    first-touch source (landing page, referrer, UTM, partner code), which is never overwritten.
    The address is anonymised before it is stored or used; a visit from an imported company
    range is attributed to that company unless a stitched lead already names one."""
    if not events:
        return []
    now = timezone.now()
    referral_code = referral_code.strip().upper()[:32]
    touch = _first_touch(events, referral_code, now)
    visitor, created = Visitor.objects.select_for_update().get_or_create(
        website=website,
        anonymous_id=anonymous_id[:64],
        defaults={"first_touch": touch, "first_seen_at": now},
    )
    stored_ip = ip_anonymise(ip)
    _visitor_seen(
        visitor, created=created, touch=touch, referral_code=referral_code, stored_ip=stored_ip, now=now
    )
    rows = _events_create(
        website=website, visitor=visitor, events=events, stored_ip=stored_ip, user_agent=user_agent, now=now
    )
    if visitor.lead_id is not None and referral_code:
        referral_credit(lead=visitor.lead, code=referral_code, actor_label="website visit")
    return rows
