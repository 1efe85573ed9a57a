"""Hostile request shapes get a clear 4xx, never a 500: deeply nested JSON, NUL characters in
any string a user controls, and oversized bodies (issue 12, defects 4, 5 and 11a).

The NUL tests matter most on PostgreSQL, which cannot store or compare a string holding NUL
(DataError, the 500 of the issue); they run on both databases (`make test` and
`make test-postgres`), as the answer must be the same 400 on each.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from analytics.models import Event
from analytics.services import website_create
from assessments.models import RoiCalculation
from enterprise_scanner.api.models import ApiScope
from enterprise_scanner.api.services import api_key_create
from enterprise_scanner.untrusted_json import MAX_JSON_DEPTH
from leads.models import Company, Lead
from leads.tests.factories import LeadFactory
from partners.models import Partner

pytestmark = pytest.mark.django_db

ORIGIN = "https://www.enterprisescanner.com"
VISITOR = "visitor-12345678"


@pytest.fixture
def site() -> Client:
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    return Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})


@pytest.fixture
def secret() -> Client:
    _, key = api_key_create(name="CRM", scopes=[ApiScope.LEADS_READ, ApiScope.LEADS_WRITE])
    return Client(headers={"Authorization": f"Api-Key {key}"})


def nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


def post_raw(client: Client, path: str, body: str) -> Any:
    return client.post(path, body, content_type="application/json")


def valid_bodies() -> dict[str, dict[str, Any]]:
    return {
        "/api/v1/leads/": {"email": "ada@acme-corp.com", "first_name": "Ada"},
        "/api/v1/events/": {"visitor_id": VISITOR, "events": [{"type": "page_view"}]},
        "/api/v1/roi/": {
            "employees": 500,
            "annual_security_budget": "100000",
            "industry": "financial",
            "region": "us",
        },
        "/api/v1/assessments/": {"email": "ada@acme-corp.com", "target_url": "https://www.acme-corp.com"},
    }


PUBLIC_POSTS = list(valid_bodies())


# --- Defect 4: nesting ------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_POSTS)
def test_a_thousand_levels_of_nesting_is_a_json_400_on_every_public_post(site: Client, path: str) -> None:
    for body in ("[" * 1000 + "]" * 1000, "[" * 100_000, '{"a":' * 1000 + "1" + "}" * 1000):
        response = post_raw(site, path, body)
        assert response.status_code == 400, (path, response.content[:200])
        assert response["Content-Type"] == "application/json"
        assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("path", PUBLIC_POSTS)
def test_a_deep_value_inside_a_valid_document_is_refused_before_it_is_stored(site: Client, path: str) -> None:
    body = {**valid_bodies()[path], "extra": nested(MAX_JSON_DEPTH + 5)}
    response = post_raw(site, path, json.dumps(body))
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert not Lead.objects.exists()


def test_event_data_nested_within_the_limit_is_stored_and_deeper_is_not(site: Client) -> None:
    ok = {"visitor_id": VISITOR, "events": [{"type": "page_view", "data": {"a": nested(10)}}]}
    assert post_raw(site, "/api/v1/events/", json.dumps(ok)).status_code in (200, 201, 202)
    deep = {"visitor_id": VISITOR, "events": [{"type": "page_view", "data": {"a": nested(200)}}]}
    response = post_raw(site, "/api/v1/events/", json.dumps(deep))
    assert response.status_code == 400
    assert "events[0].data.a" in response.json()["detail"]
    assert Event.objects.count() == 1


@pytest.mark.parametrize("body", ["{", "[1,]", "NaN", '{"a": Infinity}', "\ufeff{}", "\xff"])
def test_malformed_json_of_any_shape_is_a_json_400(site: Client, body: str) -> None:
    response = site.post(
        "/api/v1/leads/", body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


# --- Defect 5: NUL characters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "search=a%00b",
        "ordering=%00",
        "status=new%00",
        "email=a%00@b.com",
        "page=1%00",
        "page_size=%0010",
        "a%00b=1",
    ],
)
def test_a_nul_in_any_query_parameter_is_a_400_naming_it(secret: Client, query: str) -> None:
    LeadFactory()
    response = secret.get(f"/api/v1/leads/?{query}")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    name = query.split("=")[0].replace("%00", "\\u0000")
    assert name in body["detail"] and "NUL" in body["detail"]
    assert body[name] == ["NUL characters (\\u0000) are not allowed."]


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/api/v1/leads/", {"email": "ada@acme-corp.com", "message": "hi\u0000there"}, "message"),
        ("/api/v1/leads/", {"email": "ada@acme-corp.com", "first_name": "A\u0000"}, "first_name"),
        (
            "/api/v1/events/",
            {"visitor_id": VISITOR, "events": [{"type": "page_view", "data": {"label": "a\u0000b"}}]},
            "events[0].data.label",
        ),
        (
            "/api/v1/events/",
            {"visitor_id": VISITOR, "events": [{"type": "page_view", "data": {"a\u0000": 1}}]},
            "events[0].data",
        ),
        ("/api/v1/roi/", {**valid_bodies()["/api/v1/roi/"], "industry": "financial\u0000"}, "industry"),
    ],
)
def test_a_nul_in_a_json_body_is_a_400_naming_where(site: Client, path: str, body: dict, where: str) -> None:
    response = post_raw(site, path, json.dumps(body))
    assert response.status_code == 400, response.content[:300]
    assert where in response.json()["detail"]
    assert not Event.objects.exists() and not RoiCalculation.objects.exists() and not Lead.objects.exists()


def test_nul_in_headers_and_cookies_is_a_400(secret: Client) -> None:
    bad_key = Client(headers={"Authorization": "Api-Key es_a\x00b"}).get("/api/v1/leads/")
    assert bad_key.status_code == 400 and "Authorization" in bad_key.json()["detail"]
    site_key = Client(headers={"X-Site-Key": "pk_\x00", "Origin": ORIGIN}).post(
        "/api/v1/leads/", {"email": "a@acme-corp.com"}, content_type="application/json"
    )
    assert site_key.status_code == 400
    cookie = Client()
    cookie.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert cookie.get("/admin/").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/admin/leads/lead/?q=a%00b",
        "/admin/leads/lead/?status__exact=new%00",
        "/admin/leads/company/?q=%00",
        "/admin/autocomplete/?app_label=leads&model_name=lead&field_name=company&term=a%00b",
        "/admin/leads/lead/%00/change/",
    ],
)
def test_the_admin_answers_a_clear_400_for_a_nul_in_its_search_filters_and_autocomplete(
    admin_client: Client, url: str
) -> None:
    Company.objects.create(name="Acme", domain="acme-corp.com")
    response = admin_client.get(url)
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_an_admin_form_field_with_a_nul_is_a_400_not_a_database_error(admin_client: Client) -> None:
    response = admin_client.post("/admin/leads/company/add/", {"name": "Ac\x00me", "domain": "acme-corp.com"})
    assert response.status_code == 400
    assert b"form field" in response.content
    assert not Company.objects.exists()


# --- Defect 11a: oversized bodies --------------------------------------------------------------


def test_a_30_mb_body_is_a_json_413_on_the_api_and_a_413_page_in_the_admin(
    site: Client, admin_client: Client
) -> None:
    big = b'{"email": "a@acme-corp.com", "message": "' + b"x" * (30 * 1024 * 1024) + b'"}'
    response = site.post("/api/v1/leads/", big, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
    assert not Lead.objects.exists()

    # An API path with no view, and a form body, too.
    assert Client().post("/api/v1/nowhere/", big, content_type="application/json").status_code == 413
    form = admin_client.post(
        "/admin/leads/company/add/",
        b"name=" + b"x" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 413
    assert form["Content-Type"].startswith("text/html")


# --- Defect 11c: pagination parameters -----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "page_size=null",
        "page_size=0",
        "page_size=-5",
        "page_size=abc",
        "page_size=10000",
        "page_size=",
        "page_size=1.5",
        "page_size=%EF%BC%95",
        "page=abc",
        "page=0",
        "page=-1",
        "page=",
        "page=null",
    ],
)
def test_an_unusable_page_or_page_size_is_a_400_saying_what_is_allowed(secret: Client, query: str) -> None:
    LeadFactory()
    response = secret.get(f"/api/v1/leads/?{query}")
    assert response.status_code == 400, response.content[:300]
    name = query.split("=")[0]
    [message] = response.json()[name]
    assert ("1 to 200" if name == "page_size" else "1 or more") in message


def test_usable_pages_still_work_and_the_schema_states_the_limits(secret: Client) -> None:
    LeadFactory.create_batch(3)
    page = secret.get("/api/v1/leads/?page_size=2&page=2").json()
    assert (page["count"], len(page["results"])) == (3, 1)
    assert len(secret.get("/api/v1/leads/?page_size=200&page=last").json()["results"]) == 3
    assert secret.get("/api/v1/leads/?page=9").status_code == 404  # past the end, as documented

    schema = Client().get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/leads/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert "400" in schema["paths"]["/api/v1/partner/commissions/"]["get"]["responses"]
    assert "413" in schema["paths"]["/api/v1/leads/"]["post"]["responses"]


@pytest.mark.parametrize(
    ("tiers", "error"),
    [
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('[{"rate": "0.1", "min_deal_value": "1\\u0000"}]', "NUL character"),
        ("[NaN]", "not a JSON number"),
    ],
)
def test_an_admin_json_field_with_hostile_json_is_a_form_error(
    admin_client: Client, tiers: str, error: str
) -> None:
    """The partner form's commission tiers (Django's JSONField form field let RecursionError
    through as a 500, and stored a NUL PostgreSQL refuses)."""
    response = admin_client.post(
        "/admin/partners/partner/add/",
        {
            "name": "Acme",
            "partner_type": "referral",
            "status": "active",
            "contact_email": "p@acme-corp.com",
            "referral_code": "ACME1",
            "commission_rate": "0.1",
            "commission_tiers": tiers,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert error in response.content.decode()
    assert not Partner.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/leads/", "/admin/leads/company/add/"])
def test_a_malformed_multipart_body_is_a_400_not_a_500(site: Client, admin_client: Client, path: str) -> None:
    client = site if path.startswith("/api/") else admin_client
    response = client.post(path, b"--x\r\nnot a part", content_type="multipart/form-data; boundary=")
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["text/xml", "application/x-unknown", ""])
def test_a_body_of_an_unread_content_type_is_a_documented_json_415(site: Client, content_type: str) -> None:
    response = site.post("/api/v1/leads/", b"<lead/>", content_type=content_type)
    assert response.status_code == 415
    assert "detail" in response.json()
    schema = Client().get("/api/schema/?format=json").json()
    assert "415" in schema["paths"]["/api/v1/leads/"]["post"]["responses"]
