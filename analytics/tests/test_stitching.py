"""Identity stitching through the public APIs: a visitor browses anonymously, then identifies
with a form; Mautic's three bugs (#16425 known lead wins, #11612 UTMs kept, #5495 two e-mails
from one browser never merge) as scenarios."""

from __future__ import annotations

import pytest
from django.test import Client

from analytics.models import Visitor
from analytics.services import website_create
from assessments.models import RoiCalculation
from chat.models import Conversation
from leads.models import Lead, LeadEventKind
from leads.tests.factories import LeadFactory
from partners.models import Partner, PartnerStatus

pytestmark = pytest.mark.django_db

ORIGIN = "https://www.enterprisescanner.com"
VISITOR = "v-aaaabbbbccccdddd"


@pytest.fixture
def website(db):
    return website_create(name="Marketing site", allowed_origins=[ORIGIN])


@pytest.fixture
def client(website) -> Client:
    return Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})


def browse(client: Client, *paths: str, visitor: str = VISITOR, **extra) -> None:
    events = [{"type": "page_view", "url": f"{ORIGIN}{path}", **extra} for path in paths]
    response = client.post(
        "/api/v1/events/",
        {
            "visitor_id": visitor,
            "events": events,
            **({"referral_code": extra.pop("ref")} if "ref" in extra else {}),
        },
        content_type="application/json",
    )
    assert response.status_code == 202, response.content


def submit(client: Client, email: str, visitor: str = VISITOR, **data) -> Lead:
    response = client.post(
        "/api/v1/leads/",
        {"email": email, "visitor_id": visitor, "form": "demo_request", **data},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    return Lead.objects.get(pk=response.json()["lead_id"])


def test_earlier_anonymous_activity_is_linked_when_the_visitor_fills_a_form(client, website) -> None:
    browse(client, "/", "/pricing", "/integrations")
    roi = client.post(
        "/api/v1/roi/",
        {
            "employees": 5000,
            "annual_security_budget": "2000000",
            "industry": "financial",
            "region": "us",
            "visitor_id": VISITOR,
        },
        content_type="application/json",
    )
    assert roi.status_code == 201, roi.content
    visitor = Visitor.objects.get(anonymous_id=VISITOR)
    chat = Conversation.objects.create(website=website, visitor=visitor, token_hash="0" * 64)

    lead = submit(client, "jordan@acme-corp.example")

    visitor.refresh_from_db()
    chat.refresh_from_db()
    assert visitor.lead == lead and lead.visitor == visitor
    assert chat.lead == lead
    assert RoiCalculation.objects.get().lead == lead
    entry = lead.events.get(kind=LeadEventKind.PAGE_VIEWS)
    assert "3 page view(s)" in entry.summary and "1 chat(s)" in entry.summary
    assert "1 ROI calculation(s)" in entry.summary


def test_utms_of_the_first_touch_are_kept_on_the_lead(client) -> None:
    """Mautic #11612: UTM tags were lost when an anonymous visitor was identified."""
    browse(client, "/", utm_source="linkedin", utm_medium="paid", utm_campaign="f500-q4")
    browse(client, "/pricing", utm_source="newsletter")  # a later touch never replaces the first
    lead = submit(client, "sam@acme-corp.example")
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("linkedin", "paid", "f500-q4")


def test_the_known_lead_wins(client) -> None:
    """Mautic #16425: identifying must fold the anonymous visitor into the known contact, never
    replace the known contact's data with the anonymous one's."""
    known = LeadFactory(email="alex@acme-corp.example", first_name="Alex", utm_source="partner-webinar")
    browse(client, "/", utm_source="google")
    lead = submit(client, "ALEX@acme-corp.example", first_name="Somebody")
    assert lead.pk == known.pk and Lead.objects.count() == 1
    lead.refresh_from_db()
    assert lead.first_name == "Alex" and lead.utm_source == "partner-webinar"
    assert Visitor.objects.get(anonymous_id=VISITOR).lead == known


def test_two_emails_from_one_browser_never_merge_two_people(client) -> None:
    """Mautic #5495: a shared browser identified twice merged two different people."""
    browse(client, "/", "/pricing")
    first = submit(client, "pat@acme-corp.example")
    second = submit(client, "chris@other-corp.example")
    assert first.pk != second.pk
    visitor = Visitor.objects.get(anonymous_id=VISITOR)
    assert visitor.lead == first  # the browser's history stays with the first person
    second.refresh_from_db()
    assert second.visitor_id is None
    assert second.events.filter(
        kind=LeadEventKind.PAGE_VIEWS, summary__contains="already linked to another lead"
    ).exists()
    first.refresh_from_db()
    assert first.email == "pat@acme-corp.example"


def test_a_partner_link_visited_before_the_form_credits_the_partner(client) -> None:
    partner = Partner.objects.create(
        name="Acme Partners", referral_code="ACME-2026", status=PartnerStatus.ACTIVE
    )
    Partner.objects.create(name="Late Partner", referral_code="LATE-1", status=PartnerStatus.ACTIVE)
    browse(client, "/", ref="acme-2026")
    lead = submit(client, "kim@acme-corp.example", referral_code="LATE-1")
    lead.refresh_from_db()
    assert lead.partner == partner  # first touch (the link) wins over the later form code
    summaries = list(lead.events.filter(kind=LeadEventKind.REFERRED).values_list("summary", flat=True))
    assert "Referred by Acme Partners" in summaries
    assert any("first referrer keeps the lead" in s for s in summaries)


def test_company_attribution_through_the_stitched_lead(client) -> None:
    browse(client, "/")
    lead = submit(client, "lee@jpmorganchase.com")
    visitor = Visitor.objects.get(anonymous_id=VISITOR)
    assert visitor.company == lead.company and visitor.company.domain == "jpmorganchase.com"
