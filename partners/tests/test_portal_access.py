"""Who may use the partner portal, and that a partner sees only its own rows on every URL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leads.tests.factories import TEST_PASSWORD, LeadFactory, SalesManagerFactory, UserFactory
from partners.tests.portal_fixtures import PartnerWorld, partner_world, signed_in

pytestmark = pytest.mark.django_db


def month_of(world: PartnerWorld) -> str:
    return f"{timezone.localtime(world.commission.created_at):%Y-%m}"


def page_urls(world: PartnerWorld) -> list[str]:
    """Every portal page a member can open, with this world's own ids in it."""
    month = month_of(world)
    return [
        reverse("partner-portal:overview"),
        reverse("partner-portal:leads"),
        reverse("partner-portal:lead", args=[world.lead.pk]),
        reverse("partner-portal:lead", args=[world.won.pk]),
        reverse("partner-portal:commissions"),
        reverse("partner-portal:statement", args=[month, "csv"]),
        reverse("partner-portal:statement", args=[month, "pdf"]),
        reverse("partner-portal:deal"),
        reverse("partner-portal:team"),
        reverse("partner-portal:security"),
        reverse("partner-portal:security-qr"),
    ]


PAGE_NAMES = [
    "overview",
    "leads",
    "lead-open",
    "lead-won",
    "commissions",
    "csv",
    "pdf",
    "deal",
    "security",
    "qr",
]


@pytest.mark.parametrize("index", range(len(PAGE_NAMES)), ids=PAGE_NAMES)
def test_anonymous_visitors_are_sent_to_the_portal_sign_in(client: Client, world_a, index: int) -> None:
    url = page_urls(world_a)[index]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("partner-portal:login") + "?next=")


@pytest.mark.parametrize("index", range(len(PAGE_NAMES)), ids=PAGE_NAMES)
def test_staff_are_refused_even_when_signed_in_to_the_admin(client: Client, world_a, index: int) -> None:
    client.force_login(SalesManagerFactory(username="manager"))
    response = client.get(page_urls(world_a)[index])
    assert response.status_code == 403
    assert b"not a partner portal account" in response.content


def test_the_sign_in_redirect_keeps_the_page_asked_for(client: Client) -> None:
    response = client.get("/partners/")
    assert response["Location"] == "/partners/login/?next=/partners/"


def test_a_user_without_membership_is_refused(client: Client, world_a) -> None:
    client.force_login(UserFactory(username="someone", is_staff=False))
    response = client.get(reverse("partner-portal:overview"))
    assert response.status_code == 403


def test_staff_cannot_sign_in_on_the_portal(client: Client, world_a) -> None:
    staff = SalesManagerFactory(username="manager")
    response = client.post(
        reverse("partner-portal:login"), {"username": "manager", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "This sign-in is for partner accounts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert staff.is_staff


def test_a_partner_user_can_never_reach_the_admin(client: Client, world_a) -> None:
    user = world_a.member.user
    assert user.is_staff is False and user.is_superuser is False
    signed_in(client, world_a.member)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.get(reverse("admin:partners_partner_changelist"))
    assert response.status_code == 302
    # And the admin's own sign-in refuses the partner's (correct) password.
    response = Client().post(
        reverse("admin:login"), {"username": user.username, "password": TEST_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session


@pytest.mark.parametrize("index", range(len(PAGE_NAMES)), ids=PAGE_NAMES)
def test_partner_a_never_sees_partner_b_rows(client: Client, world_a, world_b, index: int) -> None:
    signed_in(client, world_a.member)
    own = client.get(page_urls(world_a)[index])
    assert own.status_code == 200
    theirs = client.get(page_urls(world_b)[index])
    # Pages without ids are A's own pages again; B's lead ids are 404; B's statement month is A's.
    assert theirs.status_code in (200, 404)
    for response in (own, theirs):
        body = response.content
        for name in (*world_b.company_names, world_b.partner.name, world_b.partner.referral_code):
            assert name.encode() not in body


def test_the_lead_pages_of_another_partner_are_404(client: Client, world_a, world_b) -> None:
    signed_in(client, world_a.member)
    for lead in (world_b.lead, world_b.won):
        assert client.get(reverse("partner-portal:lead", args=[lead.pk])).status_code == 404
    unattributed = LeadFactory()
    assert client.get(reverse("partner-portal:lead", args=[unattributed.pk])).status_code == 404


def test_lists_show_company_and_status_but_no_contact_details(client: Client, world_a) -> None:
    signed_in(client, world_a.member)
    body = client.get(reverse("partner-portal:leads")).content.decode()
    assert world_a.company_names[0] in body and "Closed won" in body
    for lead in (world_a.lead, world_a.won):
        for private in (lead.email, lead.first_name, lead.last_name, lead.phone):
            if private:
                assert private not in body
    detail = client.get(reverse("partner-portal:lead", args=[world_a.lead.pk])).content.decode()
    assert world_a.lead.email not in detail and world_a.lead.last_name not in detail


def test_overview_counts_clicks_leads_won_and_commissions(client: Client, world_a, world_b) -> None:
    signed_in(client, world_a.member)
    response = client.get(reverse("partner-portal:overview"))
    context = response.context
    assert context["clicks"] == {"all": 3, "recent": 3}  # ?ref=acme-2026 counts too; BOLT-7's do not
    assert context["lead_totals"] == {"leads": 2, "won": 1}
    assert ("Approved", world_a.commission.amount) in context["commission_totals"]
    assert "http://localhost:8000/?ref=ACME-2026" in response.content.decode() or "?ref=ACME-2026" in (
        response.content.decode()
    )


def test_a_longer_code_starting_with_the_same_letters_is_not_counted(client: Client, db) -> None:
    short = partner_world(name="Ace", code="ACE", email="a@ace.example")
    partner_world(name="Ace Two", code="ACE-2", email="b@ace2.example")
    signed_in(client, short.member)
    assert client.get(reverse("partner-portal:overview")).context["clicks"]["all"] == 3


# Queries: session, user, membership+partner, then the page's own (fixed whatever the row count).
MAX_QUERIES = {"overview": 7, "leads": 6, "commissions": 7, "deal": 4, "team": 6, "security": 6}


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("name", MAX_QUERIES)
def test_pages_have_fixed_query_counts(
    client: Client, world_a, django_assert_max_num_queries, name: str, rows: int
) -> None:
    for _ in range(rows):
        LeadFactory(partner=world_a.partner)
    signed_in(client, world_a.member)
    client.get(reverse(f"partner-portal:{name}"))  # first visit creates the pending 2FA device
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        response = client.get(reverse(f"partner-portal:{name}"))
    assert response.status_code == 200


def test_pages_send_the_strict_content_security_policy(client: Client, world_a) -> None:
    signed_in(client, world_a.member)
    response = client.get(reverse("partner-portal:overview"))
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-eval" not in script_src and "unsafe-inline" not in script_src
    body = response.content.decode()
    assert "<script>" not in body and "style=" not in body and "<style" not in body


def test_every_post_needs_a_csrf_token(world_a) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world_a.member.user)
    session = client.session
    session["portal_no_2fa"] = True
    session.save()
    for name in ("deal", "security"):
        assert client.post(reverse(f"partner-portal:{name}"), {}).status_code == 403
    assert client.post(reverse("partner-portal:login"), {}).status_code == 403
