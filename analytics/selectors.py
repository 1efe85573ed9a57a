"""Reads of the analytics domain."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Max, Q, QuerySet, Sum
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from leads.models import Company
from leads.selectors import lead_queryset_for_user, user_is_sales_manager

from .models import DailyMetric, Event, PageDailyView, Visitor, Website

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
