"""The daily rollups the analytics overview reads: metrics per site and for all sites, the
companies that visited, and the most viewed pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import CompanyDailyVisit, DailyMetric, Event, EventType, PageDailyView, Website
from ..selectors import FunnelCounts, day_funnel_counts


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def _metric_values(*, events: QuerySet[Event], funnel: FunnelCounts) -> dict[str, Any]:
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
    rate = min(Decimal(1), Decimal(funnel.leads) / visitors) if visitors else Decimal(0)
    return {
        "visitors": visitors,
        "page_views": counts["page_views"],
        "fortune_500_visitors": counts["fortune"],
        "leads": funnel.leads,
        "chats": funnel.chats,
        "assessments": funnel.assessments,
        "roi_calculations": funnel.roi_calculations,
        "conversion_rate": rate.quantize(Decimal("0.0001")),
        "computed_at": timezone.now(),
    }


def _metric_save(
    *, day: date, website: Website | None, events: QuerySet[Event], funnel: FunnelCounts
) -> DailyMetric:
    """Replace the day's DailyMetric row of one site (or of all sites when `website` is None)."""
    metric, _ = DailyMetric.objects.update_or_create(
        date=day, website=website, defaults=_metric_values(events=events, funnel=funnel)
    )
    return metric


def _company_visits_replace(*, day: date, events: QuerySet[Event]) -> None:
    """The day's visiting companies: a visitor's IP-range company, else its stitched lead's."""
    CompanyDailyVisit.objects.filter(date=day).delete()
    company = Coalesce("visitor__company", "visitor__lead__company")
    visits = (
        events.annotate(company_key=company)
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


def _page_views_replace(*, day: date, events: QuerySet[Event]) -> None:
    """The day's page views per path (query string and host dropped, so one page is one row)."""
    PageDailyView.objects.filter(date=day).delete()
    paths: dict[str, int] = {}
    for url, n in (
        events.filter(event_type=EventType.PAGE_VIEW)
        .order_by()
        .values_list("url")
        .annotate(n=models.Count("pk"))
    ):
        path = (urlsplit(url).path or "/")[:500]
        paths[path] = paths.get(path, 0) + n
    PageDailyView.objects.bulk_create(
        PageDailyView(date=day, path=path, views=views) for path, views in paths.items()
    )


@transaction.atomic
def rollup_day(*, day: date) -> list[DailyMetric]:
    """Compute `day`'s DailyMetric rows (one per website and one for all sites), the companies that
    visited and the top pages, replacing any earlier run for that day: safe to run again (cron).

    Per site, leads are those whose first browser was seen on that site; the all-sites row counts
    every lead created that day (imports and staff entries too)."""
    start, end = _day_bounds(day)
    day_events = Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    rows = [
        _metric_save(day=day, website=None, events=day_events, funnel=day_funnel_counts(start=start, end=end))
    ]
    for website in Website.objects.order_by("pk"):
        site_events = day_events.filter(website=website)
        funnel = day_funnel_counts(start=start, end=end, website=website)
        rows.append(_metric_save(day=day, website=website, events=site_events, funnel=funnel))
    _company_visits_replace(day=day, events=day_events)
    _page_views_replace(day=day, events=day_events)
    return rows
