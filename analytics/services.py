"""State changes of the analytics domain."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from leads.models import Company
from leads.selectors import company_find_by_domain, leads_by_email_key

from .models import (
    CompanyDailyVisit,
    DailyMetric,
    ErasureRecord,
    Event,
    EventType,
    IpRange,
    PageDailyView,
    Visitor,
    Website,
)
from .selectors import ALL_ORIGINS_CACHE_KEY, CACHE_UNAVAILABLE, website_cache_key

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from leads.models import Lead

PUBLISHABLE_KEY_PREFIX = "pk_"


def normalise_origin(origin: str) -> str:
    """Return `scheme://host[:port]` in lower case, or raise ValidationError.

    Browsers send exactly this form in the Origin header, so allowed origins are stored in it
    and compared as plain strings.
    """
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"{origin!r} is not an origin like https://www.example.com.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValidationError(f"{origin!r} must be only scheme, host and port, without a path.")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{host}{port}"


@transaction.atomic
def website_create(*, name: str, allowed_origins: Iterable[str], is_active: bool = True) -> Website:
    """Register a site that may embed our script, with a fresh publishable key."""
    origins = sorted({normalise_origin(origin) for origin in allowed_origins})
    if not origins:
        raise ValidationError({"allowed_origins": "List at least one origin the site is served from."})
    website = Website.objects.create(
        name=name.strip(),
        publishable_key=PUBLISHABLE_KEY_PREFIX + secrets.token_urlsafe(24),
        allowed_origins=origins,
        is_active=is_active,
    )
    transaction.on_commit(lambda: _forget_cached(website))
    return website


def _forget_cached(website: Website) -> None:
    """Make the next public request see the change at once (keys and origins are cached). With
    the cache (Redis) down the change is committed all the same, and the entries expire on
    their own within WEBSITE_CACHE_SECONDS."""
    try:
        cache.delete_many([website_cache_key(website.publishable_key), ALL_ORIGINS_CACHE_KEY])
    except CACHE_UNAVAILABLE as exc:
        logger.warning("Cache unavailable, website %s not forgotten there: %s", website.pk, exc)


@transaction.atomic
def website_update(
    *,
    website: Website,
    name: str | None = None,
    allowed_origins: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> Website:
    """Change a site's name, origins or active flag; the key itself never changes here."""
    if name is not None:
        website.name = name.strip()
    if allowed_origins is not None:
        origins = sorted({normalise_origin(origin) for origin in allowed_origins})
        if not origins:
            raise ValidationError({"allowed_origins": "List at least one origin."})
        website.allowed_origins = origins
    if is_active is not None:
        website.is_active = is_active
    website.save()
    transaction.on_commit(lambda: _forget_cached(website))
    return website


# --- Privacy: Do-Not-Track, Global Privacy Control, IP anonymisation ----------------------------


def tracking_declined(*, headers: Mapping[str, str]) -> bool:
    """True when the browser asks not to be tracked: `DNT: 1` or `Sec-GPC: 1`. Such a visitor's
    events are not stored at all (the script also stops sending them)."""
    return headers.get("HTTP_DNT", "").strip() == "1" or headers.get("HTTP_SEC_GPC", "").strip() == "1"


def ip_anonymise(ip: str | None) -> str | None:
    """The address with its last octet (IPv4) or last 80 bits (IPv6) zeroed, or as given when
    `ANALYTICS_STORE_FULL_IP` is set; None for a missing or malformed address."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if settings.ANALYTICS_STORE_FULL_IP:
        return str(address)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


# --- IP ranges (company attribution of anonymous visits) -----------------------------------------


def _hex_bounds(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> tuple[str, str]:
    return f"{int(network.network_address):032x}", f"{int(network.broadcast_address):032x}"


def company_for_ip(*, ip: str | None) -> Company | None:
    """The company whose imported range holds `ip` (the narrowest range wins), if any."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    key = f"{int(address):032x}"
    match = (
        IpRange.objects.filter(version=address.version, start__lte=key, end__gte=key)
        .select_related("company")
        .order_by("-start", "end")
        .first()
    )
    return match.company if match else None


@dataclass(frozen=True)
class IpRangeImportResult:
    created: int
    updated: int
    errors: list[str]


