"""The deployed shape serves: health over HTTPS, and a submitted lead is scored by the worker."""

from __future__ import annotations

from .stack import Stack


def test_healthz_reports_every_part_working(stack: Stack) -> None:
    with stack.client() as client:
        response = client.get("/healthz")
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert checks["database"]["vendor"] == "postgresql"
    assert checks["channel_layer"]["backend"] == "RedisChannelLayer"
    assert checks["cache"]["backend"] == "RedisCache"


def test_production_headers_over_https(stack: Stack) -> None:
    with stack.client() as client:
        response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_submitted_lead_is_scored_and_alerted_by_the_worker(stack: Stack) -> None:
    lead = {
        "email": "ciso@jpmorganchase.com",
        "first_name": "Jordan",
        "last_name": "Lee",
        "job_title": "Chief Information Security Officer",
        "form": "demo_request",
        "message": "We would like a demo",
        "employee_count": 50000,
    }
    with stack.client() as client:
        response = client.post("/api/v1/leads/", json=lead, headers=stack.site_headers())
    assert response.status_code == 201, response.text
    lead_id = response.json()["lead_id"]
    score = stack.wait_until(
        lambda: stack.sql("SELECT score FROM leads_lead WHERE id = %s AND score > 0", [lead_id]),
        timeout=60,
        what="the worker to score the lead",
    )[0][0]
    assert score >= 80
    alerts = stack.wait_until(
        lambda: [m for m in stack.mails() if "jpmorganchase" in m.as_string().lower()],
        timeout=60,
        what="the hot-lead alert e-mail",
    )
    assert len(alerts) == 1
