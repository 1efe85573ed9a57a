"""A sales rep works the queue in real Chromium: log in, filter, open a lead, add a note, change
its status, and see both on the lead's timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leads.models import Lead, LeadEventKind, LeadNote, LeadStatus
from leads.tests.factories import TEST_PASSWORD, Fortune500CompanyFactory, LeadFactory, SalesRepFactory

# Transactional: the live server sees committed rows. Flushed sales groups are re-created by
# the staff factories (leads.tests.factories.sales_groups).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_filters_the_queue_opens_a_lead_adds_a_note_and_changes_status(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    hot = LeadFactory(
        email="ciso@jpmorganchase.com",
        first_name="Jordan",
        last_name="Lee",
        company=Fortune500CompanyFactory(),
        is_fortune_500=True,
        score=95,
        owner=None,
    )
    LeadFactory(email="cold@company.example", first_name="Casey", last_name="Cold", score=20, owner=rep)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.locator("#nav-sidebar-apps").get_by_role("link", name="Leads", exact=True)
    ).to_be_visible()  # signed in: the sidebar

    page.goto(f"{live_server.url}/admin/leads/lead/")
    expect(page.get_by_text("cold@company.example")).to_be_visible()
    page.get_by_role("button", name="Filters").click()  # unfold's filter panel
    page.locator("#changelist-filter").get_by_role("link", name="Hot (80+)").click()
    expect(page).to_have_url(f"{live_server.url}/admin/leads/lead/?score_band=hot")
    expect(page.get_by_text("cold@company.example")).to_have_count(0)
    expect(page.locator(".crm-score-hot")).to_have_text("95")

    page.get_by_role("link", name="Jordan Lee").click()
    expect(page.locator("#crm-company-card")).to_contain_text("Fortune 500 #11")
    page.get_by_role("button", name="Edit details").click()
    page.locator("textarea[name='notes-0-body']").fill("Spoke to Jordan: budget approved for Q3.")
    page.locator("select[name='status']").select_option("contacted")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.get_by_text("was changed successfully")).to_be_visible()
    timeline = page.locator("#crm-timeline")
    expect(timeline).to_contain_text("Note: Spoke to Jordan: budget approved for Q3.")
    expect(timeline).to_contain_text("Status New → Contacted")
    expect(timeline.locator(".crm-event").first).to_contain_text("dana")

    hot = Lead.objects.get(pk=hot.pk)
    assert hot.status == LeadStatus.CONTACTED and hot.last_contacted_at is not None
    assert LeadNote.objects.get(lead=hot).author == rep
    assert set(hot.events.filter(actor=rep).values_list("kind", flat=True)) == {
        LeadEventKind.NOTE_ADDED,
        LeadEventKind.STATUS_CHANGED,
    }


def test_closing_as_lost_without_a_reason_shows_the_error_in_the_browser(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    lead = LeadFactory(email="buyer@company.example", first_name="Robin", last_name="Buyer", owner=rep)

    page.goto(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("button", name="Edit details").click()
    page.locator("select[name='status']").select_option("closed_lost")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("Say why the deal was lost.")
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