@transaction.atomic
def ip_ranges_import(*, rows: Iterable[tuple[str, str]]) -> IpRangeImportResult:
    """Import (CIDR, company domain) pairs. A known network is re-pointed; an unknown domain
    creates the company as lead intake would. Bad rows are reported by line, good ones kept.

    Ranges match against anonymised addresses too, so networks narrower than /24 (IPv4) or /48
    (IPv6) only match while `ANALYTICS_STORE_FULL_IP` is on; they are accepted but reported."""
    from leads.services import company_name_from_domain

    created = updated = 0
    errors: list[str] = []
    for line, (cidr, domain) in enumerate(rows, start=1):
        cidr, domain = cidr.strip(), domain.strip().lower()
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(f"Line {line}: {cidr!r} is not a CIDR network like 192.0.2.0/24.")
            continue
        if not domain or "." not in domain or len(domain) > 253 or " " in domain:
            errors.append(f"Line {line}: {domain!r} is not a company domain like example.com.")
            continue
        company = company_find_by_domain(domain=domain)
        if company is None:
            company, _ = Company.objects.get_or_create(
                domain=domain, defaults={"name": company_name_from_domain(domain)}
            )
        start, end = _hex_bounds(network)
        _, was_created = IpRange.objects.update_or_create(
            network=str(network),
            defaults={"version": network.version, "start": start, "end": end, "company": company},
        )
        created += was_created
        updated += not was_created
    return IpRangeImportResult(created=created, updated=updated, errors=errors)


# --- Events ---------------------------------------------------------------------------------------

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
    fields = ["last_seen_at"]
    visitor.last_seen_at = now
    earlier = None if created else _earlier_touch(visitor.first_touch or {}, touch)
    if not created and not visitor.first_touch:
        visitor.first_touch = touch
        fields.append("first_touch")
    elif earlier is not None:
        visitor.first_touch = earlier
        fields.append("first_touch")
    elif referral_code and "ref" not in visitor.first_touch:
        visitor.first_touch = {**visitor.first_touch, "ref": referral_code}
        fields.append("first_touch")
    if visitor.company_id is None:
        company = company_for_ip(ip=stored_ip)
        if company is not None:
            visitor.company = company
            fields.append("company")
    visitor.save(update_fields=fields)
    rows = Event.objects.bulk_create(
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
    if visitor.lead_id is not None and referral_code:
        from partners.services import referral_apply

        referral_apply(lead=visitor.lead, code=referral_code, actor_label="website visit")
    return rows


# --- Identity stitching ---------------------------------------------------------------------------


@transaction.atomic
def visitor_identify(
    *, lead: Lead, website: Website, anonymous_id: str, actor_label: str = "website"
) -> Visitor:
    """The browser `anonymous_id` turned out to be `lead` (a form, an e-mail typed in the chat, an
    assessment request): link its earlier events, conversations and ROI calculations to the lead.

    Rules learnt from Mautic's bugs:
    - the known lead always wins (#16425): the anonymous visitor is folded into the lead, never the
      other way round, and nothing the visitor did overwrites what the lead already has;
    - UTMs are kept (#11612): the visitor's first-touch UTM parameters fill the lead's empty UTM
      fields, and the first-touch partner code credits the partner if the lead has none;
    - two different e-mails from one browser never merge two people (#5495): a visitor already
      tied to another lead stays with that lead, and this lead only gets a note on its timeline.
    The lead is re-scored afterwards, as its engagement may have changed.
    """
    from assessments.models import RoiCalculation
    from chat.models import Conversation
    from leads.models import LeadEventKind
    from leads.services import UTM_FIELDS, lead_event_record, lead_rescore_later

    visitor, _ = Visitor.objects.select_for_update().get_or_create(
        website=website, anonymous_id=anonymous_id[:64]
    )
    if visitor.lead_id is not None and visitor.lead_id != lead.pk:
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.PAGE_VIEWS,
            summary="Identified from a browser already linked to another lead: its history stays there",
            data={"visitor": str(visitor.pk), "other_lead": str(visitor.lead_id)},
            actor_label=actor_label,
        )
        return visitor

    newly_linked = visitor.lead_id is None
    visitor.lead = lead
    if lead.company_id is not None:
        visitor.company_id = lead.company_id  # the known lead's company beats an IP-range guess
    visitor.save(update_fields=["lead", "company"])

    roi_linked = RoiCalculation.objects.filter(visitor=visitor, lead__isnull=True).update(lead=lead)
    chats_linked = Conversation.objects.filter(visitor=visitor, lead__isnull=True).update(lead=lead)

    lead_fields: list[str] = []
    touch = visitor.first_touch or {}
    for name in UTM_FIELDS:
        if touch.get(name) and not getattr(lead, name):
            setattr(lead, name, str(touch[name])[:200])
            lead_fields.append(name)
    if lead.visitor_id is None:
        lead.visitor = visitor
        lead_fields.append("visitor")
    if lead_fields:
        lead.save(update_fields=[*lead_fields, "updated_at"])

    if newly_linked:
        counts = dict(visitor.events.order_by().values_list("event_type").annotate(n=models.Count("pk")))
        page_views = counts.get(EventType.PAGE_VIEW, 0)
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.PAGE_VIEWS,
            summary=(
                f"Linked earlier website activity: {page_views} page view(s), "
                f"{sum(counts.values())} event(s), {chats_linked} chat(s), {roi_linked} ROI calculation(s)"
            ),
            data={
                "visitor": str(visitor.pk),
                "events": counts,
                "first_touch": touch,
                "utm_filled": [f for f in lead_fields if f.startswith("utm_")],
            },
            actor_label=actor_label,
        )
    if touch.get("ref"):
        from partners.services import referral_apply

        referral_apply(lead=lead, code=str(touch["ref"]), actor_label=actor_label)
    if newly_linked or roi_linked or chats_linked:
        lead_rescore_later(lead=lead)  # the linked activity counts as engagement
    return visitor


