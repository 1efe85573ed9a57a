"""The lead record page in real Chromium at 1366×768, as a rep and as a manager: the score
explained with its factors, a call logged in three actions and shown on the timeline, the
timeline filter, and a field edited in the side drawer. Screenshots go to $SHOTS_DIR when set."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from analytics.models import Event, EventType, Visitor
from analytics.services import website_create
from assessments.models import SecurityAssessment
from chat.models import Conversation
from leads.models import Lead, LeadEventKind, LeadNote
from leads.services import lead_note_add, lead_rescore
from leads.tests.factories import (
    TEST_PASSWORD,
    Fortune500CompanyFactory,
    LeadEventFactory,
    LeadFactory,
    SalesManagerFactory,
    SalesRepFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=full_page)


def log_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def rich_lead(owner) -> Lead:
    """A lead with a bit of everything the page shows."""
    lead = LeadFactory(
        email="jordan.lee@jpmorganchase.com",
        first_name="Jordan",
        last_name="Lee",
        job_title="Chief Information Security Officer",
        phone="+1 212 555 0101",
        company=Fortune500CompanyFactory(),
        owner=owner,
        message="We need an external view of our attack surface before the audit in March.",
    )
    LeadEventFactory(
        lead=lead, kind=LeadEventKind.SUBMITTED, summary="Requested a demo", data={"form": "demo_request"}
    )
    website = website_create(name="Main", allowed_origins=["https://www.example.com"])
    visitor = Visitor.objects.create(website=website, anonymous_id="a1", lead=lead)
    for path in ("/pricing", "/platform/attack-surface", "/customers/banks"):
        Event.objects.create(
            website=website,
            visitor=visitor,
            event_type=EventType.PAGE_VIEW,
            url=f"https://www.example.com{path}",
        )
    Conversation.objects.create(lead=lead, visitor=visitor)
    SecurityAssessment.objects.create(
        lead=lead,
        target_url="https://jpmorganchase.com/",
        target_host="jpmorganchase.com",
        grade="B",
        status="completed",
    )
    lead_rescore(lead_id=lead.pk)
    lead_note_add(lead=lead, author=owner, body="Met Jordan at the FS-ISAC summit; budget owner for tooling.")
    return Lead.objects.get(pk=lead.pk)


def test_rep_reads_the_score_logs_a_call_in_three_actions_and_filters_the_timeline(live_server, page) -> None:
    rep = SalesRepFactory(username="dana", first_name="Dana", last_name="Reyes")
    lead = rich_lead(rep)
    log_in(page, live_server.url, "dana", f"/admin/leads/lead/{lead.pk}/change/")

    header = page.locator("#crm-header")
    expect(header).to_contain_text("Jordan Lee")
    expect(header).to_contain_text("Fortune 500 #11")
    score = page.locator("#crm-score")
    expect(score).to_contain_text(f"Why {lead.score}?")
    expect(score).to_contain_text("Fortune 500 rank 11 (top 100)")
    expect(score).to_contain_text("+30")
    expect(score).to_contain_text("halve every 30 days")
    expect(page.locator("#crm-assessments")).to_contain_text("jpmorganchase.com")
    # Nothing of the page's three columns is cut off at 1366 px.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, width
    shot(page, "01-rep-lead-page-1366.png")

    # Three actions: the Call tab, the outcome, the button.
    page.locator("label.crm-tab", has_text="Call").click()
    page.get_by_label("Outcome").select_option("connected")
    shot(page, "02-rep-composer-call.png")
    page.get_by_role("button", name="Log call").click()

    first = page.locator("#crm-timeline .crm-event").first
    expect(first).to_contain_text("Call (connected)")
    expect(first).to_contain_text("dana")
    expect(page.get_by_text("Call logged on")).to_be_visible()
    assert Lead.objects.get(pk=lead.pk).events.filter(kind=LeadEventKind.CALL_LOGGED, actor=rep).count() == 1

    page.locator(".crm-chip[data-filter='notes']").click()
    expect(page.locator("#crm-timeline .crm-event")).to_have_count(1)
    expect(page.locator("#crm-timeline .crm-event")).to_contain_text("FS-ISAC")
    expect(page.locator(".crm-chip.is-active")).to_contain_text("Notes")
    shot(page, "03-rep-timeline-filter-notes.png")

    # A bad submit: the text stays, the error is at its field.
    page.locator(".crm-chip[data-filter='all']").click()
    page.locator("label.crm-tab", has_text="E-mail").click()
    page.get_by_role("button", name="Log e-mail").click()
    expect(page.locator("#crm-composer .crm-errors")).to_contain_text("Say what was written or agreed.")
    shot(page, "04-rep-composer-error.png")

    # A task in three actions (due tomorrow 09:00 by default), then the next step; done in one.
    page.locator("label.crm-tab", has_text="Task").click()
    page.get_by_placeholder("What needs doing?").fill("Send the proposal")
    page.get_by_role("button", name="Add task").click()
    expect(page.locator("#crm-tasks")).to_contain_text("Send the proposal")
    expect(page.locator("#crm-next-step")).to_contain_text("Send the proposal")
    shot(page, "04b-rep-task-added.png")
    page.get_by_role("button", name="Mark “Send the proposal” done").click()
    expect(page.locator("#crm-tasks")).to_contain_text("No open tasks")
    expect(page.locator("#crm-timeline .crm-event").first).to_contain_text("Send the proposal")


def test_manager_edits_a_field_in_the_side_drawer(live_server, page) -> None:
    SalesManagerFactory(username="morgan")
    rep = SalesRepFactory(username="dana")
    lead = rich_lead(rep)
    log_in(page, live_server.url, "morgan", f"/admin/leads/lead/{lead.pk}/change/")

    drawer = page.locator("#crm-drawer")
    expect(drawer).to_be_hidden()
    page.get_by_role("button", name="Edit details").click()
    expect(drawer).to_be_visible()
    page.locator("#id_job_title").fill("CISO")
    page.locator("textarea[name='notes-0-body']").fill("Title changed after the call.")
    shot(page, "05-manager-edit-drawer.png")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator("#crm-header")).to_contain_text("CISO")
    expect(page.locator("#crm-drawer")).to_be_hidden()
    assert Lead.objects.get(pk=lead.pk).job_title == "CISO"
    assert LeadNote.objects.filter(lead=lead, body="Title changed after the call.").exists()
    # Keyboard: the drawer opens from the button and Escape closes it, focus back on the button.
    page.get_by_role("button", name="Edit details").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#crm-drawer")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#crm-drawer")).to_be_hidden()
    expect(page.get_by_role("button", name="Edit details")).to_be_focused()
    page.locator("#crm-audit summary").click()
    shot(page, "06-manager-lead-page-full.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    page.reload()  # the theme follows the system's colour scheme when the page loads
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    # Dark mode: the lead's name is light on the dark card (it was dark on dark).
    colour = page.locator(".crm-name").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(229, 231, 235)", colour
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "07-manager-lead-page-dark.png")
