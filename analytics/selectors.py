"""Reads of the analytics domain."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from assessments.models import RoiCalculation, SecurityAssessment
from chat.models import Conversation
from leads.models import Company, Lead
from leads.selectors import lead_queryset_for_user, user_is_sales_manager

from .models import DailyMetric, Event, EventType, IpRange, PageDailyView, Visitor, Website

#: Websites are read on every public request; keep them briefly in the cache. Changes made through
#: `analytics.services` clear it at once; the timeout bounds any other path.
WEBSITE_CACHE_SECONDS = 30
ALL_ORIGINS_CACHE_KEY = "site-origins:all"


logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The cache is Redis in production; these mean it cannot be reached.
CACHE_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


def website_cache_key(publishable_key: str) -> str:
    return f"site-key:{publishable_key}"


def _cached(key: str, read: Callable[[], T]) -> T:
    """`read()`, kept in the cache for WEBSITE_CACHE_SECONDS. The cache only saves queries here:
    with Redis down the database answers, so CORS and the site-key check keep working and a
    request fails (503) only where Redis is really needed, at the throttles."""
    try:
        cached = cache.get(key)
    except CACHE_UNAVAILABLE as exc:
        logger.warning("Cache unavailable, reading %s from the database: %s", key, exc)
        return read()
    if cached is not None:
        return cached
    value = read()
    try:
        cache.set(key, value, WEBSITE_CACHE_SECONDS)
    except CACHE_UNAVAILABLE as exc:
        logger.warning("Cache unavailable, %s not cached: %s", key, exc)
    return value


def website_for_key(publishable_key: str) -> Website | None:
    """The Website with this publishable key (active or not), cached briefly."""
    if not publishable_key or len(publishable_key) > 64:
        return None
    found = _cached(
        website_cache_key(publishable_key),
        lambda: Website.objects.filter(publishable_key=publishable_key).first() or False,
    )
    return found or None


def origin_is_allowed(origin: str) -> bool:
    """True when some active Website lists `origin` (answers CORS preflights)."""
    if not origin:
        return False
    origins = _cached(
        ALL_ORIGINS_CACHE_KEY,
        lambda: {o for site in Website.objects.filter(is_active=True) for o in site.allowed_origins},
    )
    return origin in origins


# --- The analytics overview (reads rollups only, never raw events) ------------------------------


@dataclass(frozen=True)
class Overview:
    start: date
    end: date
    days: list[DailyMetric]
    top_pages: list[dict[str, Any]]
    top_companies: list[Company]
    funnel: list[tuple[str, int]]


def analytics_overview(*, end: date, days: int = 30, top: int = 10) -> Overview:
    """The last `days` days up to `end` from the all-sites rollups: one row per day (missing days
    as zeros), the most viewed pages, the companies with most visitors, and the funnel. A fixed
    number of queries whatever the traffic."""
    start = end - timedelta(days=days - 1)
    rows = {
        m.date: m for m in DailyMetric.objects.filter(website__isnull=True, date__gte=start, date__lte=end)
    }
    series = [
        rows.get(start + timedelta(days=n)) or DailyMetric(date=start + timedelta(days=n))
        for n in range(days)
    ]
    top_pages = list(
        PageDailyView.objects.filter(date__gte=start, date__lte=end)
        .values("path")
        .annotate(views=Sum("views"))
        .order_by("-views", "path")[:top]
    )
    top_companies = list(
        Company.objects.filter(daily_visits__date__gte=start, daily_visits__date__lte=end)
        .annotate(
            visitor_count=Sum("daily_visits__visitors"),
            page_view_count=Sum("daily_visits__page_views"),
            last_visit_at=Max("daily_visits__last_visit_at"),
        )
        .order_by("-visitor_count", "-page_view_count", "name")[:top]
    )
    totals = {
        name: sum(getattr(day, name) for day in series)
        for name in ("visitors", "roi_calculations", "chats", "leads", "assessments")
    }
    funnel = [
        ("Visitors", totals["visitors"]),
        ("Used the ROI calculator", totals["roi_calculations"]),
        ("Started a chat", totals["chats"]),
        ("Became leads", totals["leads"]),
        ("Requested an assessment", totals["assessments"]),
    ]
    return Overview(
        start=start, end=end, days=series, top_pages=top_pages, top_companies=top_companies, funnel=funnel
    )


def visitor_queryset_for_user(*, user: Any) -> QuerySet[Visitor]:
    """Visitors `user` may see in the admin: a manager all; a rep the anonymous ones and those
    whose lead they may see, so another rep's lead is not found through its visits."""
    queryset = Visitor.objects.all()
    if user_is_sales_manager(user):
        return queryset
    return queryset.filter(Q(lead__isnull=True) | Q(lead__in=lead_queryset_for_user(user=user).values("pk")))


