"""The analytics overview in the admin: charts and tables read from the rollups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from analytics.models import Event, EventType, Visitor
from analytics.services import rollup_day, website_create
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/analytics/dailymetric/overview/"


def test_overview_shows_rollup_charts_top_pages_companies_and_funnel(
    manager_client, django_assert_max_num_queries
) -> None:
    site = website_create(name="Main", allowed_origins=["https://www.example.com"])
    lead = LeadFactory(company=Fortune500CompanyFactory())
    visitor = Visitor.objects.create(website=site, anonymous_id="visitor-0001", lead=lead)
    for days_ago, path in ((1, "/pricing"), (1, "/pricing"), (2, "/<script>")):
        Event.objects.create(
            website=site,
            visitor=visitor,
            event_type=EventType.PAGE_VIEW,
            url=f"https://www.example.com{path}",
            occurred_at=timezone.now() - timedelta(days=days_ago),
        )
    today = timezone.localdate()
    for n in range(4):
        rollup_day(day=today - timedelta(days=n))

    with django_assert_max_num_queries(12):
        response = manager_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Visitors per day" in html and "<svg" in html and "New leads per day" in html
    assert (
        "/pricing" in html
        and "&lt;script&gt;" in html
        and "<script>" not in html.split("<body")[1].split("Top pages")[1]
    )
    assert "JPMorgan Chase (jpmorganchase.com)" in html and "#11" in html
    assert "Became leads" in html

    assert "Charts" in manager_client.get("/admin/analytics/dailymetric/").content.decode()


def test_overview_needs_analytics_permission(db) -> None:
    outsider = Client()
    outsider.force_login(UserFactory(username="accountant"))
    assert outsider.get(URL).status_code == 403
    assert Client().get(URL).status_code == 302
