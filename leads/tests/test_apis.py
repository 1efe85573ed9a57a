"""The lead API as the website and integrations use it: every response code, scoping, CORS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from analytics.models import Visitor
from analytics.services import website_create, website_update
from enterprise_scanner.api.services import api_key_create, api_key_revoke
from enterprise_scanner.api.throttles import SiteIpThrottle
from enterprise_scanner.tests.concurrency import run_at_once
from leads.models import CompanyDomain, Lead, LeadEventKind, LeadStatus
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory, SalesRepFactory
from partners.models import Partner, PartnerStatus

ORIGIN = "https://www.enterprisescanner.com"
URL = "/api/v1/leads/"


@pytest.fixture
def website(db):
    return website_create(name="Marketing site", allowed_origins=[ORIGIN])


@pytest.fixture
def site_client(website) -> Client:
    return Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})


def api_client(*scopes: str) -> Client:
    _, raw = api_key_create(name="CRM sync", scopes=scopes)
    return Client(headers={"Authorization": f"Api-Key {raw}"})


def submit(client: Client, **data):
    return client.post(URL, data, content_type="application/json")


# --- Intake ------------------------------------------------------------------------------------


def test_new_lead_is_created_and_the_response_reveals_nothing_else(site_client) -> None:
    Fortune500CompanyFactory()
    response = submit(
        site_client, email="Jordan.Lee@JPMorganChase.com", first_name="Jordan", form="demo_request"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"lead_id", "created"}
    assert body["created"] is True
    lead = Lead.objects.get(pk=body["lead_id"])
    assert lead.email == "Jordan.Lee@jpmorganchase.com"
    assert lead.company.name == "JPMorgan Chase"
    assert lead.is_fortune_500 is True
    assert lead.source == "demo_request"


def test_known_email_updates_only_empty_fields_and_records_the_submission(site_client) -> None:
    first = submit(site_client, email="ciso@acme-corp.com", first_name="Ada", form="contact")
    assert first.status_code == 201
    again = submit(
        site_client,
        email="CISO@ACME-CORP.COM",
        first_name="Changed",
        last_name="Lovelace",
        form="demo_request",
        message="Please call me",
    )
    assert again.status_code == 200
    assert again.json() == {"lead_id": first.json()["lead_id"], "created": False}
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name) == ("Ada", "Lovelace")
    submissions = lead.events.filter(kind=LeadEventKind.SUBMITTED)
    assert submissions.count() == 2
    assert {e.data["form"] for e in submissions} == {"contact", "demo_request"}
    assert submissions.filter(data__message="Please call me").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": ""}, "email"),
        ({}, "email"),
        ({"email": "x@acme-corp.com", "first_name": "x" * 101}, "first_name"),
        ({"email": "x@acme-corp.com", "message": "x" * 5001}, "message"),
        ({"email": "x@acme-corp.com", "form": "free_beer"}, "form"),
        ({"email": "x@acme-corp.com", "website": "http://spam.example"}, "website"),
        ({"email": "x@acme-corp.com", "employee_count": -5}, "employee_count"),
        ({"email": "x@acme-corp.com", "phone": "call me maybe"}, "phone"),
        ({"email": "x@acme-corp.com", "visitor_id": "<script>"}, "visitor_id"),
    ],
)
def test_bad_input_gets_400_with_per_field_errors_and_stores_nothing(site_client, data, field) -> None:
    response = submit(site_client, **data)
    assert response.status_code == 400
    assert field in response.json()
    assert Lead.objects.count() == 0


def test_malformed_json_gets_400(site_client) -> None:
    response = site_client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Lead.objects.count() == 0


def test_unknown_key_is_401(website) -> None:
    client = Client(headers={"X-Site-Key": "pk_nope", "Origin": ORIGIN})
    assert submit(client, email="a@acme-corp.com").status_code == 401


def test_missing_key_is_refused(website) -> None:
    response = submit(Client(headers={"Origin": ORIGIN}), email="a@acme-corp.com")
    assert response.status_code in (401, 403)
    assert Lead.objects.count() == 0


def test_disabled_key_is_403(website, site_client) -> None:
    website_update(website=website, is_active=False)
    response = submit(site_client, email="a@acme-corp.com")
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]


@pytest.mark.parametrize("origin", ["https://evil.example", "http://www.enterprisescanner.com", None])
def test_foreign_or_missing_origin_is_403(website, origin) -> None:
    headers = {"X-Site-Key": website.publishable_key}
    if origin:
        headers["Origin"] = origin
    response = submit(Client(headers=headers), email="a@acme-corp.com")
    assert response.status_code == 403
    assert Lead.objects.count() == 0


def test_throttled_submissions_get_429_with_retry_after(site_client, monkeypatch) -> None:
    monkeypatch.setattr(
        SiteIpThrottle, "THROTTLE_RATES", {**SiteIpThrottle.THROTTLE_RATES, "site_ip": "3/min"}
    )
    codes = [submit(site_client, email=f"p{i}@acme-corp.com").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    last = submit(site_client, email="p9@acme-corp.com")
    assert last.status_code == 429
    assert int(last["Retry-After"]) > 0


def test_cors_preflight_allows_only_registered_origins(website) -> None:
    client = Client()
    allowed = client.options(
        URL,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-site-key",
        },
    )
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "x-site-key" in allowed["Access-Control-Allow-Headers"]
    foreign = client.options(
        URL, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in foreign


def test_visitor_utm_consent_and_referral_are_kept(site_client, website) -> None:
    Partner.objects.create(name="SecurePath", referral_code="SECUREPATH", status=PartnerStatus.ACTIVE)
    response = submit(
        site_client,
        email="buyer@acme-corp.com",
        visitor_id="visitor-123456",
        referral_code="securepath",
        utm_source="linkedin",
        utm_campaign="ciso-2026",
        consent_marketing=True,
    )
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert lead.partner.referral_code == "SECUREPATH"
    assert (lead.utm_source, lead.utm_campaign) == ("linkedin", "ciso-2026")
    assert lead.consent_marketing and lead.consent_marketing_at
    visitor = Visitor.objects.get(anonymous_id="visitor-123456")
    assert visitor.lead == lead and lead.visitor == visitor
    # First touch wins: a later campaign does not overwrite the source.
    submit(site_client, email="buyer@acme-corp.com", utm_source="google")
    lead.refresh_from_db()
    assert lead.utm_source == "linkedin"


def test_webmail_never_creates_a_company(site_client) -> None:
    response = submit(site_client, email="student@gmail.com", company="Gmail", form="newsletter")
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert lead.company is None
    assert lead.company_name == "Gmail"


# --- Scoring and alerts (tasks run after commit) -----------------------------------------------------


def test_fortune_500_ciso_demo_request_scores_100_and_alerts_sales_once(
    site_client, django_capture_on_commit_callbacks
) -> None:
    Fortune500CompanyFactory(name="Microsoft", domain="microsoft.com", fortune_rank=14, employee_count=228000)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            site_client,
            email="ciso@microsoft.com",
            first_name="Sam",
            last_name="Rivera",
            job_title="Chief Information Security Officer",
            form="demo_request",
            message="<script>alert(1)</script> interested",
        )
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert lead.score == 100
    assert lead.seniority == "c_level"
    assert lead.status == LeadStatus.QUALIFIED
    assert lead.estimated_deal_value and lead.estimated_deal_value > 1_000_000
    assert lead.score_breakdown["total"] == 100
    kinds = list(lead.events.values_list("kind", flat=True))
    for kind in ("submitted", "created", "company_matched", "scored", "alert_sent"):
        assert kind in kinds

    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert alert.to == ["sales@enterprisescanner.test"]
    assert "Microsoft" in alert.subject and "100" in alert.subject
    html = alert.alternatives[0][0]
    assert f"/admin/leads/lead/{lead.pk}/change/" in alert.body
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html

    # More activity: still hot, no second alert for the same crossing.
    with django_capture_on_commit_callbacks(execute=True):
        submit(site_client, email="ciso@microsoft.com", form="assessment")
    assert len(mail.outbox) == 1


def test_gmail_student_newsletter_scores_low_without_alert(
    site_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(site_client, email="kid@gmail.com", job_title="Student", form="newsletter")
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert lead.score <= 15
    assert lead.status == LeadStatus.NEW
    assert mail.outbox == []


def test_disposable_address_is_accepted_but_flagged(site_client, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(site_client, email="x@mailinator.com", job_title="CTO", form="demo_request")
    assert response.status_code == 201
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert "disposable_email" in lead.score_breakdown["flags"]
    assert lead.company is None


# --- Concurrency --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_identical_submissions_make_one_lead(website) -> None:
    """Six browsers post the same form at the same instant (on PostgreSQL, a real insert race)."""
    results: list[int] = []

    def post() -> None:
        client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
        results.append(submit(client, email="race@acme-corp.com", form="demo_request").status_code)

    run_at_once([post] * 6)
    assert sorted(results) == [200] * 5 + [201]
    assert Lead.objects.filter(email__iexact="race@acme-corp.com").count() == 1
    assert Lead.objects.get().events.filter(kind=LeadEventKind.SUBMITTED).count() == 6


# --- Secret-key API -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_is_paginated_filtered_and_best_score_first(django_assert_max_num_queries) -> None:
    f500 = Fortune500CompanyFactory()
    LeadFactory(email="low@x-corp.com", score=10)
    top = LeadFactory(email="top@jpmorganchase.com", score=97, company=f500, is_fortune_500=True)
    LeadFactory(email="mid@y-corp.com", score=60, status=LeadStatus.CONTACTED)
    client = api_client("leads:read")

    with django_assert_max_num_queries(6):
        body = client.get(URL).json()
    assert body["count"] == 3 and {"next", "previous", "results"} <= body.keys()
    assert [r["email"] for r in body["results"]] == [
        "top@jpmorganchase.com",
        "mid@y-corp.com",
        "low@x-corp.com",
    ]
    assert body["results"][0]["company"] == {
        "name": "JPMorgan Chase",
        "domain": "jpmorganchase.com",
        "is_fortune_500": True,
        "fortune_rank": 11,
    }

    def emails(**params) -> list[str]:
        return [r["email"] for r in client.get(URL, params).json()["results"]]

    assert emails(min_score=50) == ["top@jpmorganchase.com", "mid@y-corp.com"]
    assert emails(fortune_500="true") == ["top@jpmorganchase.com"]
    assert emails(status="contacted") == ["mid@y-corp.com"]
    assert emails(search="jpmorgan") == [top.email]
    # The admin's rule: every word must match (name, e-mail, typed or matched company).
    assert emails(search="chase top") == [top.email]
    CompanyDomain.objects.create(company=f500, domain="jpmchase.com")
    assert emails(search="jpmchase") == [top.email]  # an alias domain of the matched company
    assert emails(search="jpmorgan y-corp") == []
    assert emails(search='"y-corp"') == ["mid@y-corp.com"]
    assert client.get(URL, {"created_after": "not-a-date"}).status_code == 400
    assert client.get(URL, {"status": "nope"}).status_code == 400


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(django_assert_max_num_queries) -> None:
    for i in range(30):
        LeadFactory(email=f"p{i}@corp{i}.com", owner=SalesRepFactory(username=f"rep{i}"))
    client = api_client("leads:read")
    with django_assert_max_num_queries(4):  # key lookup, last-used stamp, count, page
        assert len(client.get(URL).json()["results"]) == 30


@pytest.mark.django_db
def test_detail_shows_company_breakdown_and_timeline() -> None:
    lead = LeadFactory(company=None, score=12, score_breakdown={"total": 12})
    lead.events.create(
        kind=LeadEventKind.SUBMITTED, summary="Submitted the contact form", actor_label="website form"
    )
    body = api_client("leads:read").get(f"{URL}{lead.pk}/").json()
    assert body["company"] is None
    assert body["score_breakdown"] == {"total": 12}
    assert body["timeline"][0]["summary"] == "Submitted the contact form"
    assert body["timeline"][0]["actor"] == "website form"


@pytest.mark.django_db
def test_patch_changes_status_owner_and_follow_up_on_the_timeline() -> None:
    lead = LeadFactory()
    rep = SalesRepFactory(username="dana")
    client = api_client("leads:read", "leads:write")
    follow_up = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = client.patch(
        f"{URL}{lead.pk}/",
        {"status": "contacted", "owner": "dana", "next_follow_up_at": follow_up.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert lead.status == "contacted" and lead.owner == rep and lead.next_follow_up_at == follow_up
    assert lead.last_contacted_at is not None
    kinds = set(lead.events.values_list("kind", flat=True))
    assert {"status_changed", "assigned", "follow_up_scheduled"} <= kinds
    assert lead.events.filter(actor_label="API key CRM sync").count() == 3


@pytest.mark.django_db
def test_patch_follow_up_creates_then_moves_then_completes_the_follow_up_task() -> None:
    from leads.models import TaskKind
    from leads.services import task_create

    lead = LeadFactory()
    client = api_client("leads:read", "leads:write")
    first = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    moved = first + timedelta(days=1)

    def patch(value: str | None) -> dict:
        response = client.patch(
            f"{URL}{lead.pk}/", {"next_follow_up_at": value}, content_type="application/json"
        )
        assert response.status_code == 200, response.json()
        return response.json()

    patch(first.isoformat())
    body = patch(moved.isoformat())
    task = lead.tasks.get()
    assert task.kind == TaskKind.FOLLOW_UP and task.due_at == moved and task.done_at is None
    assert body["next_follow_up_at"] == moved.isoformat().replace("+00:00", "Z")

    call = task_create(
        lead=lead, title="Call", due_at=moved + timedelta(days=3), actor=None, kind=TaskKind.CALL
    )
    body = patch(None)
    task.refresh_from_db()
    assert task.done_at is not None
    # The call is still open, so it is now the lead's next follow-up.
    assert body["next_follow_up_at"] == call.due_at.isoformat().replace("+00:00", "Z")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "closed_lost"}, "lost_reason"),
        ({"status": "won"}, "status"),
        ({"owner": "nobody"}, "owner"),
        ({}, "non_field_errors"),
        ({"next_follow_up_at": "tomorrow"}, "next_follow_up_at"),
    ],
)
def test_patch_bad_input_is_400(data, field) -> None:
    lead = LeadFactory()
    response = api_client("leads:write").patch(f"{URL}{lead.pk}/", data, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


@pytest.mark.django_db
def test_keys_are_scoped(website) -> None:
    lead = LeadFactory()
    detail = f"{URL}{lead.pk}/"
    assert Client().get(URL).status_code == 401
    assert Client(headers={"Authorization": "Api-Key es_bogus"}).get(URL).status_code == 401
    write_only = api_client("leads:write")
    assert write_only.get(URL).status_code == 403
    read_only = api_client("leads:read")
    assert read_only.get(detail).status_code == 200
    assert (
        read_only.patch(detail, {"status": "contacted"}, content_type="application/json").status_code == 403
    )
    # A publishable site key can create but never read.
    site = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    assert site.get(URL).status_code == 403
    assert site.get(detail).status_code == 403
    # A revoked key stops working at once.
    key, raw = api_key_create(name="old", scopes=["leads:read"])
    api_key_revoke(key=key)
    assert Client(headers={"Authorization": f"Api-Key {raw}"}).get(URL).status_code == 401
    assert Client(headers={"Authorization": "Api-Key "}).get(URL).status_code == 401


@pytest.mark.django_db
def test_unknown_lead_is_404() -> None:
    client = api_client("leads:read")
    assert client.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_openapi_schema_validates(tmp_path) -> None:
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/leads/" in text and "X-Site-Key" in text and "Api-Key" in text
    docs = Client().get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content.lower()


@pytest.mark.django_db
def test_admin_explains_the_score(admin_client, site_client, django_capture_on_commit_callbacks) -> None:
    Fortune500CompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            site_client, email="vp@jpmorganchase.com", job_title="VP of Security", form="demo_request"
        )
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert 93 <= lead.score <= 97
    page = admin_client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert "Why this score" in page
    assert "Fortune 500" in page
    assert "Demo request" in page or "demo" in page.lower()


@pytest.mark.django_db
def test_create_api_key_command_prints_the_key_once_and_stores_a_hash() -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    from enterprise_scanner.api.models import ApiKey

    out = StringIO()
    call_command("create_api_key", "--name", "CRM sync", "--scope", "leads:read", stdout=out)
    raw = next(line for line in out.getvalue().splitlines() if line.startswith("es_"))
    key = ApiKey.objects.get()
    assert raw not in key.key_hash
    assert Client(headers={"Authorization": f"Api-Key {raw}"}).get(URL).status_code == 200
    with pytest.raises(CommandError):
        call_command("create_api_key", "--name", "x", "--scope", "partner", "--partner", "NOPE")
    with pytest.raises(CommandError):
        call_command("create_api_key", "--name", "x", "--scope", "leads:read", "--expires-days", "0")


@pytest.mark.django_db
def test_a_new_submission_is_checked_for_duplicates(site_client, django_capture_on_commit_callbacks) -> None:
    LeadFactory(email="j.doe+old@acme-corp.com", phone="+1 (555) 010-0100")
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(site_client, email="J.Doe@acme-corp.com", phone="555 010 0100")
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    flagged = lead.events.filter(summary__startswith="Possible duplicate of")
    assert flagged.count() == 1
    assert "j.doe+old@acme-corp.com" in flagged.get().summary
