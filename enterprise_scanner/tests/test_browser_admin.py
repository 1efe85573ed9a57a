"""A sales rep logs into the CRM in a real browser and finds the lead queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leads.tests.factories import TEST_PASSWORD, Fortune500CompanyFactory, LeadFactory, SalesRepFactory

# Transactional: the live server sees committed rows. Flushed sales groups are re-created by
# the staff factories (leads.tests.factories.sales_groups).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_logs_in_and_sees_the_lead_queue(live_server, page) -> None:
    SalesRepFactory(username="dana")
    LeadFactory(
        email="ciso@jpmorganchase.com",
        first_name="Jordan",
        last_name="Lee",
        company=Fortune500CompanyFactory(),
        is_fortune_500=True,
        score=100,
    )

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.locator("#nav-sidebar-apps").get_by_role("link", name="Leads", exact=True)
    ).to_be_visible()  # signed in: the sidebar

    page.get_by_role("link", name="Leads", exact=True).first.click()
    expect(page.get_by_text("ciso@jpmorganchase.com")).to_be_visible()


def test_wrong_password_is_refused(live_server, page) -> None:
    SalesRepFactory(username="dana")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter the correct username and password")).to_be_visible()
