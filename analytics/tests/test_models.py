"""Analytics invariants: one visitor per cookie per site, one rollup per day, valid origins."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from analytics.models import DailyMetric, Event, Visitor
from analytics.services import normalise_origin, website_create

pytestmark = pytest.mark.django_db


def test_website_gets_a_publishable_key_and_normalised_origins() -> None:
    site = website_create(
        name="Main", allowed_origins=["HTTPS://WWW.Example.com:443/", "http://localhost:8000"]
    )
    assert site.publishable_key.startswith("pk_")
    assert site.allowed_origins == ["http://localhost:8000", "https://www.example.com"]


@pytest.mark.parametrize(
    "origin", ["ftp://example.com", "https://example.com/path", "example.com", "https://u@x.com"]
)
def test_bad_origins_are_refused(origin: str) -> None:
    with pytest.raises(ValidationError):
        normalise_origin(origin)


def test_visitor_is_unique_per_site_and_cookie() -> None:
    a = website_create(name="A", allowed_origins=["https://a.example"])
    b = website_create(name="B", allowed_origins=["https://b.example"])
    Visitor.objects.create(website=a, anonymous_id="v1")
    Visitor.objects.create(website=b, anonymous_id="v1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Visitor.objects.create(website=a, anonymous_id="v1")


def test_one_rollup_row_per_day_per_site_and_for_all_sites() -> None:
    site = website_create(name="A", allowed_origins=["https://a.example"])
    day = datetime.date(2026, 11, 1)
    DailyMetric.objects.create(date=day, website=site)
    DailyMetric.objects.create(date=day, website=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyMetric.objects.create(date=day, website=site)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyMetric.objects.create(date=day, website=None)


def test_unknown_event_type_is_rejected() -> None:
    site = website_create(name="A", allowed_origins=["https://a.example"])
    visitor = Visitor.objects.create(website=site, anonymous_id="v1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(website=site, visitor=visitor, event_type="mouse_wiggle")
