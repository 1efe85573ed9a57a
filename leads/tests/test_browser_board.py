"""The pipeline board in real Chromium at 1366×768: a rep drags a card and the lead's timeline
shows the move; a move to Closed lost asks the reason; a refused move snaps back with the
reason; the "Move to…" menu works from the keyboard; a manager's filters narrow the board.
Screenshots go to /work/shots/board/ (or $SHOTS_DIR) for the issue note."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from leads.models import Lead, LeadEventKind, LeadStatus
from leads.services import task_create
from leads.tests.factories import (
    TEST_PASSWORD,
    CompanyFactory,
    Fortune500CompanyFactory,
    LeadFactory,
    SalesManagerFactory,
    SalesRepFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots/board"))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def log_in(page: Page, base: str, username: str, path: str = "/admin/leads/lead/board/") -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}{path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#board")).to_be_visible()


def card(page: Page, lead: Lead):
    return page.locator(f".board-card[data-lead='{lead.pk}']")


def column(page: Page, status: str):
    return page.locator(f".board-col-body[data-status='{status}']")


def a_pipeline(rep, other) -> dict[str, Lead]:
    """A believable board: a few leads per stage, Fortune 500 and not, some unassigned."""
    jpm = Fortune500CompanyFactory()
    leads = {
        "jordan": LeadFactory(
            first_name="Jordan",
            last_name="Lee",
            email="jordan.lee@jpmorganchase.com",
            company=jpm,
            is_fortune_500=True,
            score=95,
            owner=rep,
            status=LeadStatus.QUALIFIED,
            estimated_deal_value=Decimal("450000"),
        ),
        "casey": LeadFactory(
            first_name="Casey",
            last_name="Nguyen",
            company=CompanyFactory(name="Northwind Health", domain="northwind.example"),
            score=72,
            owner=None,
            status=LeadStatus.NEW,
            estimated_deal_value=Decimal("60000"),
        ),
        "robin": LeadFactory(
            first_name="Robin",
            last_name="Buyer",
            company=CompanyFactory(name="Globex", domain="globex.example"),
            score=64,
            owner=rep,
            status=LeadStatus.PROPOSAL,
            estimated_deal_value=Decimal("120000"),
        ),
        "sam": LeadFactory(
            first_name="Sam",
            last_name="Ortiz",
            company=CompanyFactory(name="Initech", domain="initech.example"),
            score=38,
            owner=rep,
            status=LeadStatus.CONTACTED,
            estimated_deal_value=Decimal("25000"),
        ),
        "alex": LeadFactory(
            first_name="Alex",
            last_name="Morgan",
            company=CompanyFactory(name="Umbrella Corp", domain="umbrella.example"),
            score=81,
            owner=other,
            status=LeadStatus.DEMO_SCHEDULED,
            estimated_deal_value=Decimal("300000"),
        ),
    }
    now = timezone.now()
    task_create(
        lead=leads["jordan"], title="Send the security review", due_at=now + timedelta(days=2), actor=rep
    )
    task_create(
        lead=leads["robin"], title="Call back about budget", due_at=now - timedelta(days=3), actor=rep
    )
    task_create(lead=leads["alex"], title="Demo with the CISO", due_at=now + timedelta(days=1), actor=other)
    return leads


def test_a_rep_drags_a_card_and_the_timeline_shows_the_move(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    leads = a_pipeline(rep, SalesRepFactory(username="lee"))
    jordan = leads["jordan"]

    log_in(page, live_server.url, "dana")
    expect(card(page, leads["alex"])).to_have_count(0)  # another rep's lead
    expect(column(page, "qualified")).to_contain_text("Jordan Lee")
    expect(card(page, jordan)).to_contain_text("F500 #11")
    expect(card(page, jordan)).to_contain_text("Send the security review")
    expect(card(page, leads["robin"]).locator(".board-overdue")).to_have_text("Overdue")
    shot(page, "board-rep-1366")

    card(page, jordan).drag_to(column(page, "contacted"))

    expect(page.locator("#board-status")).to_have_text("Jordan Lee moved to Contacted.")
    expect(column(page, "contacted").locator(f"[data-lead='{jordan.pk}']")).to_be_visible()
    expect(page.locator("[data-col='contacted'] [data-count]")).to_have_text("2")
    expect(page.locator("[data-col='qualified'] [data-count]")).to_have_text("0")
    expect(page.locator("[data-col='qualified'] .board-empty")).to_be_visible()
    shot(page, "board-rep-after-drag")
    jordan.refresh_from_db()
    assert jordan.status == LeadStatus.CONTACTED

    card(page, jordan).get_by_role("link", name="Jordan Lee").click()
    expect(page.locator("#crm-timeline")).to_contain_text("Status Qualified → Contacted")
    assert jordan.events.get(kind=LeadEventKind.STATUS_CHANGED).actor == rep


def test_moving_to_closed_lost_asks_the_reason_and_saves_it(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    robin = a_pipeline(rep, SalesRepFactory(username="lee"))["robin"]

    log_in(page, live_server.url, "dana")
    card(page, robin).drag_to(page.locator(".board-zone[data-status='closed_lost']"))

    dialog = page.locator("#board-lost-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Close Robin Buyer as lost")
    dialog.get_by_role("button", name="Close as lost").click()
    expect(dialog.locator("#board-lost-error")).to_have_text("Say why the deal was lost.")
    dialog.get_by_label("Why was the deal lost?").fill("Chose a competitor on price")
    shot(page, "board-lost-reason-dialog")
    dialog.get_by_role("button", name="Close as lost").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#board-status")).to_have_text("Robin Buyer moved to Closed lost.")
    expect(card(page, robin)).to_have_count(0)
    expect(page.locator("[data-col='closed_lost'] [data-count]")).to_have_text("1")
    robin.refresh_from_db()
    assert (robin.status, robin.lost_reason) == (LeadStatus.CLOSED_LOST, "Chose a competitor on price")

    # Cancelling the dialog leaves the card where it was.
    sam = Lead.objects.get(first_name="Sam")
    card(page, sam).drag_to(page.locator(".board-zone[data-status='closed_lost']"))
    page.locator("#board-lost-dialog").get_by_role("button", name="Cancel").click()
    expect(column(page, "contacted").locator(f"[data-lead='{sam.pk}']")).to_be_visible()
    assert Lead.objects.get(pk=sam.pk).status == LeadStatus.CONTACTED


def test_a_refused_move_snaps_back_with_the_reason(live_server, page) -> None:
    from partners.models import Commission, Partner, PartnerStatus
    from partners.services import commission_approve
    from partners.tests.test_commissions import won

    manager = SalesManagerFactory(username="morgan")
    rep = SalesRepFactory(username="dana")
    partner = Partner.objects.create(
        name="Acme Partners",
        referral_code="ACME-2026",
        status=PartnerStatus.ACTIVE,
        commission_rate=Decimal("0.1000"),
    )
    deal = won(
        LeadFactory(
            first_name="Pat", last_name="Winner", owner=rep, partner=partner, status=LeadStatus.PROPOSAL
        ),
        "200000",
    )
    commission_approve(commission=Commission.objects.get(lead=deal), actor=manager)

    log_in(page, live_server.url, "dana", path="/admin/leads/lead/board/?closed=1")
    expect(column(page, "closed_won")).to_contain_text("Pat Winner")
    card(page, deal).drag_to(column(page, "proposal"))

    status = page.locator("#board-status")
    expect(status).to_contain_text(
        "Not moved: This lead's commission of 20000.00 for Acme Partners is approved"
    )
    expect(status).to_contain_text("Withdraw the approval in Partners")
    expect(column(page, "closed_won").locator(f"[data-lead='{deal.pk}']")).to_be_visible()
    expect(column(page, "proposal").locator(f"[data-lead='{deal.pk}']")).to_have_count(0)
    shot(page, "board-refused-move")
    assert Lead.objects.get(pk=deal.pk).status == LeadStatus.CLOSED_WON


def test_the_move_to_menu_works_from_the_keyboard(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    casey = a_pipeline(rep, SalesRepFactory(username="lee"))["casey"]

    log_in(page, live_server.url, "dana")
    button = card(page, casey).get_by_role("button", name="Move to…")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu", name="Move to")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Qualified")).to_be_focused()
    expect(menu.get_by_role("menuitem", name="New")).to_have_count(0)  # where it already is
    shot(page, "board-move-menu")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Contacted")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#board-status")).to_have_text("Casey Nguyen moved to Contacted.")
    expect(column(page, "contacted").locator(f"[data-lead='{casey.pk}']")).to_be_visible()
    expect(button).to_be_focused()
    assert Lead.objects.get(pk=casey.pk).status == LeadStatus.CONTACTED

    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()


def test_a_manager_filters_the_board(live_server, page) -> None:
    SalesManagerFactory(username="morgan")
    dana = SalesRepFactory(username="dana")
    leads = a_pipeline(dana, SalesRepFactory(username="lee"))

    log_in(page, live_server.url, "morgan")
    expect(page.locator(".board-summary")).to_contain_text("Team pipeline")
    for lead in leads.values():
        expect(card(page, lead)).to_have_count(1)
    shot(page, "board-manager-team")

    page.get_by_role("link", name="Fortune 500 only").click()
    expect(page).to_have_url(f"{live_server.url}/admin/leads/lead/board/?f500=1")
    expect(page.locator(".board-card")).to_have_count(1)
    expect(card(page, leads["jordan"])).to_be_visible()
    page.get_by_role("link", name="Fortune 500 only").click()  # off again

    page.get_by_label("Owner").select_option(label="lee")
    expect(page.locator(".board-summary")).to_contain_text("lee's leads")
    expect(page.locator(".board-card")).to_have_count(1)
    expect(card(page, leads["alex"])).to_be_visible()
    shot(page, "board-manager-owner-filter")

    page.get_by_role("link", name="Unassigned").click()
    expect(page.locator(".board-card")).to_have_count(1)
    expect(card(page, leads["casey"])).to_be_visible()
    page.get_by_role("link", name="Mine", exact=True).click()
    expect(page.locator(".board-card")).to_have_count(0)


def test_the_board_in_dark_mode(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    a_pipeline(rep, SalesRepFactory(username="lee"))
    page.emulate_media(color_scheme="dark")

    log_in(page, live_server.url, "dana")
    background = page.locator(".board-card").first.evaluate("card => getComputedStyle(card).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    shot(page, "board-rep-dark")


def test_a_full_board_fits_1366_keeps_the_drop_zones_in_view_and_caps_columns(
    live_server, page, monkeypatch
) -> None:
    from leads import board as board_module

    monkeypatch.setattr(board_module, "CARD_LIMIT", 5)  # the live server runs in this process
    rep = SalesRepFactory(username="dana")
    companies = [
        CompanyFactory(name=name) for name in ("Acme", "Globex", "Initech", "Hooli", "Stark Industries")
    ]
    for i in range(40):
        LeadFactory(
            first_name=f"Person{i}",
            last_name="Example",
            company=companies[i % 5],
            owner=rep if i % 2 else None,
            status=board_module.OPEN_STATUSES[i % 5],
            score=(i * 7) % 100,
            estimated_deal_value=Decimal(5000 * (i + 1)),
        )

    log_in(page, live_server.url, "dana")
    for status in board_module.OPEN_STATUSES:  # every column within the 1366 px window
        box = page.locator(f"[data-col='{status}']").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, status
        expect(page.locator(f"[data-col='{status}'] .board-card")).to_have_count(5)
        expect(page.locator(f"[data-col='{status}'] .board-more")).to_have_text("3 more in the list →")
    zone = page.locator(".board-zone[data-status='closed_won']").bounding_box()
    assert zone["y"] + zone["height"] <= 768  # the drop zones stay in view
    shot(page, "board-full-1366")
    page.locator("[data-col='new'] .board-more").click()
    expect(page).to_have_url(f"{live_server.url}/admin/leads/lead/?status__exact=new")
