"""Deal registration through lead intake, and statements downloaded from the portal."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from leads.models import Lead, LeadEventKind, LeadSource
from leads.services import lead_rescore
from leads.tests.factories import LeadFactory
from partners.models import Partner, PartnerStatus
from partners.tests.portal_fixtures import signed_in

pytestmark = pytest.mark.django_db

DEAL = {
    "company": "Northwind Traders",
    "email": "ciso@northwind.example",
    "first_name": "Noor",
    "last_name": "Haddad",
    "job_title": "CISO",
    "notes": "Wants a pilot in Q1; 4,000 employees.",
    "consent": "on",
}


def test_registering_a_deal_creates_an_attributed_lead(client: Client, world_a) -> None:
    signed_in(client, world_a.member)
    response = client.post(reverse("partner-portal:deal"), DEAL)
    assert response.status_code == 302 and response["Location"] == reverse("partner-portal:deal-done")
    lead = Lead.objects.get(email="ciso@northwind.example")
    assert lead.partner == world_a.partner and lead.source == LeadSource.PARTNER
    assert lead.company_name == "Northwind Traders" and lead.message.startswith("Wants a pilot")
    submitted = lead.events.get(kind=LeadEventKind.SUBMITTED)
    assert submitted.actor_label == "partner portal: Acme Security (pat@acme.example)"
    assert lead.events.filter(kind=LeadEventKind.REFERRED, summary="Referred by Acme Security").exists()
    # The registration is engagement the score explains, like a demo request or an assessment.
    lead = lead_rescore(lead_id=lead.pk)  # what the intake job does after commit
    reasons = [part["label"] for part in lead.score_breakdown["engagement"]["parts"]]
    assert any(reason.startswith("Deal registered by a partner") for reason in reasons), reasons

    done = client.get(response["Location"]).content.decode()
    assert "Deal registered: Northwind Traders" in done and "credited to Acme Security" in done
    listed = client.get(reverse("partner-portal:leads")).content.decode()
    assert "Northwind Traders" in listed


def test_bad_input_shows_errors_per_field_and_keeps_everything(client: Client, world_a) -> None:
    signed_in(client, world_a.member)
    bad = {**DEAL, "email": "not-an-address", "company": ""}
    del bad["consent"]
    response = client.post(reverse("partner-portal:deal"), bad)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address" in body and "This field is required" in body
    assert "Confirm the contact agreed to be contacted" in body
    assert 'value="Noor"' in body and 'value="Haddad"' in body and "Wants a pilot in Q1" in body
    assert 'value="not-an-address"' in body
    assert not Lead.objects.filter(first_name="Noor").exists()


def test_a_contact_another_partner_referred_first_stays_theirs(client: Client, world_a, world_b) -> None:
    signed_in(client, world_a.member)
    known = world_b.lead
    response = client.post(
        reverse("partner-portal:deal"), {**DEAL, "email": known.email.upper()}, follow=True
    )
    body = response.content.decode()
    assert "not credited to you automatically" in body and world_b.partner.name not in body
    known.refresh_from_db()
    assert known.partner == world_b.partner
    assert known.events.filter(
        kind=LeadEventKind.SUBMITTED, data__message__startswith="Wants a pilot"
    ).exists()
    assert known.events.filter(data__ignored_partner=world_a.partner.pk).exists()
    assert Lead.objects.filter(email__iexact=known.email).count() == 1


def test_registering_an_unattributed_known_contact_credits_the_partner(client: Client, world_a) -> None:
    known = LeadFactory(email="it@known.example")
    signed_in(client, world_a.member)
    body = client.post(reverse("partner-portal:deal"), {**DEAL, "email": "it@known.example"}, follow=True)
    assert "we already knew this contact" in body.content.decode()
    known.refresh_from_db()
    assert known.partner == world_a.partner


def test_a_pending_partner_cannot_register_deals_and_loses_nothing(client: Client, world_a) -> None:
    signed_in(client, world_a.member)
    Partner.objects.filter(pk=world_a.partner.pk).update(status=PartnerStatus.PENDING)
    response = client.post(reverse("partner-portal:deal"), DEAL)
    body = response.content.decode()
    assert response.status_code == 200 and "not active yet" in body and 'value="Noor"' in body
    assert not Lead.objects.filter(email="ciso@northwind.example").exists()


def test_deal_done_without_a_registration_goes_to_the_form(client: Client, world_a) -> None:
    signed_in(client, world_a.member)
    response = client.get(reverse("partner-portal:deal-done"))
    assert response["Location"] == reverse("partner-portal:deal")


def test_statements_are_the_partners_own(client: Client, world_a, world_b) -> None:
    signed_in(client, world_a.member)
    month = f"{timezone.localtime(world_a.commission.created_at):%Y-%m}"
    page = client.get(reverse("partner-portal:commissions")).content.decode()
    assert reverse("partner-portal:statement", args=[month, "csv"]) in page

    response = client.get(reverse("partner-portal:statement", args=[month, "csv"]))
    assert response["Content-Disposition"] == f'attachment; filename="statement-acme-2026-{month}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    companies = [row[1] for row in rows[2:] if not row[0].startswith("Total")]
    assert companies == [world_a.company_names[1]]

    response = client.get(reverse("partner-portal:statement", args=[month, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert (
        "Acme Security" in text and world_b.partner.name not in text and world_b.company_names[1] not in text
    )


@pytest.mark.parametrize("path", ["2026-13.csv", "2026-00.pdf", "2026-01.xls", "26-01.csv"])
def test_bad_statement_addresses_are_404(client: Client, world_a, path: str) -> None:
    signed_in(client, world_a.member)
    assert client.get(f"/partners/statements/{path}").status_code == 404
