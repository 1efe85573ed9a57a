"""The event API as the tracker uses it: batches with bad items, privacy signals, size limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from analytics.models import Event, EventType, Visitor
from analytics.services import website_create

pytestmark = pytest.mark.django_db

ORIGIN = "https://www.enterprisescanner.com"
URL = "/api/v1/events/"
VISITOR = "v-0123456789abcdef"


@pytest.fixture
def website(db):
    return website_create(name="Marketing site", allowed_origins=[ORIGIN])


@pytest.fixture
def site_client(website) -> Client:
    return Client(
        headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN}, REMOTE_ADDR="203.0.113.77"
    )


def ago(**delta: float) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def post(client: Client, **body):
    return client.post(URL, body, content_type="application/json")


def test_a_batch_is_stored_and_bad_items_are_rejected_one_by_one(site_client, website) -> None:
    response = post(
        site_client,
        visitor_id=VISITOR,
        events=[
            {
                "type": "page_view",
                "url": f"{ORIGIN}/pricing",
                "referrer": "https://www.google.com/",
                "utm_source": "google",
                "utm_campaign": "q4",
            },
            {"type": "teleport", "url": f"{ORIGIN}/"},
            {"type": "roi_calculation", "url": "not a url"},
            "just a string",
            {"type": "custom", "data": {"button": "pricing-cta"}},
        ],
    )
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2 and body["tracking"] == "on"
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3]
    assert "type" in body["rejected"][0]["errors"]
    assert "url" in body["rejected"][1]["errors"]

    visitor = Visitor.objects.get(website=website, anonymous_id=VISITOR)
    assert visitor.first_touch["utm_source"] == "google"
    assert visitor.first_touch["referrer"] == "https://www.google.com/"
    events = list(Event.objects.filter(visitor=visitor).order_by("event_type"))
    assert [e.event_type for e in events] == [EventType.CUSTOM, EventType.PAGE_VIEW]
    assert events[1].data["utm"]["utm_campaign"] == "q4"
    assert {e.ip_address for e in events} == {"203.0.113.0"}  # last octet dropped


def test_the_landing_page_stays_the_first_touch_when_its_batch_arrives_after_the_next_page(
    site_client, website
) -> None:
    """A browser sends the landing page's events while it loads the next page; the second page's
    batch may reach us first. The touch that happened first wins, with the partner code kept."""
    second = post(
        site_client,
        visitor_id=VISITOR,
        referral_code="ACME-2026",
        events=[{"type": "page_view", "url": f"{ORIGIN}/#pricing", "occurred_at": ago(minutes=10)}],
    )
    landing = post(
        site_client,
        visitor_id=VISITOR,
        events=[
            {
                "type": "page_view",
                "url": f"{ORIGIN}/?utm_source=partner-newsletter",
                "referrer": "https://mail.example.net/",
                "utm_source": "partner-newsletter",
                "occurred_at": ago(minutes=11),
            }
        ],
    )
    later = post(
        site_client,
        visitor_id=VISITOR,
        events=[
            {
                "type": "page_view",
                "url": f"{ORIGIN}/about",
                "utm_source": "other",
                "occurred_at": ago(minutes=1),
            }
        ],
    )
    assert (second.status_code, landing.status_code, later.status_code) == (202, 202, 202)

    touch = Visitor.objects.get(website=website, anonymous_id=VISITOR).first_touch
    assert touch["landing_url"] == f"{ORIGIN}/?utm_source=partner-newsletter"
    assert touch["utm_source"] == "partner-newsletter"
    assert touch["referrer"] == "https://mail.example.net/"
    assert touch["ref"] == "ACME-2026"


def test_ipv6_addresses_lose_their_last_80_bits(site_client, website) -> None:
    client = Client(
        headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN},
        REMOTE_ADDR="2001:db8:abcd:1234:5678:9abc:def0:1234",
    )
    assert post(client, visitor_id=VISITOR, events=[{"type": "page_view"}]).status_code == 202
    assert Event.objects.get().ip_address == "2001:db8:abcd::"


@override_settings(ANALYTICS_STORE_FULL_IP=True)
def test_full_ips_only_when_a_setting_says_so(site_client) -> None:
    post(site_client, visitor_id=VISITOR, events=[{"type": "page_view"}])
    assert Event.objects.get().ip_address == "203.0.113.77"


@pytest.mark.parametrize("header", [{"DNT": "1"}, {"Sec-GPC": "1"}])
def test_do_not_track_and_global_privacy_control_store_nothing(website, header) -> None:
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN, **header})
    response = post(client, visitor_id=VISITOR, events=[{"type": "page_view"}])
    assert response.status_code == 202
    assert response.json() == {"accepted": 0, "rejected": [], "tracking": "declined"}
    assert not Event.objects.exists() and not Visitor.objects.exists()


@override_settings(ANALYTICS_EVENT_DATA_MAX_BYTES=100, ANALYTICS_BATCH_MAX_EVENTS=3)
def test_size_limits_on_event_data_and_batch_length(site_client) -> None:
    response = post(
        site_client,
        visitor_id=VISITOR,
        events=[{"type": "custom", "data": {"blob": "x" * 200}}, {"type": "custom", "data": {"ok": 1}}],
    )
    assert response.status_code == 202
    assert response.json()["accepted"] == 1
    assert "100 bytes" in str(response.json()["rejected"][0]["errors"]["data"])

    too_many = post(site_client, visitor_id=VISITOR, events=[{"type": "page_view"}] * 4)
    assert too_many.status_code == 400
    assert "at most 3 events" in str(too_many.json())
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"events": [{"type": "page_view"}]},
        {"visitor_id": "x", "events": [{"type": "page_view"}]},
        {"visitor_id": VISITOR, "events": []},
        {"visitor_id": VISITOR, "events": "page_view"},
    ],
)
def test_malformed_batches_are_400s(site_client, body) -> None:
    response = post(site_client, **body)
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_events_need_a_site_key_from_an_allowed_origin(website) -> None:
    assert Client().post(URL, {}, content_type="application/json").status_code in (401, 403)
    foreign = Client(headers={"X-Site-Key": website.publishable_key, "Origin": "https://evil.example"})
    assert post(foreign, visitor_id=VISITOR, events=[{"type": "page_view"}]).status_code == 403
    assert not Event.objects.exists()


def test_a_future_timestamp_is_clamped_to_the_time_received(site_client) -> None:
    post(
        site_client, visitor_id=VISITOR, events=[{"type": "page_view", "occurred_at": "2099-01-01T00:00:00Z"}]
    )
    event = Event.objects.get()
    assert event.occurred_at <= event.received_at


def test_a_forged_forwarded_for_header_does_not_change_the_stored_address(website) -> None:
    client = Client(
        headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN, "X-Forwarded-For": "198.51.100.9"},
        REMOTE_ADDR="203.0.113.77",
    )
    post(client, visitor_id=VISITOR, events=[{"type": "page_view"}])
    assert Event.objects.get().ip_address == "203.0.113.0"
