"""The partner portal in real Chromium, at 1366×768 and at 390 px (a phone): accept an invitation,
sign in, walk every page, copy the referral link, register a deal (first with mistakes), and see
no Content-Security-Policy violation and no sideways scrolling on the way.

Set SCREENSHOT_DIR to keep a screenshot of each page."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from leads.models import Lead, LeadSource
from leads.tests.factories import TEST_PASSWORD, LeadFactory
from partners.models import MemberRole, PartnerInvite
from partners.portal.services import token_hash
from partners.tests.portal_fixtures import partner_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .map(el => location.pathname + ' ' + el.tagName + '.' + el.className)"""
    )
    assert wide == [], wide
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def test_a_partner_accepts_an_invite_and_walks_the_portal(live_server, page: Page, csp_violations) -> None:
    base = live_server.url
    world = partner_world(name="Acme Security", code="ACME-2026", email="pat@acme.example")
    for status in ("qualified", "proposal", "closed_lost"):
        LeadFactory(partner=world.partner, status=status)
    PartnerInvite.objects.create(
        partner=world.partner,
        email="dana@acme.example",
        role=MemberRole.MEMBER,
        token_hash=token_hash("browser-test-token"),
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.set_viewport_size({"width": 1366, "height": 768})

    # The invitation: a mistake first (passwords differ), then the account.
    page.goto(f"{base}/partners/invite/browser-test-token/")
    expect(page.get_by_role("heading", name="Welcome to the partner portal")).to_be_visible()
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Password", exact=True).fill("Quiet-harbour-lantern-42")
    page.get_by_label("Password again").fill("Quiet-harbour-lantern-43")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Dana")
    shot(page, "portal-invite-error-1366")
    page.get_by_label("Password", exact=True).fill("Quiet-harbour-lantern-42")
    page.get_by_label("Password again").fill("Quiet-harbour-lantern-42")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Your partner portal account is ready")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Sign in as the owner.
    expect(page.get_by_role("heading", name="Partner sign-in")).to_be_visible()
    shot(page, "portal-login-1366")
    page.get_by_label("E-mail").fill("pat@acme.example")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Acme Security")).to_be_visible()
    expect(page.locator("#referral-link")).to_have_value("http://localhost:8000/?ref=ACME-2026")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Copied")).to_be_visible()
    expect(page.locator(".stats dd").first).to_have_text("3")
    no_sideways_scroll(page)
    shot(page, "portal-overview-1366")

    page.get_by_role("link", name="Referred leads").first.click()
    expect(page.get_by_role("heading", name="Referred leads")).to_be_visible()
    expect(page.get_by_role("link", name=world.company_names[0])).to_be_visible()
    assert world.lead.email not in page.content()
    shot(page, "portal-leads-1366")

    page.get_by_role("navigation", name="Partner portal").get_by_role("link", name="Commissions").click()
    expect(page.get_by_role("cell", name="5,000.00")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    assert download.value.suggested_filename.startswith("statement-acme-2026-")
    shot(page, "portal-commissions-1366")

    page.get_by_role("navigation", name="Partner portal").get_by_role("link", name="Register a deal").click()
    page.get_by_label("Company").fill("Northwind Traders")
    page.get_by_label("Contact's work e-mail").fill("not-an-address")
    page.get_by_label("Contact's first name").fill("Noor")
    page.get_by_label("Notes for our sales team").fill("Pilot in Q1.")
    page.get_by_role("button", name="Register the deal").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_label("Notes for our sales team")).to_have_value("Pilot in Q1.")
    shot(page, "portal-deal-errors-1366")
    page.get_by_label("Contact's work e-mail").fill("ciso@northwind.example")
    page.get_by_label("The contact agreed").check()
    page.get_by_role("button", name="Register the deal").click()
    expect(page.get_by_role("heading", name="Deal registered: Northwind Traders")).to_be_visible()
    lead = Lead.objects.get(email="ciso@northwind.example")
    assert lead.partner_id == world.partner.pk and lead.source == LeadSource.PARTNER
    shot(page, "portal-deal-done-1366")

    page.get_by_role("navigation", name="Partner portal").get_by_role("link", name="Team").click()
    expect(page.get_by_role("cell", name="dana@acme.example")).to_be_visible()
    page.get_by_label("Colleague's e-mail").fill("sam@acme.example")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to sam@acme.example.")).to_be_visible()
    shot(page, "portal-team-1366")

    page.get_by_role("navigation", name="Partner portal").get_by_role("link", name="Security").click()
    expect(page.get_by_role("img", name="QR code to add Enterprise Scanner partners")).to_be_visible()
    expect(page.locator("img.qr")).to_have_js_property("complete", True)
    assert page.evaluate("document.querySelector('img.qr').naturalWidth > 0"), "the QR code did not load"
    shot(page, "portal-security-1366")

    # A phone: the same pages, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        ("/partners/", "overview"),
        ("/partners/leads/", "leads"),
        ("/partners/commissions/", "commissions"),
        ("/partners/deals/new/", "deal"),
        ("/partners/team/", "team"),
    ):
        page.goto(base + path)
        shot(page, f"portal-{name}-390")
        no_sideways_scroll(page)
    page.get_by_role("button", name="Sign out").click()
    no_sideways_scroll(page)
    shot(page, "portal-login-390")

    assert csp_violations == []


def test_a_manager_invites_a_partner_from_the_admin(live_server, page: Page) -> None:
    from django.core import mail

    from leads.tests.factories import SalesManagerFactory
    from partners.models import Partner, PartnerStatus

    base = live_server.url
    SalesManagerFactory(username="maria", first_name="Maria")
    partner = Partner.objects.create(
        name="Acme Security",
        referral_code="ACME-2026",
        status=PartnerStatus.ACTIVE,
        contact_email="ops@acme.example",
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/admin/partners/partner/{partner.pk}/change/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Invite to portal").click()
    expect(page.get_by_label("E-mail address")).to_have_value("ops@acme.example")
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    shot(page, "admin-partner-invite-1366")
    page.get_by_label("E-mail address").fill("dana@acme.example")
    page.get_by_role("button", name="Send the invitation").click()
    expect(
        page.get_by_text("Invitation to dana@acme.example queued; the link works for 7 days")
    ).to_be_visible()
    invited = page.locator("td", has_text="dana@acme.example").last
    invited.scroll_into_view_if_needed()
    expect(invited).to_be_visible()
    shot(page, "admin-partner-portal-inlines-1366")
    invite = PartnerInvite.objects.get()
    assert invite.sent_at is not None and invite.invited_by.username == "maria"
    assert [m.to for m in mail.outbox] == [["dana@acme.example"]]
