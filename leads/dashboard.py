"""The sales dashboard (the admin index): every number it shows, scoped to the user.

A rep sees the leads they may work (their own and the unassigned queue, exactly as
`lead_queryset_for_user` scopes every admin list); a manager sees the team's. Website visits by
Fortune 500 companies are not owned by anyone, so everyone sees the same list there.

Each block is one query, whatever the number of leads: `dashboard_for` runs a fixed number of
queries (six at most, one of them the cached group check), which the tests assert. The counts are
`COUNT(*)` or `COUNT(<indexed column>)` over columns that the lead indexes carry (status, owner, deal value, follow-up and
creation dates: leads/migrations/0005), so at a million leads PostgreSQL answers them from the
indexes alone; `COUNT(id)` would make it read every matching row.

Weighted pipeline value: the sum of `estimated_deal_value` times the chance that a deal at that
stage closes (`STAGE_PROBABILITY`). The chances are the team's rule of thumb, kept here in one
place so the dashboard and any report agree; leads without an estimate count as zero. A won deal
counts at what it was actually won for (`actual_deal_value`), and only at its estimate while no
actual value is recorded: the estimate is a forecast, the actual value is the money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, F, Max, Q, QuerySet, Sum, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from .charts import Bar, bar_chart_svg
from .followups import (
    CLOSED_STATUSES,
    DayBounds,
    follow_up_day_bounds,
    follow_ups_due_q,
    follow_ups_due_today_q,
    follow_ups_overdue_q,
)
from .models import Company, Lead, LeadStatus
from .selectors import lead_queryset_for_user, user_is_sales_manager

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

#: Chance that a deal at each stage is won, for the weighted pipeline value.
STAGE_PROBABILITY: dict[str, Decimal] = {
    LeadStatus.NEW: Decimal("0.05"),
    LeadStatus.QUALIFIED: Decimal("0.10"),
    LeadStatus.CONTACTED: Decimal("0.20"),
    LeadStatus.DEMO_SCHEDULED: Decimal("0.40"),
    LeadStatus.PROPOSAL: Decimal("0.60"),
    LeadStatus.CLOSED_WON: Decimal("1.00"),
    LeadStatus.CLOSED_LOST: Decimal("0.00"),
}
#: "High priority" in the seed's sketch: score above this.
HIGH_PRIORITY_SCORE = 80
HIGH_PRIORITY_LIMIT = 10
FORTUNE500_VISIT_DAYS = 7
FORTUNE500_VISIT_LIMIT = 15
CHART_WEEKS = 12


@dataclass(frozen=True)
class PipelineRow:
    status: str
    label: str
    count: int
    value: Decimal
    probability: Decimal
    weighted: Decimal

    @property
    def percent(self) -> int:
        return int(self.probability * 100)


@dataclass(frozen=True)
class WeekCount:
    start: date
    count: int


@dataclass
class Dashboard:
    """What the admin index shows to one user."""

    is_manager: bool
    bounds: DayBounds
    high_priority: list[Lead]
    pipeline: list[PipelineRow]
    due_today: int
    overdue: int
    #: Companies annotated with `visitors_7d`, `page_views_7d` and `last_visit_at`.
    fortune500_visits: list[Company]
    leads_per_week: list[WeekCount] = field(default_factory=list)

    @property
    def open_pipeline(self) -> list[PipelineRow]:
        return [row for row in self.pipeline if row.status not in CLOSED_STATUSES]

    @property
    def open_count(self) -> int:
        return sum(row.count for row in self.open_pipeline)

    @property
    def open_value(self) -> Decimal:
        return sum((row.value for row in self.open_pipeline), Decimal(0))

    @property
    def open_weighted(self) -> Decimal:
        return sum((row.weighted for row in self.open_pipeline), Decimal(0))

    @property
    def won(self) -> PipelineRow:
        return next(row for row in self.pipeline if row.status == LeadStatus.CLOSED_WON)

    @property
    def total_count(self) -> int:
        return sum(row.count for row in self.pipeline)

    @cached_property
    def chart_svg(self) -> SafeString:
        bars = [
            Bar(
                label=date_format(week.start, "j M"),
                value=week.count,
                description=f"Week of {date_format(week.start, 'j M Y')}: {week.count} new lead"
                + ("" if week.count == 1 else "s"),
            )
            for week in self.leads_per_week
        ]
        total = sum(week.count for week in self.leads_per_week)
        return bar_chart_svg(
            bars=bars,
            title=f"New leads per week, last {len(bars)} weeks ({total} in all)",
            chart_id="leads-per-week",
        )


def dashboard_for(*, user: AbstractBaseUser | AnonymousUser, now: datetime | None = None) -> Dashboard:
    """Compute the dashboard for `user` (at `now`, for tests)."""
    now = now or timezone.now()
    bounds = follow_up_day_bounds(today=timezone.localdate(now, timezone=timezone.get_default_timezone()))
    leads = lead_queryset_for_user(user=user)
    follow_ups = _follow_up_counts(leads=leads, bounds=bounds)
    return Dashboard(
        is_manager=user_is_sales_manager(user),
        bounds=bounds,
        high_priority=_high_priority(leads=leads),
        pipeline=_pipeline(leads=leads),
        due_today=follow_ups["due_today"],
        overdue=follow_ups["overdue"],
        fortune500_visits=_fortune500_visits(since=now - timedelta(days=FORTUNE500_VISIT_DAYS)),
        leads_per_week=_leads_per_week(leads=leads, today=bounds.day),
    )


def _high_priority(*, leads: QuerySet[Lead]) -> list[Lead]:
    """Open leads scoring above 80, Fortune 500 first, then best score (the queue index)."""
    return list(
        leads.filter(score__gt=HIGH_PRIORITY_SCORE)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("company", "owner")
        .order_by("-is_fortune_500", "-score", "-created_at")[:HIGH_PRIORITY_LIMIT]
    )


def _pipeline(*, leads: QuerySet[Lead]) -> list[PipelineRow]:
    """Count and (weighted) value per status, every status listed, in one GROUP BY: open deals at
    their estimate, won deals at their actual value (the estimate while none is recorded)."""
    deal_value = Case(
        When(status=LeadStatus.CLOSED_WON, actual_deal_value__isnull=False, then=F("actual_deal_value")),
        default=F("estimated_deal_value"),
    )
    rows = {
        row["status"]: row
        for row in leads.order_by().values("status").annotate(count=Count("*"), value=Sum(deal_value))
    }
    pipeline = []
    for status in LeadStatus:
        row = rows.get(status.value, {})
        value = Decimal(row.get("value") or 0)
        probability = STAGE_PROBABILITY[status.value]
        pipeline.append(
            PipelineRow(
                status=status.value,
                label=status.label,
                count=row.get("count", 0),
                value=value,
                probability=probability,
                weighted=(value * probability).quantize(Decimal("0.01")),
            )
        )
    return pipeline


def _follow_up_counts(*, leads: QuerySet[Lead], bounds: DayBounds) -> dict[str, int]:
    """Due today and overdue, in one query narrowed by the follow-up index."""
    return leads.filter(follow_ups_due_q(bounds=bounds)).aggregate(
        # COUNT of the indexed column (never null in these rows): COUNT(*) cannot take a FILTER
        # in Django, and COUNT(id) would read every row from the table.
        due_today=Count("next_follow_up_at", filter=follow_ups_due_today_q(bounds=bounds)),
        overdue=Count("next_follow_up_at", filter=follow_ups_overdue_q(bounds=bounds)),
    )


def _fortune500_visits(*, since: datetime) -> list[Company]:
    """Fortune 500 companies seen on the website since `since`'s day, most recent first, with
    their visitors (summed per day) and page views. Read from the daily rollups
    (analytics.CompanyDailyVisit, filled by `manage.py rollup_analytics`), never the raw events:
    one query however much traffic there was."""
    since_day = timezone.localdate(since)
    return list(
        Company.objects.filter(is_fortune_500=True, daily_visits__date__gte=since_day)
        .annotate(
            visitors_7d=Sum("daily_visits__visitors"),
            page_views_7d=Sum("daily_visits__page_views"),
            last_visit_at=Max("daily_visits__last_visit_at"),
        )
        .order_by("-last_visit_at", "fortune_rank")[:FORTUNE500_VISIT_LIMIT]
    )


def _leads_per_week(*, leads: QuerySet[Lead], today: date) -> list[WeekCount]:
    """New leads per (Monday-based, local) week for the last `CHART_WEEKS` weeks, this week
    included; weeks without leads are zero bars, not gaps.

    One conditional COUNT per week over a `created_at` range, all in one query: the ranges use
    the index, where grouping by `TruncWeek` would compute a date for every row (on SQLite in
    Python, two seconds for 100,000 recent leads). Each week's bounds are local midnights, so
    a week that spans a DST change is still Monday to Monday."""
    tz = timezone.get_default_timezone()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=CHART_WEEKS - 1 - i) for i in range(CHART_WEEKS + 1)]
    bounds = [timezone.make_aware(datetime.combine(monday, time.min), tz) for monday in mondays]
    counts = (
        leads.filter(created_at__gte=bounds[0], created_at__lt=bounds[-1])
        .order_by()
        .aggregate(
            **{
                f"week_{i}": Count(
                    "created_at", filter=Q(created_at__gte=bounds[i], created_at__lt=bounds[i + 1])
                )
                for i in range(CHART_WEEKS)
            }
        )
    )
    return [WeekCount(start=mondays[i], count=counts[f"week_{i}"]) for i in range(CHART_WEEKS)]


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """unfold's DASHBOARD_CALLBACK: adds `dash` (this user's dashboard) to the admin index's
    context. Staff who may not view leads get None, and the index shows only their navigation."""
    user = request.user
    allowed = (
        user.is_active
        and user.is_staff
        and (user.has_perm("leads.view_lead") or user.has_perm("leads.change_lead"))
    )
    context["dash"] = dashboard_for(user=user) if allowed else None
    context["my_tasks_url"] = reverse("admin:leads_leadtask_changelist")
    context["board_url"] = reverse("admin:leads_board")
    return context


__all__ = [
    "HIGH_PRIORITY_SCORE",
    "STAGE_PROBABILITY",
    "Dashboard",
    "PipelineRow",
    "WeekCount",
    "dashboard_callback",
    "dashboard_for",
]
