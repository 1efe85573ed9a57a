"""Guessing secrets is slow: wrong API keys and wrong admin passwords lock the guesser out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from enterprise_scanner.api.services import api_key_create

URL = "/api/v1/leads/"


@pytest.fixture
def valid_key(db) -> str:
    _, raw = api_key_create(name="CRM sync", scopes=["leads:read"])
    return raw


def get(raw_key: str, ip: str) -> int:
    client = Client(headers={"Authorization": f"Api-Key {raw_key}"}, REMOTE_ADDR=ip)
    return client.get(URL)


def test_wrong_api_keys_from_one_address_end_in_429_even_for_the_right_key(valid_key, settings) -> None:
    settings.THROTTLE_API_KEY_FAILURES = "5/hour"
    prefix = valid_key.split("_")[0]
    for n in range(5):
        response = get(f"{prefix}_guess{n:040d}", "203.0.113.7")
        assert response.status_code == 401
    refused = get(f"{prefix}_guess-again", "203.0.113.7")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert get(valid_key, "203.0.113.7").status_code == 429
    # Another address is not punished for the guesser.
    assert get(valid_key, "198.51.100.20").status_code == 200


def test_admin_login_locks_out_after_repeated_failures(db, settings) -> None:
    get_user_model().objects.create_user("rep", password="correct-horse-battery", is_staff=True)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "rep", "password": "wrong"})
        assert "_auth_user_id" not in client.session
    locked = client.post("/admin/login/", {"username": "rep", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page
