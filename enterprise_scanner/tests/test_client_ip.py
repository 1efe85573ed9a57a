"""Per-IP limits count the real client, whatever forwarding headers it writes (issue 12, defect 3).

With no proxy configured (NUM_PROXIES=0, the default) X-Forwarded-For, X-Real-IP and Forwarded are
the client's own words and are ignored; with NUM_PROXIES=N only the hop our own proxies added is.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from analytics.models import Event
from analytics.services import website_create
from enterprise_scanner.api.services import api_key_create
from enterprise_scanner.api.throttles import SiteIpThrottle
from enterprise_scanner.client_ip import scope_client_ip

ORIGIN = "https://www.enterprisescanner.com"
ATTACKER = "198.51.100.66"
VICTIM = "203.0.113.9"


def forged_headers(n: int) -> dict[str, str]:
    """A different forwarding story on every request."""
    fake = f"10.{n % 250}.{n // 250}.{n % 7 + 1}"
    return {
        "X-Forwarded-For": f"{fake}, 192.0.2.{n % 250 + 1}",
        "X-Real-IP": fake,
        "Forwarded": f"for={fake};proto=https",
    }


@pytest.fixture
def website(db):
    return website_create(name="Marketing site", allowed_origins=[ORIGIN])


def site_post(website, url: str, body: dict, *, remote_addr: str, headers: dict[str, str]):
    client = Client(
        headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN, **headers}, REMOTE_ADDR=remote_addr
    )
    return client.post(url, body, content_type="application/json")


def intake(website, n: int, *, remote_addr: str = ATTACKER, headers: dict[str, str] | None = None) -> int:
    body = {"email": f"visitor{n}@example.org", "first_name": "Ada", "form": "contact"}
    headers = forged_headers(n) if headers is None else headers
    return site_post(website, "/api/v1/leads/", body, remote_addr=remote_addr, headers=headers).status_code


def test_rotating_forwarding_headers_do_not_bypass_the_intake_limit(website) -> None:
    # The production rate, THROTTLE_SITE_IP = 30/min.
    statuses = Counter(intake(website, n) for n in range(35))
    assert statuses[201] == 30
    assert statuses[429] == 5
    # Someone else (another peer address) still has their whole budget.
    assert intake(website, 99, remote_addr=VICTIM, headers={}) == 201


def test_rotating_forwarding_headers_do_not_bypass_the_wrong_api_key_limit(db, settings) -> None:
    settings.THROTTLE_API_KEY_FAILURES = "5/hour"
    _, valid = api_key_create(name="CRM sync", scopes=["leads:read"])
    prefix = valid.split("_")[0]

    def get(key: str, n: int, remote_addr: str = ATTACKER) -> int:
        client = Client(
            headers={"Authorization": f"Api-Key {key}", **forged_headers(n)}, REMOTE_ADDR=remote_addr
        )
        return client.get("/api/v1/leads/").status_code

    assert [get(f"{prefix}_guess{n:040d}", n) for n in range(7)] == [401] * 5 + [429] * 2
    assert get(valid, 7) == 429
    assert get(valid, 8, remote_addr=VICTIM) == 200


def test_rotating_forwarding_headers_do_not_bypass_the_assessment_token_limit(db, monkeypatch) -> None:
    monkeypatch.setattr(
        SiteIpThrottle, "THROTTLE_RATES", {**SiteIpThrottle.THROTTLE_RATES, "status_ip": "3/min"}
    )
    guesses = [
        Client(headers=forged_headers(n), REMOTE_ADDR=ATTACKER)
        .get(f"/api/v1/assessments/{uuid.uuid4()}/", {"token": f"guess-{n}"})
        .status_code
        for n in range(5)
    ]
    assert guesses == [404, 404, 404, 429, 429]


def test_a_forged_address_cannot_lock_someone_else_out_of_the_admin(db, settings) -> None:
    get_user_model().objects.create_user("rep", password="correct-horse-battery", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        attacker = Client(
            headers={"X-Forwarded-For": VICTIM, "X-Real-IP": VICTIM, "Forwarded": f"for={VICTIM}"},
            REMOTE_ADDR=ATTACKER,
        )
        attacker.post("/admin/login/", {"username": "rep", "password": f"wrong-{n}"})
    victim = Client(REMOTE_ADDR=VICTIM)
    response = victim.post("/admin/login/", {"username": "rep", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert "_auth_user_id" in victim.session
    # The guesser is locked out at its real address, however it rotates the headers.
    attacker = Client(headers=forged_headers(1), REMOTE_ADDR=ATTACKER)
    assert (
        attacker.post("/admin/login/", {"username": "rep", "password": "correct-horse-battery"}).status_code
        == 429
    )


def test_behind_one_proxy_the_last_forwarded_entry_is_the_client(website, settings, monkeypatch) -> None:
    settings.NUM_PROXIES = 1
    monkeypatch.setattr(
        SiteIpThrottle, "THROTTLE_RATES", {**SiteIpThrottle.THROTTLE_RATES, "site_ip": "3/min"}
    )
    proxy = "127.0.0.1"  # nginx: every request reaches daphne from it

    def via_proxy(n: int, client_address: str) -> int:
        forged = f"10.0.0.{n}"  # the client's own X-Forwarded-For, which nginx appends to
        return intake(
            website, n, remote_addr=proxy, headers={"X-Forwarded-For": f"{forged}, {client_address}"}
        )

    assert [via_proxy(n, VICTIM) for n in range(5)] == [201, 201, 201, 429, 429]
    assert via_proxy(9, ATTACKER) == 201  # another client behind the same proxy: its own budget

    # The analytics IP is the same address (anonymised: last octet dropped).
    events = {"visitor_id": "visitor-0001", "events": [{"type": "page_view"}]}
    headers = {"X-Forwarded-For": f"10.9.9.9, {ATTACKER}"}
    assert (
        site_post(website, "/api/v1/events/", events, remote_addr=proxy, headers=headers).status_code == 202
    )
    assert Event.objects.get().ip_address == "198.51.100.0"


def test_analytics_ip_ignores_forwarding_headers_without_a_proxy(website) -> None:
    events = {"visitor_id": "visitor-0001", "events": [{"type": "page_view"}]}
    assert (
        site_post(
            website, "/api/v1/events/", events, remote_addr=ATTACKER, headers=forged_headers(3)
        ).status_code
        == 202
    )
    assert Event.objects.get().ip_address == "198.51.100.0"


def test_websocket_scopes_follow_the_same_rule(settings) -> None:
    scope = {
        "type": "websocket",
        "client": ("127.0.0.1", 50123),
        "headers": [(b"x-forwarded-for", b"10.0.0.1, 203.0.113.9"), (b"x-real-ip", b"10.0.0.2")],
    }
    settings.NUM_PROXIES = 0
    assert scope_client_ip(scope) == "127.0.0.1"
    settings.NUM_PROXIES = 1
    assert scope_client_ip(scope) == "203.0.113.9"
    settings.NUM_PROXIES = 2
    assert scope_client_ip(scope) == "10.0.0.1"