def event_queryset_for_user(*, user: Any) -> QuerySet[Event]:
    """Events `user` may see in the admin: those of the visitors they may see
    (`visitor_queryset_for_user`), so another rep's lead's browsing (pages, form fields, custom
    event data) is not read through the raw events."""
    if user_is_sales_manager(user):
        return Event.objects.all()
    return Event.objects.filter(visitor__in=visitor_queryset_for_user(user=user).values("pk"))


def visitor_event_counts(*, visitor: Visitor) -> dict[str, int]:
    """How many events of each type the visitor sent (one grouped query)."""
    return dict(visitor.events.order_by().values_list("event_type").annotate(n=Count("pk")))


# --- IP ranges -------------------------------------------------------------------------------------


def ip_range_key(value: int) -> str:
    """An address as IpRange stores its bounds: 32 hex digits, so that comparing the strings
    orders the addresses, IPv4 and IPv6 alike."""
    return f"{value:032x}"


def company_for_ip(*, ip: str | None) -> Company | None:
    """The company whose imported range holds `ip` (the narrowest range wins), if any."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    key = ip_range_key(int(address))
    match = (
        IpRange.objects.filter(version=address.version, start__lte=key, end__gte=key)
        .select_related("company")
        .order_by("-start", "end")
        .first()
    )
    return match.company if match else None


# --- Cross-app reads of the rollup and retention flows --------------------------------------------


@dataclass(frozen=True)
class FunnelCounts:
    """What happened in a day besides page views, for one site or all sites."""

    leads: int
    chats: int
    assessments: int
    roi_calculations: int


def day_funnel_counts(*, start: datetime, end: datetime, website: Website | None = None) -> FunnelCounts:
    """Cross-app read of the daily-rollup flow: leads, chats (chat), assessments and ROI
    calculations (assessments) created in [start, end).

    Per site, leads and ROI calculations are those whose browser was seen on the site and
    assessments are the site's "assessment requested" events; for all sites (`website` None)
    every row counts, imports and staff entries too."""
    created = {"created_at__gte": start, "created_at__lt": end}
    if website is None:
        return FunnelCounts(
            leads=Lead.objects.filter(**created).count(),
            chats=Conversation.objects.filter(**created).count(),
            assessments=SecurityAssessment.objects.filter(
                requested_at__gte=start, requested_at__lt=end
            ).count(),
            roi_calculations=RoiCalculation.objects.filter(**created).count(),
        )
    return FunnelCounts(
        leads=Lead.objects.filter(**created, visitor__website=website).count(),
        chats=Conversation.objects.filter(**created, website=website).count(),
        assessments=Event.objects.filter(
            occurred_at__gte=start,
            occurred_at__lt=end,
            website=website,
            event_type=EventType.ASSESSMENT_REQUESTED,
        ).count(),
        roi_calculations=RoiCalculation.objects.filter(**created, visitor__website=website).count(),
    )


def visitors_purgeable(*, cutoff: datetime) -> QuerySet[Visitor]:
    """Cross-app read of the retention flow: anonymous visitors not seen since `cutoff` that
    nothing needs any more. A visitor is kept while it turned into a lead (identity stitching, or
    a lead's "first seen as"), has ROI calculations (they would be deleted with it), or still has
    events (some paths add events without moving last_seen_at)."""
    return (
        Visitor.objects.filter(last_seen_at__lt=cutoff, lead__isnull=True)
        .exclude(Exists(Lead.objects.filter(visitor=OuterRef("pk"))))
        .exclude(roi_calculations__isnull=False)
        .exclude(events__isnull=False)
    )
