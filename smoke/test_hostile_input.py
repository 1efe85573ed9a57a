"""Hostile input against the deployed shape (issue 12, defects 4, 5, 8, 9 and 11): each answer is a
clear 4xx in the API's JSON shape, or an `error` frame on a socket that stays open, and never a 500.

These are the requests that broke only in production: the NUL byte is a DataError on PostgreSQL
alone, and the nesting and size limits must hold behind daphne, not just in Django's test client.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect

from .stack import Stack

LOOPBACK_SPELLINGS = [
    "https://0177.0.0.1/",
    "https://0x7f.0.0.1/",
    "https://127.1/",
    "https://127.0.1/",
    "https://2130706433/",
    "https://１２７.０.０.１/",
    "https://127。0。0。1/",
    "https://[::ffff:127.0.0.1]/",
    "https://localhost./",
]


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture(autouse=True)
def _fresh_budget(stack: Stack):
    """These checks send many requests from one address: start and end with the whole budget."""
    stack.clear_cache()
    yield
    stack.clear_cache()


def assert_json_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return response.json()


@pytest.mark.parametrize(
    "path", ["/api/v1/leads/", "/api/v1/events/", "/api/v1/roi/", "/api/v1/assessments/"]
)
def test_deeply_nested_json_is_a_json_400(stack: Stack, path: str) -> None:
    with stack.client() as client:
        response = client.post(
            path, content=nested(1000), headers=stack.site_headers(**{"Content-Type": "application/json"})
        )
    assert "detail" in assert_json_error(response, 400)


async def test_a_chat_frame_of_brackets_is_an_error_event_and_the_socket_stays_open(stack: Stack) -> None:
    async with connect(
        f"{stack.ws_url}/ws/chat/?key={stack.site_key}", origin=stack.origin, ssl=stack.ssl_context()
    ) as socket:
        await socket.send(json.dumps({"type": "hello", "visitor_id": "smoke-hostile-visitor"}))
        welcome = json.loads(await asyncio.wait_for(socket.recv(), 15))
        assert welcome["type"] == "welcome"
        await socket.send("[" * 10_000)
        while (frame := json.loads(await asyncio.wait_for(socket.recv(), 15)))["type"] != "error":
            pass
        assert frame["code"] == "bad_json", frame
        await socket.send(json.dumps({"type": "ping"}))
        while (frame := json.loads(await asyncio.wait_for(socket.recv(), 15)))["type"] != "pong":
            pass


@pytest.mark.parametrize(
    "query", ["search=a%00b", "status=new%00", "owner=%00", "page=1%00", "created_after=2026-01-01%00"]
)
def test_a_nul_in_a_query_parameter_is_a_json_400_on_postgresql(stack: Stack, query: str) -> None:
    with stack.client() as client:
        response = client.get(f"/api/v1/leads/?{query}", headers=stack.api_headers())
    assert_json_error(response, 400)


def test_a_nul_in_the_admin_search_and_autocomplete_is_a_400(stack: Stack) -> None:
    client = stack.staff_login("smoke-nul-manager", "Sales manager")
    try:
        for url in (
            "/admin/leads/lead/?q=a%00b",
            "/admin/autocomplete/?app_label=leads&model_name=lead&field_name=company&term=a%00b",
        ):
            response = client.get(url)
            assert response.status_code == 400, (url, response.status_code)
    finally:
        client.close()


@pytest.mark.parametrize("target", LOOPBACK_SPELLINGS)
def test_loopback_in_any_spelling_is_refused_at_intake(stack: Stack, target: str) -> None:
    body = {"email": "ciso@acme-corp.com", "target_url": target}
    with stack.client() as client:
        response = client.post("/api/v1/assessments/", json=body, headers=stack.site_headers())
    assert "target_url" in assert_json_error(response, 400), response.text


def test_a_30_mb_body_is_a_json_413(stack: Stack) -> None:
    body = b'{"email": "' + b"a" * (30 * 1024 * 1024) + b'"}'
    with stack.client(timeout=60) as client:
        response = client.post(
            "/api/v1/leads/", content=body, headers=stack.site_headers(**{"Content-Type": "application/json"})
        )
    assert_json_error(response, 413)


@pytest.mark.parametrize("page_size", ["null", "0", "-5", "abc", "10000"])
def test_an_unusable_page_size_is_a_json_400(stack: Stack, page_size: str) -> None:
    with stack.client() as client:
        response = client.get(f"/api/v1/leads/?page_size={page_size}", headers=stack.api_headers())
    assert "page_size" in json.dumps(assert_json_error(response, 400))


def test_a_won_lead_with_an_approved_commission_cannot_be_moved_back(stack: Stack) -> None:
    lead_id = stack.python(
        "from decimal import Decimal\n"
        "from django.contrib.auth.models import User\n"
        "from leads.models import Lead, LeadStatus\n"
        "from leads.services import lead_change_status\n"
        "from partners.models import Commission, Partner, PartnerStatus\n"
        "from partners.services import commission_approve\n"
        "p = Partner.objects.create(name='Smoke Partners', referral_code='SMOKE-12', status=PartnerStatus.ACTIVE,"
        " commission_rate=Decimal('0.1'), commission_tiers=[])\n"
        "lead = Lead.objects.create(email='won.smoke@acme-corp.com', partner=p, status=LeadStatus.PROPOSAL,"
        " actual_deal_value=Decimal('100000'))\n"
        "lead_change_status(lead=lead, status=LeadStatus.CLOSED_WON)\n"
        "from django.contrib.auth.models import Group\n"
        "boss = User.objects.create(username='smoke-commission-boss', is_staff=True)\n"
        "boss.groups.set([Group.objects.get(name='Sales manager')])\n"
        "commission_approve(commission=Commission.objects.get(lead=lead), actor=boss)\n"
        "print(lead.pk)\n"
    ).split()[-1]
    with stack.client() as client:
        response = client.patch(
            f"/api/v1/leads/{lead_id}/", json={"status": "new"}, headers=stack.api_headers()
        )
    assert "status" in assert_json_error(response, 400)
    status, commission = stack.sql(
        "SELECT l.status, c.status FROM leads_lead l JOIN partners_commission c ON c.lead_id = l.id WHERE l.id = %s",
        [lead_id],
    )[0]
    assert (status, commission) == ("closed_won", "approved")
