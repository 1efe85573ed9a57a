"""Redis down: the API answers 503 with Retry-After (JSON), not 500, and works again as soon as
Redis is back, in the same process (issue 12, defect 6). A private redis-server is killed and
started again; the shared one is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from analytics.services import website_create
from enterprise_scanner.api.services import api_key_create
from enterprise_scanner.tests.redis_server import REDIS_SERVER

ORIGIN = "https://www.enterprisescanner.com"

pytestmark = pytest.mark.skipif(
    not Path(REDIS_SERVER).exists(), reason="needs redis-server (apt-get install redis-server)"
)


def test_intake_and_the_secret_key_api_answer_503_without_redis_and_recover(db, private_redis) -> None:
    website = website_create(name="Marketing site", allowed_origins=[ORIGIN])
    site = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    _, raw_key = api_key_create(name="CRM sync", scopes=["leads:read"])
    integration = Client(headers={"Authorization": f"Api-Key {raw_key}"})

    def intake(n: int):
        body = {"email": f"ada{n}@example.org", "first_name": "Ada", "form": "contact"}
        return site.post("/api/v1/leads/", body, content_type="application/json")

    assert intake(1).status_code == 201
    private_redis.kill()

    for response in (intake(2), integration.get("/api/v1/leads/")):
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert int(response["Retry-After"]) > 0
        assert "unavailable" in response.json()["detail"]
    # A browser can read it: the CORS answer does not need Redis.
    assert intake(3)["Access-Control-Allow-Origin"] == ORIGIN

    private_redis.start()  # empty, on the same port; this process is not restarted
    assert intake(4).status_code == 201
    assert integration.get("/api/v1/leads/").status_code == 200
