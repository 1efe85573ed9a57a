"""What schemathesis found (test_api_schemathesis.py), pinned as plain tests: input Python
accepts but PostgreSQL refuses must get a 400, never a 500 from a DataError."""

from __future__ import annotations

import pytest
from django.test import Client

from analytics.services import website_create
from enterprise_scanner.api.models import ApiScope
from enterprise_scanner.api.services import api_key_create
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
ORIGIN = "https://www.enterprisescanner.com"


def test_a_utc_offset_no_time_zone_has_is_a_400_not_a_server_error() -> None:
    LeadFactory()
    _, raw = api_key_create(name="CRM", scopes=[ApiScope.LEADS_READ])
    client = Client(headers={"Authorization": f"Api-Key {raw}"})
    response = client.get("/api/v1/leads/", {"created_after": "2026-03-09T10:19:37+17:35"})
    assert response.status_code == 400
    assert "created_after" in response.json()
    ok = client.get("/api/v1/leads/", {"created_after": "2099-03-09T10:19:37+14:00"})
    assert ok.status_code == 200 and ok.json()["count"] == 0


@pytest.mark.parametrize(
    "target",
    [
        "https://" + ".".join(["a" * 63] * 5),  # a 319-character host: longer than DNS allows
        "www.example.com/" + "p" * 2040,  # fits 2048 as typed, not once "https://" is added
    ],
)
def test_an_overlong_assessment_target_is_a_400_not_a_server_error(target: str) -> None:
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    response = client.post(
        "/api/v1/assessments/",
        {"email": "ciso@example-corp.com", "target_url": target},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "target_url" in response.json()
