"""The assessment and ROI API as the website uses them: every response code, tokens, engagement."""

from __future__ import annotations

import pytest
from django.test import Client

from analytics.models import Event, EventType, Visitor
from assessments.models import RoiCalculation, SecurityAssessment
from enterprise_scanner.api.throttles import SiteIpThrottle
from leads.models import Lead, LeadEventKind, LeadSource
from leads.services import lead_rescore
from leads.tests.factories import CompanyFactory

from .conftest import ORIGIN

pytestmark = pytest.mark.django_db
URL = "/api/v1/assessments/"
ROI_URL = "/api/v1/roi/"


@pytest.fixture
def site_client(website) -> Client:
    return Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})


def request_assessment(client: Client, **data):
    payload = {"email": "ciso@acme-corp.com", "target_url": "https://www.acme-corp.com/", **data}
    return client.post(URL, payload, content_type="application/json")


def test_own_domain_is_queued_and_linked_to_the_lead(site_client, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # scans are not run here
        response = request_assessment(site_client, first_name="Ada", job_title="CISO")
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"assessment_id", "status", "status_url"}
    assert body["status"] == "queued"
    assert callbacks  # the scan (and the lead re-score) are enqueued after commit
    assessment = SecurityAssessment.objects.get(pk=body["assessment_id"])
    assert assessment.target_url == "https://www.acme-corp.com/"
    assert assessment.target_host == "www.acme-corp.com"
    lead = assessment.lead
    assert lead.email == "ciso@acme-corp.com" and lead.source == LeadSource.ASSESSMENT
    assert lead.events.filter(kind=LeadEventKind.ASSESSMENT).exists()
    token = body["status_url"].split("token=", 1)[1]
    assert token not in assessment.access_token_hash and len(assessment.access_token_hash) == 64


def test_a_known_visitor_gets_an_analytics_event(site_client) -> None:
    request_assessment(site_client, visitor_id="visitor-abcdef12")
    event = Event.objects.get(event_type=EventType.ASSESSMENT_REQUESTED)
    assert event.visitor.anonymous_id == "visitor-abcdef12"
    assert event.visitor.lead == Lead.objects.get()
    assert event.data["target_host"] == "www.acme-corp.com"


def test_alias_domain_of_the_company_counts_as_own(site_client) -> None:
    company = CompanyFactory(domain="acme-corp.com")
    company.alias_domains.create(domain="acme.io")
    response = request_assessment(site_client, target_url="acme.io")
    assert response.json()["status"] == "queued"


def test_foreign_or_webmail_targets_wait_for_staff_approval(site_client) -> None:
    assert (
        request_assessment(site_client, target_url="https://www.bank.example.com").json()["status"]
        == "pending_approval"
    )
    webmail = request_assessment(site_client, email="someone@gmail.com", target_url="https://gmail.com/")
    assert webmail.json()["status"] == "pending_approval"


def test_status_needs_the_right_token(site_client) -> None:
    body = request_assessment(site_client).json()
    public = Client()
    ok = public.get(body["status_url"])
    assert ok.status_code == 200
    data = ok.json()
    assert (
        data["status"] == "queued"
        and data["findings"] == []
        and data["grade"] == ""
        and data["report_url"] is None
    )
    base = body["status_url"].split("?", 1)[0]
    assert public.get(base).status_code == 404
    assert public.get(base + "?token=wrong").status_code == 404
    other = (
        "/api/v1/assessments/00000000-0000-0000-0000-000000000000/?token="
        + body["status_url"].split("token=")[1]
    )
    assert public.get(other).status_code == 404
    assert (
        public.get(
            base.replace("/?", "/") + "report.pdf?token=" + body["status_url"].split("token=")[1]
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://acme-corp.com/", "http and https"),
        ("https://acme-corp.com:8443/", "Port 8443"),
        ("https://user:pw@acme-corp.com/", "user name"),
        ("http://127.0.0.1/", "loopback"),
        ("http://169.254.169.254/", "link-local"),
        ("http://10.0.0.8/", "private"),
        ("intranet", "public address"),
        ("", "blank"),
    ],
)
def test_targets_we_will_not_scan_are_400(site_client, target: str, message: str) -> None:
    response = request_assessment(site_client, target_url=target)
    assert response.status_code == 400
    assert message in str(response.json()["target_url"])
    assert not SecurityAssessment.objects.exists()