# --- Rollups --------------------------------------------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def _metric_values(
    *, events: QuerySet[Event], leads: int, chats: int, assessments: int, roi: int
) -> dict[str, Any]:
    counts = events.aggregate(
        visitors=models.Count("visitor", distinct=True),
        page_views=models.Count("pk", filter=models.Q(event_type=EventType.PAGE_VIEW)),
        fortune=models.Count(
            "visitor",
            distinct=True,
            filter=models.Q(visitor__company__is_fortune_500=True)
            | models.Q(visitor__lead__company__is_fortune_500=True),
        ),
    )
    visitors = counts["visitors"]
    rate = min(Decimal(1), Decimal(leads) / visitors) if visitors else Decimal(0)
    return {
        "visitors": visitors,
        "page_views": counts["page_views"],
        "fortune_500_visitors": counts["fortune"],
        "leads": leads,
        "chats": chats,
        "assessments": assessments,
        "roi_calculations": roi,
        "conversion_rate": rate.quantize(Decimal("0.0001")),
        "computed_at": timezone.now(),
    }


@transaction.atomic
def rollup_day(*, day: date) -> list[DailyMetric]:
    """Compute `day`'s DailyMetric rows (one per website and one for all sites), the companies that
    visited and the top pages, replacing any earlier run for that day: safe to run again (cron).

    Per site, leads are those whose first browser was seen on that site; the all-sites row counts
    every lead created that day (imports and staff entries too)."""
    from assessments.models import RoiCalculation, SecurityAssessment
    from chat.models import Conversation
    from leads.models import Lead

    start, end = _day_bounds(day)
    in_day = {"occurred_at__gte": start, "occurred_at__lt": end}
    day_events = Event.objects.filter(**in_day)
    created_in_day = {"created_at__gte": start, "created_at__lt": end}
    rows = [
        DailyMetric.objects.update_or_create(
            date=day,
            website=None,
            defaults=_metric_values(
                events=day_events,
                leads=Lead.objects.filter(**created_in_day).count(),
                chats=Conversation.objects.filter(**created_in_day).count(),
                assessments=SecurityAssessment.objects.filter(
                    requested_at__gte=start, requested_at__lt=end
                ).count(),
                roi=RoiCalculation.objects.filter(**created_in_day).count(),
            ),
        )[0]
    ]
    for website in Website.objects.order_by("pk"):
        site_events = day_events.filter(website=website)
        rows.append(
            DailyMetric.objects.update_or_create(
                date=day,
                website=website,
                defaults=_metric_values(
                    events=site_events,
                    leads=Lead.objects.filter(**created_in_day, visitor__website=website).count(),
                    chats=Conversation.objects.filter(**created_in_day, website=website).count(),
                    assessments=site_events.filter(event_type=EventType.ASSESSMENT_REQUESTED).count(),
                    roi=RoiCalculation.objects.filter(**created_in_day, visitor__website=website).count(),
                ),
            )[0]
        )

    CompanyDailyVisit.objects.filter(date=day).delete()
    company = Coalesce("visitor__company", "visitor__lead__company")
    visits = (
        day_events.annotate(company_key=company)
        .filter(company_key__isnull=False)
        .order_by()
        .values("company_key")
        .annotate(
            visitors=models.Count("visitor", distinct=True),
            page_views=models.Count("pk", filter=models.Q(event_type=EventType.PAGE_VIEW)),
            last=models.Max("occurred_at"),
        )
    )
    CompanyDailyVisit.objects.bulk_create(
        CompanyDailyVisit(
            date=day,
            company_id=row["company_key"],
            visitors=row["visitors"],
            page_views=row["page_views"],
            last_visit_at=row["last"],
        )
        for row in visits
    )

    PageDailyView.objects.filter(date=day).delete()
    paths: dict[str, int] = {}
    for url, n in (
        day_events.filter(event_type=EventType.PAGE_VIEW)
        .order_by()
        .values_list("url")
        .annotate(n=models.Count("pk"))
    ):
        path = (urlsplit(url).path or "/")[:500]
        paths[path] = paths.get(path, 0) + n
    PageDailyView.objects.bulk_create(
        PageDailyView(date=day, path=path, views=views) for path, views in paths.items()
    )
    return rows


