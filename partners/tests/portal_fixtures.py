"""Partners with portal accounts and a few rows each, for the portal tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from analytics.models import Event, EventType, Visitor
from analytics.services import website_create
from leads.models import Lead, LeadStatus
from leads.tests.factories import TEST_PASSWORD, CompanyFactory, LeadFactory
from partners.models import Commission, CommissionStatus, MemberRole, Partner, PartnerMember, PartnerStatus


@dataclass
class PartnerWorld:
    partner: Partner
    member: PartnerMember
    lead: Lead
    won: Lead
    commission: Commission
    company_names: tuple[str, ...]


def partner_user(*, partner: Partner, email: str, role: str = MemberRole.OWNER) -> PartnerMember:
    user = get_user_model().objects.create_user(
        username=email, email=email, password=TEST_PASSWORD, first_name="Pat", last_name="Partner"
    )
    return PartnerMember.objects.create(user=user, partner=partner, role=role)


def partner_world(*, name: str, code: str, email: str) -> PartnerWorld:
    """A partner with one portal owner, an open and a won referred lead, a commission and clicks."""
    partner = Partner.objects.create(name=name, referral_code=code, status=PartnerStatus.ACTIVE)
    member = partner_user(partner=partner, email=email)
    open_company = CompanyFactory(name=f"{name} Prospect Corp")
    won_company = CompanyFactory(name=f"{name} Customer Ltd")
    lead = LeadFactory(
        partner=partner,
        company=open_company,
        email=f"cfo@{code.lower()}-prospect.example",
        phone="+1 555 0100",
    )
    won = LeadFactory(
        partner=partner,
        company=won_company,
        status=LeadStatus.CLOSED_WON,
        actual_deal_value=Decimal("50000"),
        email=f"ciso@{code.lower()}-customer.example",
    )
    commission = Commission.objects.create(
        partner=partner,
        lead=won,
        deal_value=Decimal("50000"),
        rate=Decimal("0.1"),
        amount=Decimal("5000.00"),
        status=CommissionStatus.APPROVED,
        approved_at=timezone.now(),
    )
    website = website_create(name=f"{name} site", allowed_origins=["https://www.example.com"])
    visitor = Visitor.objects.create(website=website, anonymous_id=f"anon-{code}")
    Event.objects.bulk_create(
        [
            Event(
                website=website,
                visitor=visitor,
                event_type=EventType.PAGE_VIEW,
                url=f"https://www.example.com/?ref={code.lower() if i % 2 else code}&utm_source=x",
            )
            for i in range(3)
        ]
    )
    return PartnerWorld(
        partner=partner,
        member=member,
        lead=lead,
        won=won,
        commission=commission,
        company_names=(open_company.name, won_company.name),
    )


def signed_in(client: Client, member: PartnerMember) -> Client:
    """Sign in through the portal's own login page (as a partner would)."""
    response = client.post("/partners/login/", {"username": member.user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client
