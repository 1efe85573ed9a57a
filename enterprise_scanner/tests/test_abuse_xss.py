"""Hostile text sent through the public forms is shown as text everywhere staff read it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from analytics.services import website_create
from leads.models import Lead
from leads.tests.factories import Fortune500CompanyFactory

ORIGIN = "https://www.enterprisescanner.com"
PAYLOADS = {
    "first_name": "<script>alert('fn')</script>",
    "last_name": '"><img src=x onerror=alert(2)>',
    "company": "<svg onload=alert(3)>",
    "job_title": "CISO <iframe src=javascript:alert(4)>",
    "message": '<a href="javascript:alert(5)">click</a></textarea><script>alert(6)</script>',
}
RAW_MARKERS = [
    "<script>alert(",
    "<img src=x",
    "<svg onload",
    "<iframe src=javascript",
    '<a href="javascript:',
]


def assert_inert(html: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, marker


@pytest.fixture
def hostile_lead(db, django_capture_on_commit_callbacks) -> Lead:
    Fortune500CompanyFactory(name="Microsoft", domain="microsoft.com")
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/leads/",
            {"email": "ciso@microsoft.com", "form": "demo_request", "employee_count": 50000, **PAYLOADS},
            content_type="application/json",
        )
    assert response.status_code == 201
    return Lead.objects.get(pk=response.json()["lead_id"])


def test_every_lead_field_is_escaped_in_the_changelist_search_and_lead_page(
    hostile_lead, manager_client
) -> None:
    pages = [
        "/admin/leads/lead/",
        "/admin/leads/lead/?q=script",
        f"/admin/leads/lead/{hostile_lead.pk}/change/",
        "/admin/",
    ]
    for url in pages:
        response = manager_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_inert(html)
    page = manager_client.get(f"/admin/leads/lead/{hostile_lead.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(" in page  # shown, as text
    assert "&lt;svg onload=alert(3)&gt;" in page


def test_the_hot_lead_alert_escapes_every_field_in_its_html_part(hostile_lead) -> None:
    assert len(mail.outbox) == 1, "a Fortune 500 CISO asking for a demo is hot and alerts sales"
    alert = mail.outbox[0]
    html = alert.alternatives[0][0]
    assert_inert(html)
    assert "\n" not in alert.subject and "\r" not in alert.subject