# --- Retention and erasure ------------------------------------------------------------------------


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

    A visitor is kept while anything still needs it: it turned into a lead (identity stitching
    or a lead's "first seen as"), or it has ROI calculations (they would be deleted with it).
    A chat keeps its transcript; only its link to the anonymous browser goes."""
    from leads.models import Lead

    if older_than_days < 1:
        raise ValidationError({"older_than_days": "Keep at least one day of events."})
    cutoff = timezone.now() - timedelta(days=older_than_days)
    events, _ = Event.objects.filter(occurred_at__lt=cutoff).delete()
    stale = (
        Visitor.objects.filter(last_seen_at__lt=cutoff, lead__isnull=True)
        .exclude(models.Exists(Lead.objects.filter(visitor=models.OuterRef("pk"))))
        .exclude(roi_calculations__isnull=False)
        .exclude(events__isnull=False)  # some paths add events without moving last_seen_at
    )
    _, per_model = stale.delete()
    return PurgeResult(events=events, visitors=per_model.get(Visitor._meta.label, 0))


@transaction.atomic
def person_forget(*, email: str, actor_label: str) -> ErasureRecord:
    """Erase everything we hold about the person with this e-mail address (right to erasure): the
    lead, its timeline and notes, its browsers' events, its conversations, assessments, ROI
    calculations, and the change history of the lead. What remains is an ErasureRecord with a
    hash of the address and the numbers removed, as proof it was done.

    A partner's commission on the lead is kept but detached from it: what was earned and paid is
    an accounting record (retention for a legal obligation is an exception to erasure), and
    without the lead it names no one."""
    from auditlog.models import LogEntry

    from assessments.models import RoiCalculation, SecurityAssessment
    from chat.models import Conversation
    from leads.models import Lead
    from partners.models import Commission

    normalised = email.strip().lower()
    if "@" not in normalised:
        raise ValidationError({"email": "Give the person's e-mail address."})
    deleted: dict[str, int] = {}
    lead = leads_by_email_key(keys=[normalised]).get(normalised)  # the lower(email) unique index
    if lead is not None:
        visitors = Visitor.objects.filter(models.Q(lead=lead) | models.Q(pk=lead.visitor_id))
        deleted["events"] = Event.objects.filter(visitor__in=visitors).delete()[0]
        deleted["conversations"] = Conversation.objects.filter(
            models.Q(lead=lead) | models.Q(visitor__in=visitors)
        ).delete()[0]
        deleted["roi_calculations"] = RoiCalculation.objects.filter(
            models.Q(lead=lead) | models.Q(visitor__in=visitors)
        ).delete()[0]
        deleted["assessments"] = SecurityAssessment.objects.filter(lead=lead).delete()[0]
        detached = Commission.objects.filter(lead=lead).update(lead=None)
        if detached:
            deleted["commissions kept without the lead"] = detached
        deleted["visitors"] = visitors.delete()[0]
        deleted["leads"] = Lead.objects.filter(pk=lead.pk).delete()[0]
        # After the delete: auditlog writes a "deleted" entry that still names the person.
        deleted["history"] = LogEntry.objects.get_for_object(lead).delete()[0]
    return ErasureRecord.objects.create(
        email_sha256=hashlib.sha256(normalised.encode()).hexdigest(),
        deleted=deleted,
        actor_label=actor_label[:100],
    )