#: Loopback and other non-public targets in the spellings a resolver or browser accepts (issue 12).
DISGUISED_TARGETS = [
    ("http://0177.0.0.1/", "loopback"),  # octal
    ("http://0x7f.0.0.1/", "loopback"),  # hex
    ("http://0x7F000001/", "loopback"),
    ("http://127.1/", "loopback"),  # inet_aton's short forms
    ("http://127.0.1/", "loopback"),
    ("http://2130706433/", "loopback"),  # one 32-bit number
    ("http://017700000001/", "loopback"),
    ("http://１２７.０.０.１/", "loopback"),  # full-width digits
    ("http://127。0。0。1/", "loopback"),  # ideographic full stops
    ("http://127．0．0．1/", "loopback"),  # full-width full stops
    ("http://127.0.0.1./", "loopback"),  # trailing dot
    ("https://[::1]/", "loopback"),
    ("https://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped IPv6
    ("https://[::ffff:a9fe:a9fe]/", "link-local"),
    ("https://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64 of 169.254.169.254
    ("https://[fe80::1%25eth0]/", "link-local"),
    ("http://0/", "private"),
    ("http://0.0.0.0/", "private"),
    ("http://0xa9fea9fe/", "link-local"),  # 169.254.169.254, the metadata service
    ("http://0251.0376.0251.0376/", "link-local"),
    ("http://10.1/", "private"),
    ("http://192.168.1/", "private"),
    ("http://100.64.0.1/", "not a public"),
    ("http://localhost/", "local name"),
    ("http://LOCALHOST./", "local name"),
    ("http://admin.localhost/", "local name"),
    ("http://ｌｏｃａｌｈｏｓｔ/", "local name"),
    ("http://printer.local/", "local name"),
    ("http://db.internal/", "local name"),
    ("http://256.0.0.1/", "not a valid IPv4"),
    ("http://1.2.3.4.5/", "not a valid IPv4"),
    ("http://08.0.0.1/", "not a valid IPv4"),
    ("https://www.acme-corp.com:８４４３/", "port"),
    ("https://www.acme-corp.com:22/", "Port 22"),
    ("https://exa mple.com/", "not a valid host name"),
    ("https://[::1/", "not a valid URL"),
]


@pytest.mark.parametrize(("target", "message"), DISGUISED_TARGETS)
def test_non_public_targets_in_any_spelling_are_400_at_intake(site_client, target: str, message: str) -> None:
    response = request_assessment(site_client, target_url=target)
    assert response.status_code == 400, (target, response.json())
    assert message in str(response.json()["target_url"])
    assert not SecurityAssessment.objects.exists()


@pytest.mark.parametrize(
    ("target", "stored"),
    [
        ("https://ＷＷＷ.acme-corp.com/", "www.acme-corp.com"),
        ("https://www.acme-corp.com./", "www.acme-corp.com"),
        ("https://www。acme-corp。com/", "www.acme-corp.com"),
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("https://93.184.215.14/", "93.184.215.14"),
    ],
)
def test_public_targets_are_stored_as_the_resolver_reads_them(site_client, target: str, stored: str) -> None:
    response = request_assessment(site_client, target_url=target)
    assert response.status_code == 202, response.json()
    assert SecurityAssessment.objects.get().target_host == stored


def test_the_schema_documents_the_refused_targets() -> None:
    schema = Client().get("/api/schema/?format=json").json()
    target = schema["components"]["schemas"]["AssessmentRequestInput"]["properties"]["target_url"]
    for words in ("loopback", "private", "localhost", "0177.0.0.1", "80 and 443"):
        assert words in target["description"]
    assert "400" in schema["paths"]["/api/v1/assessments/"]["post"]["responses"]


def test_bad_lead_fields_are_400_and_need_a_site_key(site_client) -> None:
    assert request_assessment(site_client, email="not-an-email").status_code == 400
    assert request_assessment(site_client, website="i am a bot").status_code == 400
    assert request_assessment(Client()).status_code in (401, 403)
    assert (
        request_assessment(Client(headers={"X-Site-Key": "pk_unknown", "Origin": ORIGIN})).status_code == 401
    )


def test_per_domain_rate_limit(site_client, settings) -> None:
    settings.ASSESSMENT_DOMAIN_RATE_LIMIT_PER_HOUR = 2
    assert request_assessment(site_client).status_code == 202
    assert request_assessment(site_client, email="cto@acme-corp.com").status_code == 202
    third = request_assessment(site_client, email="ceo@acme-corp.com")
    assert third.status_code == 429
    assert third["Retry-After"] == "3600"
    assert SecurityAssessment.objects.count() == 2
    # The limit is per registrable domain: other hosts of it count too, other domains do not.
    assert request_assessment(site_client, target_url="https://shop.acme-corp.com/").status_code == 429
    assert request_assessment(site_client, target_url="https://www.acme.io/").status_code == 202


# --- ROI ----------------------------------------------------------------------------------------------


def roi(client: Client, **data):
    payload = {
        "employees": 5000,
        "annual_security_budget": "2500000",
        "industry": "financial",
        "region": "us",
        **data,
    }
    return client.post(ROI_URL, payload, content_type="application/json")


def test_roi_uses_the_cited_figures(site_client) -> None:
    response = roi(site_client)
    assert response.status_code == 201
    out = response.json()["outputs"]
    # US 2025 average (10.22M) × financial/all-industry 2024 (6.08/4.88) = 12,733,115
    assert out["estimated_breach_cost"] == 12_733_115
    assert out["annual_breach_likelihood"] == 0.20
    assert out["expected_annual_exposure"] == 2_546_623  # × 20% (model assumption, 1,000–9,999 staff)
    assert out["potential_savings_per_breach"] == 5_448_855  # 1.9M × 12.73M / 4.44M
    assert out["exposure_involving"]["ransomware"] == 1_120_514  # DBIR 2025: 44%
    assert out["security_budget_per_employee"] == 500
    assert any("Cost of a Data Breach Report 2025" in source for source in out["sources"])
    calculation = RoiCalculation.objects.get()
    assert calculation.inputs["industry"] == "financial" and calculation.lead is None


def test_global_average_is_used_outside_the_us(site_client) -> None:
    out = roi(site_client, industry="other", region="other", employees=50).json()["outputs"]
    assert out["estimated_breach_cost"] == 4_440_000
    assert out["potential_savings_per_breach"] == 1_900_000


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("employees", 0),
        ("employees", -5),
        ("employees", "many"),
        ("employees", 10_000_001),
        ("annual_security_budget", "-1"),
        ("annual_security_budget", "abc"),
        ("annual_security_budget", "99999999999"),  # $100bn for 5,000 people
        ("industry", "piracy"),
        ("region", "mars"),
        ("visitor_id", "x"),
    ],
)
def test_nonsense_roi_inputs_are_400(site_client, field: str, value: object) -> None:
    response = roi(site_client, **{field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert not RoiCalculation.objects.exists()


def test_roi_of_a_known_visitor_goes_on_the_lead_timeline(
    site_client, website, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        site_client.post(
            "/api/v1/leads/",
            {"email": "ciso@acme-corp.com", "visitor_id": "visitor-123456", "form": "contact"},
            content_type="application/json",
        )
        response = roi(site_client, visitor_id="visitor-123456")
    assert response.status_code == 201
    lead = Lead.objects.get()
    calculation = RoiCalculation.objects.get()
    assert calculation.lead == lead and calculation.visitor.anonymous_id == "visitor-123456"
    assert lead.events.filter(kind=LeadEventKind.ROI_CALCULATION).exists()
    assert Event.objects.filter(event_type=EventType.ROI_CALCULATION, visitor__lead=lead).exists()
    lead.refresh_from_db()
    assert any(
        part.get("kind") == "roi_calculation" or "ROI" in str(part)
        for part in lead.score_breakdown["engagement"]["parts"]
    )


def test_roi_of_an_anonymous_visitor_is_an_analytics_event_only(site_client) -> None:
    assert roi(site_client, visitor_id="anon-visitor-1").status_code == 201
    visitor = Visitor.objects.get(anonymous_id="anon-visitor-1")
    assert visitor.lead is None
    assert Event.objects.filter(visitor=visitor, event_type=EventType.ROI_CALCULATION).count() == 1
    assert RoiCalculation.objects.get().visitor == visitor


def test_one_assessment_request_counts_once_in_the_lead_score(site_client) -> None:
    """The request is both an 'assessment' form submission and an assessment row: the score's
    engagement must count it once ("Requested a security assessment"), not twice. (The re-score
    task is run directly: running all on-commit callbacks would start the scans.)"""
    request_assessment(site_client, first_name="Ada", job_title="Office assistant")
    lead = lead_rescore(lead_id=Lead.objects.get().pk)
    parts = {part["factor"]: part for part in lead.score_breakdown["engagement"]["parts"]}
    assert parts["assessment"]["label"].startswith("Requested a security assessment")
    request_assessment(site_client, target_url="https://shop.acme-corp.com/")
    lead = lead_rescore(lead_id=lead.pk)
    parts = {part["factor"]: part for part in lead.score_breakdown["engagement"]["parts"]}
    assert parts["assessment"]["label"].startswith("Requested 2 security assessments")


def test_status_polling_has_its_own_limit_and_leaves_the_forms_alone(site_client, monkeypatch) -> None:
    rates = {**SiteIpThrottle.THROTTLE_RATES, "site_ip": "2/min", "status_ip": "3/min"}
    monkeypatch.setattr(SiteIpThrottle, "THROTTLE_RATES", rates)
    status_url = request_assessment(site_client).json()["status_url"]  # 1 of 2 form posts
    polls = [Client().get(status_url).status_code for _ in range(4)]
    assert polls == [200, 200, 200, 429]
    assert request_assessment(site_client, target_url="https://shop.acme-corp.com/").status_code == 202
