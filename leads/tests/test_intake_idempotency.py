"""`Idempotency-Key` on the public lead API: a retry after a lost response is answered with the
first response and records nothing again."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from analytics.services import website_create
from enterprise_scanner.api.throttles import SiteIpThrottle
from enterprise_scanner.tests.concurrency import run_at_once
from leads.models import Lead, LeadEvent, LeadEventKind

ORIGIN = "https://www.enterprisescanner.com"
URL = "/api/v1/leads/"
FORM = {"email": "ada@acme-corp.com", "first_name": "Ada", "form": "demo_request", "message": "Call me"}


@pytest.fixture
def website(db):
    return website_create(name="Marketing site", allowed_origins=[ORIGIN])


def client_for(website) -> Client:
    return Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})


def submit(client: Client, data: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(URL, data, content_type="application/json", headers=headers)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_adds_nothing(website) -> None:
    client = client_for(website)
    first = submit(client, FORM, key="form-7f3c")
    retry = submit(client, FORM, key="form-7f3c")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() == {"lead_id": first.json()["lead_id"], "created": True}
    lead = Lead.objects.get()
    assert lead.events.filter(kind=LeadEventKind.SUBMITTED).count() == 1
    assert lead.events.filter(kind=LeadEventKind.CREATED).count() == 1


def test_a_retry_of_a_submission_to_a_known_lead_is_answered_200_and_adds_nothing(website) -> None:
    client = client_for(website)
    submit(client, FORM)
    again = {**FORM, "last_name": "Lovelace"}
    first = submit(client, again, key="second-visit")
    retry = submit(client, again, key="second-visit")
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert LeadEvent.objects.filter(kind=LeadEventKind.SUBMITTED).count() == 2


def test_without_a_key_or_with_new_keys_every_submission_is_recorded(website) -> None:
    client = client_for(website)
    submit(client, FORM)
    submit(client, FORM)
    submit(client, FORM, key="a")
    submit(client, FORM, key="b")
    assert LeadEvent.objects.filter(kind=LeadEventKind.SUBMITTED).count() == 4


def test_the_same_key_with_a_different_body_is_422_and_stores_nothing(website) -> None:
    client = client_for(website)
    submit(client, FORM, key="k1")
    other = submit(client, {**FORM, "email": "someone.else@acme-corp.com"}, key="k1")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert list(Lead.objects.values_list("email", flat=True)) == ["ada@acme-corp.com"]


def test_keys_are_per_website(website) -> None:
    other_site = website_create(name="Other site", allowed_origins=[ORIGIN])
    submit(client_for(website), FORM, key="shared")
    response = submit(client_for(other_site), FORM, key="shared")
    assert response.status_code == 200  # recorded again: the key belongs to the first site only
    assert LeadEvent.objects.filter(kind=LeadEventKind.SUBMITTED).count() == 2


@pytest.mark.parametrize("key", ["x" * 256, "has space", "naïve"])
def test_a_malformed_key_is_400_and_stores_nothing(website, key) -> None:
    response = submit(client_for(website), FORM, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Lead.objects.exists()


def test_cors_preflight_allows_the_header(website) -> None:
    response = Client().options(
        URL,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-site-key, idempotency-key",
        },
    )
    assert "idempotency-key" in response["Access-Control-Allow-Headers"]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a real race between connections needs PostgreSQL (SQLite writers queue up)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_record_one_submission(monkeypatch) -> None:
    """Twenty copies of one submission with one key, at once, on pooled PostgreSQL connections:
    one is recorded, every copy gets the same answer."""
    # DRF copies the rates into the throttle class when it is imported, so a settings override
    # would not reach it (the default 30/min per IP then answered some of these with 429).
    monkeypatch.setattr(
        SiteIpThrottle, "THROTTLE_RATES", {**SiteIpThrottle.THROTTLE_RATES, "site_ip": "1000/min"}
    )
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    answers: list[tuple[int, dict]] = []

    def post() -> None:
        response = submit(client_for(website), FORM, key="one-key")
        answers.append((response.status_code, response.json()))

    run_at_once([post] * 20)
    assert len(answers) == 20
    assert {status for status, _ in answers} == {201}
    assert len({body["lead_id"] for _, body in answers}) == 1
    assert LeadEvent.objects.filter(kind=LeadEventKind.SUBMITTED).count() == 1
