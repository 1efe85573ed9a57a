"""The sales dashboard (admin index): numbers against known fixtures, scoping, query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import Event, EventType, Visitor, Website
from analytics.services import rollup_day
from leads.charts import Bar, bar_chart_svg
from leads.dashboard import STAGE_PROBABILITY, dashboard_for
from leads.followups import follow_up_day_bounds
from leads.models import Lead, LeadStatus
from leads.tests.factories import CompanyFactory, Fortune500CompanyFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

#: A Wednesday afternoon (UTC); this week's Monday is 9 June.
NOW = datetime(2025, 6, 11, 15, 0, tzinfo=UTC)
TODAY_START = datetime(2025, 6, 11, tzinfo=UTC)


def _pipeline(sales_rep, other_rep, now: datetime) -> dict[str, Lead]:
    """Seven leads, one per status, spread over two reps and the unassigned queue."""
    f500 = Fortune500CompanyFactory()
    today_start = follow_up_day_bounds(today=timezone.localdate(now)).start
    return {
        "hot_f500": LeadFactory(
            owner=sales_rep,
            company=f500,
            is_fortune_500=True,
            status=LeadStatus.NEW,
            score=95,
            estimated_deal_value=Decimal("100000"),
            created_at=now,
        ),
        "mine_overdue": LeadFactory(
            owner=sales_rep,
            status=LeadStatus.CONTACTED,
            score=85,
            estimated_deal_value=Decimal("50000"),
            next_follow_up_at=today_start - timedelta(days=2),
            created_at=now - timedelta(days=7),
        ),
        "free_due_today": LeadFactory(
            owner=None,
            status=LeadStatus.PROPOSAL,
            score=50,
            estimated_deal_value=Decimal("200000"),
            next_follow_up_at=today_start + timedelta(hours=9),
            created_at=now - timedelta(days=7),
        ),
        "theirs_due_today": LeadFactory(
            owner=other_rep,
            status=LeadStatus.DEMO_SCHEDULED,
            score=99,
            estimated_deal_value=Decimal("1000000"),
            next_follow_up_at=today_start + timedelta(hours=23, minutes=59),
            created_at=now - timedelta(days=30),
        ),
        "theirs_won": LeadFactory(
            owner=other_rep,
            status=LeadStatus.CLOSED_WON,
            score=97,
            estimated_deal_value=Decimal("300000"),
            created_at=now - timedelta(days=100),
        ),
        "mine_lost_overdue": LeadFactory(
            owner=sales_rep,
            status=LeadStatus.CLOSED_LOST,
            lost_reason="Budget",
            score=91,
            estimated_deal_value=Decimal("80000"),
            next_follow_up_at=today_start - timedelta(days=5),
            created_at=now - timedelta(days=100),
        ),
        "mine_tomorrow": LeadFactory(
            owner=sales_rep,
            status=LeadStatus.QUALIFIED,
            score=20,
            next_follow_up_at=today_start + timedelta(days=1),
            created_at=now - timedelta(days=100),
        ),
    }


@pytest.fixture
def pipeline(sales_rep, other_rep) -> dict[str, Lead]:
    """The seven leads around the fixed `NOW`, for the selector tests."""
    return _pipeline(sales_rep, other_rep, NOW)


@pytest.fixture
def live_pipeline(sales_rep, other_rep) -> dict[str, Lead]:
    """The same leads around the real clock, for the page (which asks for the time itself)."""
    return _pipeline(sales_rep, other_rep, timezone.now())


def _by_status(dash) -> dict[str, tuple[int, Decimal]]:
    return {row.status: (row.count, row.weighted) for row in dash.pipeline}


def test_manager_sees_the_team_numbers(sales_manager, pipeline) -> None:
    dash = dashboard_for(user=sales_manager, now=NOW)

    assert dash.is_manager
    assert _by_status(dash) == {
        "new": (1, Decimal("5000.00")),
        "qualified": (1, Decimal("0.00")),
        "contacted": (1, Decimal("10000.00")),
        "demo_scheduled": (1, Decimal("400000.00")),
        "proposal": (1, Decimal("120000.00")),
        "closed_won": (1, Decimal("300000.00")),
        "closed_lost": (1, Decimal("0.00")),
    }
    assert (dash.open_count, dash.open_value, dash.open_weighted) == (5, Decimal(1350000), Decimal(535000))
    assert dash.total_count == 7
    # Closed leads' follow-ups are stale: the lost lead's overdue follow-up does not count.
    assert (dash.due_today, dash.overdue) == (2, 1)
    # Score > 80 and open; Fortune 500 first, then best score. Closed won/lost are left out.
    assert dash.high_priority == [
        pipeline["hot_f500"],
        pipeline["theirs_due_today"],
        pipeline["mine_overdue"],
    ]


def test_rep_sees_own_leads_and_the_unassigned_queue(sales_rep, pipeline) -> None:
    dash = dashboard_for(user=sales_rep, now=NOW)

    assert not dash.is_manager
    assert _by_status(dash) == {
        "new": (1, Decimal("5000.00")),
        "qualified": (1, Decimal("0.00")),
        "contacted": (1, Decimal("10000.00")),
        "demo_scheduled": (0, Decimal("0.00")),
        "proposal": (1, Decimal("120000.00")),
        "closed_won": (0, Decimal("0.00")),
        "closed_lost": (1, Decimal("0.00")),
    }
    assert dash.open_weighted == Decimal(135000)
    assert (dash.due_today, dash.overdue) == (1, 1)
    assert dash.high_priority == [pipeline["hot_f500"], pipeline["mine_overdue"]]
    assert [week.count for week in dash.leads_per_week][-2:] == [2, 1]


def test_other_rep_numbers(other_rep, pipeline) -> None:
    dash = dashboard_for(user=other_rep, now=NOW)
    assert (dash.due_today, dash.overdue) == (2, 0)
    assert [lead.pk for lead in dash.high_priority] == [pipeline["theirs_due_today"].pk]


def test_stage_probabilities_are_the_documented_ones() -> None:
    assert {status: int(p * 100) for status, p in STAGE_PROBABILITY.items()} == {
        "new": 5,
        "qualified": 10,
        "contacted": 20,
        "demo_scheduled": 40,
        "proposal": 60,
        "closed_won": 100,
        "closed_lost": 0,
    }
    assert set(STAGE_PROBABILITY) == set(LeadStatus.values)


def test_leads_per_week_for_the_last_twelve_weeks(sales_manager, pipeline) -> None:
    dash = dashboard_for(user=sales_manager, now=NOW)

    weeks = dash.leads_per_week
    assert len(weeks) == 12
    assert weeks[-1].start.isoformat() == "2025-06-09" and weeks[0].start.isoformat() == "2025-03-24"
    counts = [week.count for week in weeks]
    # This week 1, last week 2, the week of 12 May (30 days ago) 1; the 100-day-old leads are outside.
    assert counts == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 1]
    svg = str(dash.chart_svg)
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-labelledby" in svg
    assert "<title id=" in svg and "(4 in all)" in svg
    assert svg.count("<rect") == 12
    assert "Week of 2 Jun 2025: 2 new leads" in svg and "9 Jun" in svg


def test_weeks_and_follow_up_days_follow_the_configured_time_zone(settings, sales_manager) -> None:
    settings.TIME_ZONE = "America/New_York"
    # Sunday 8 June 22:00 in New York (Monday in UTC): counts for the week of 2 June.
    LeadFactory(created_at=datetime(2025, 6, 9, 2, 0, tzinfo=UTC))
    # 22:00 on Wednesday 11 June in New York: due today there, though it is the 12th in UTC.
    LeadFactory(next_follow_up_at=datetime(2025, 6, 12, 2, 0, tzinfo=UTC), created_at=NOW)
    # 23:00 on Tuesday 10 June in New York: overdue, though it is the 11th in UTC.
    LeadFactory(next_follow_up_at=datetime(2025, 6, 11, 3, 0, tzinfo=UTC), created_at=NOW)

    dash = dashboard_for(user=sales_manager, now=NOW)

    assert (dash.due_today, dash.overdue) == (1, 1)
    assert [week.count for week in dash.leads_per_week][-2:] == [1, 2]


def test_fortune500_companies_that_visited_in_the_last_7_days(sales_rep, sales_manager) -> None:
    site = Website.objects.create(name="Site", publishable_key="pk_test_dashboard")
    recent = Fortune500CompanyFactory()
    only_events = CompanyFactory(name="Walmart", domain="walmart.com", fortune_rank=1, fortune_year=2025)
    stale = CompanyFactory(name="Apple", domain="apple.com", fortune_rank=4, fortune_year=2025)
    small = CompanyFactory(name="Tiny", domain="tiny.example")

    def visitor(company, seen: datetime, n: int) -> Visitor:
        return Visitor.objects.create(
            website=site, anonymous_id=f"anon-{n}", company=company, first_seen_at=seen, last_seen_at=seen
        )

    v1 = visitor(recent, NOW - timedelta(days=1), 1)
    v2 = visitor(recent, NOW - timedelta(days=6), 2)
    visitor(recent, NOW - timedelta(days=20), 3)  # not in the last 7 days
    for event_type, at in [
        (EventType.PAGE_VIEW, NOW - timedelta(days=1)),
        (EventType.PAGE_VIEW, NOW - timedelta(days=1)),
        (EventType.FORM_VIEW, NOW - timedelta(days=1)),
        (EventType.PAGE_VIEW, NOW - timedelta(days=10)),  # too old
    ]:
        Event.objects.create(website=site, visitor=v1, event_type=event_type, occurred_at=at)
    Event.objects.create(website=site, visitor=v2, event_type=EventType.PAGE_VIEW, occurred_at=NOW)
    # A visitor whose last_seen_at lags behind, but an event in the window still counts the company.
    lagging = visitor(only_events, NOW - timedelta(days=30), 4)
    Event.objects.create(website=site, visitor=lagging, event_type=EventType.PAGE_VIEW, occurred_at=NOW)
    visitor(stale, NOW - timedelta(days=8), 5)
    Event.objects.create(
        website=site, visitor=visitor(small, NOW, 6), event_type=EventType.PAGE_VIEW, occurred_at=NOW
    )
    Event.objects.create(
        website=site,
        visitor=Visitor.objects.get(anonymous_id="anon-5"),
        event_type=EventType.PAGE_VIEW,
        occurred_at=NOW - timedelta(days=8),
    )
    # The dashboard reads the daily rollups (analytics), which cron fills from the raw events.
    for days_ago in range(12):
        rollup_day(day=(NOW - timedelta(days=days_ago)).date())

    for user in (sales_manager, sales_rep):  # not owned by anyone: everyone sees the same list
        visits = dashboard_for(user=user, now=NOW).fortune500_visits
        assert [(c.name, c.visitors_7d, c.page_views_7d) for c in visits] == [
            ("Walmart", 1, 1),  # both last seen NOW: the higher rank first
            ("JPMorgan Chase", 2, 3),
        ]
        assert [c.last_visit_at for c in visits] == [NOW, NOW]  # the latest event of each company


def test_chart_escapes_labels() -> None:
    svg = str(bar_chart_svg(bars=[Bar(label="<b>x</b>", value=3)], title="A & B", chart_id="c"))
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "A &amp; B" in svg


def test_chart_with_no_data_draws_zero_bars() -> None:
    svg = str(bar_chart_svg(bars=[Bar(label="w", value=0)] * 3, title="Empty", chart_id="e"))
    assert svg.count('height="0.0"') == 3


# --- The page ------------------------------------------------------------------------------------


def test_manager_page_shows_the_dashboard(manager_client, live_pipeline) -> None:
    response = manager_client.get(reverse("admin:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Numbers for the whole team." in html
    assert "Pipeline metrics" in html and "High priority leads" in html
    assert 'data-testid="due-today">2<' in html and 'data-testid="overdue">1<' in html
    changelist = reverse("admin:leads_lead_changelist")
    assert f'href="{changelist}?follow_up=today"' in html and f'href="{changelist}?follow_up=overdue"' in html
    lead = live_pipeline["hot_f500"]
    assert reverse("admin:leads_lead_change", args=[lead.pk]) in html
    assert f"mailto:{lead.email}" in html and "F500 #11" in html
    assert f"?company__id__exact={lead.company_id}" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart"' in html
    # The weighted open pipeline, formatted.
    assert "$535,000" in html
    # The home page is the dashboard only: it no longer ends in the list of every model.
    assert "Intake idempotency keys" not in html and "Daily metrics" not in html


def test_rep_page_shows_the_rep_numbers(rep_client, live_pipeline) -> None:
    html = rep_client.get(reverse("admin:index")).content.decode()
    assert "Numbers for your leads and the unassigned queue." in html
    assert 'data-testid="due-today">1<' in html and 'data-testid="overdue">1<' in html
    assert "$135,000" in html
    # Another rep's lead is not on this rep's dashboard.
    assert reverse("admin:leads_lead_change", args=[live_pipeline["theirs_due_today"].pk]) not in html


def test_page_renders_for_a_superuser_with_no_data(admin_client) -> None:
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No open leads score above 80." in html
    assert "No Fortune 500 company visited in the last 7 days." in html
    assert "(0 in all)" in html


def test_lead_names_are_escaped(manager_client) -> None:
    LeadFactory(first_name="<script>alert(1)</script>", last_name="", score=95, job_title="<i>CISO</i>")
    html = manager_client.get(reverse("admin:index")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;i&gt;CISO&lt;/i&gt;" in html


def test_staff_without_lead_access_gets_no_dashboard(client) -> None:
    client.force_login(UserFactory(username="helpdesk"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Pipeline metrics" not in response.content.decode()


def test_app_index_does_not_repeat_the_dashboard(manager_client) -> None:
    response = manager_client.get(reverse("admin:app_list", args=["leads"]))
    assert response.status_code == 200
    assert "Pipeline metrics" not in response.content.decode()


def _make_leads(count: int, owner, other) -> None:
    f500 = Fortune500CompanyFactory()
    site, _ = Website.objects.get_or_create(name="Site", publishable_key="pk_test_dashboard_q")
    for i in range(count):
        company = f500 if i % 3 == 0 else CompanyFactory()
        LeadFactory(
            owner=(owner, other, None)[i % 3],
            company=company,
            is_fortune_500=company.is_fortune_500,
            score=70 + i % 30,
            status=LeadStatus.values[i % len(LeadStatus.values)],
            estimated_deal_value=Decimal(1000 * i),
            next_follow_up_at=TODAY_START + timedelta(days=i % 5 - 2),
        )
        visitor = Visitor.objects.create(website=site, anonymous_id=f"q-{count}-{i}", company=company)
        Event.objects.create(website=site, visitor=visitor, event_type=EventType.PAGE_VIEW)


@pytest.mark.parametrize("leads", [5, 50])
def test_index_query_count_is_fixed(
    leads, manager_client, sales_rep, other_rep, django_assert_max_num_queries
) -> None:
    _make_leads(leads, sales_rep, other_rep)
    with django_assert_max_num_queries(11):
        response = manager_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["dash"].total_count == leads


def test_query_count_is_the_same_at_5_and_50_leads(sales_manager, sales_rep, other_rep) -> None:
    _make_leads(5, sales_rep, other_rep)
    with CaptureQueriesContext(connection) as few:
        dashboard_for(user=sales_manager)
    _make_leads(45, sales_rep, other_rep)
    sales_manager._is_sales_manager = None  # measure the uncached group check both times
    with CaptureQueriesContext(connection) as many:
        dashboard_for(user=sales_manager)
    # The group check, then one query each: follow-ups, high priority, pipeline, visits, chart.
    assert len(few) == len(many) == 6


def test_index_page_query_count_is_the_same_at_5_and_50_leads(manager_client, sales_rep, other_rep) -> None:
    _make_leads(5, sales_rep, other_rep)
    with CaptureQueriesContext(connection) as few:
        manager_client.get(reverse("admin:index"))
    _make_leads(45, sales_rep, other_rep)
    with CaptureQueriesContext(connection) as many:
        manager_client.get(reverse("admin:index"))
    # Session, user, 2 × permissions, group check, 5 × dashboard: 10 (no recent-actions list).
    assert len(few) == len(many) == 10


def test_won_deals_count_at_their_actual_value_not_the_estimate(sales_manager) -> None:
    """Bug: a deal estimated at $280k and won for $250k showed as $280k won."""
    LeadFactory(
        status=LeadStatus.CLOSED_WON,
        estimated_deal_value=Decimal("280000"),
        actual_deal_value=Decimal("250000"),
    )
    # Won without an actual value recorded yet: the estimate stands in.
    LeadFactory(status=LeadStatus.CLOSED_WON, estimated_deal_value=Decimal("10000"), actual_deal_value=None)
    # An open deal's (stray) actual value is not money yet: it counts at its estimate.
    LeadFactory(
        status=LeadStatus.PROPOSAL, estimated_deal_value=Decimal("50000"), actual_deal_value=Decimal("1")
    )

    dash = dashboard_for(user=sales_manager, now=NOW)

    assert (dash.won.count, dash.won.value, dash.won.weighted) == (2, Decimal("260000"), Decimal("260000.00"))
    assert _by_status(dash)["proposal"] == (1, Decimal("30000.00"))
