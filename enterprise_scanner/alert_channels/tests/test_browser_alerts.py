"""A sales manager sets up a Slack channel in real Chromium at 1366×768: a bad URL gets a clear
error, a good one is saved and never shown again, the test message shows the receiver's answer,
and the delivery log shows what was posted (and what failed) after a hot lead."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pytest_httpserver import HTTPServer

from leads.services import lead_rescore
from leads.tests.factories import TEST_PASSWORD, Fortune500CompanyFactory, LeadFactory, SalesManagerFactory

from ..models import AlertDelivery
from .factories import AlertChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots/alerts"))


def test_manager_sets_up_a_slack_channel_and_sees_deliveries(
    live_server, page, settings, httpserver: HTTPServer
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    settings.OUTBOUND_TIMEOUT_SECONDS = 2
    settings.LEAD_SCORING = {"hot_threshold": 50}
    httpserver.expect_request("/services/T024BE7LD/B08H1L2MNPQ/x7Yc2Wq9").respond_with_data("ok")
    receiver = httpserver.url_for("/services/T024BE7LD/B08H1L2MNPQ/x7Yc2Wq9")
    SalesManagerFactory(username="morgan", first_name="Morgan", last_name="Lee")

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/alert_channels/alertchannel/add/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Name").fill("#sales-hot-leads")
    page.get_by_label("Webhook URL").fill("hooks.slack.com/services/T024BE7LD")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("This is not a valid URL.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "alerts-channel-form-error-1366.png"), full_page=True)

    page.get_by_label("Webhook URL").fill(receiver)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("does not look like a Slack incoming webhook")).to_be_visible()

    # A second channel whose receiver is down, and a hot lead: one delivered, one waiting to retry.
    AlertChannelFactory(name="EMEA team (Teams)", kind="teams", webhook_url="http://127.0.0.1:9/teams")
    lead = LeadFactory(
        email="ada@jpmorganchase.com",
        first_name="Ada",
        last_name="Lovelace",
        job_title="Chief Information Security Officer",
        company=Fortune500CompanyFactory(),
        score=0,
    )
    lead_rescore(lead_id=lead.pk)
    assert sorted(AlertDelivery.objects.values_list("status", flat=True)) == ["delivered", "pending"]

    page.goto(f"{live_server.url}/admin/alert_channels/alertchannel/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("send_test_message")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("accepted the test message")).to_be_visible()
    assert "x7Yc2Wq9" not in page.content().replace("…Wq9", "")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, width
    page.screenshot(path=str(SHOTS / "alerts-channels-1366.png"))

    page.get_by_role("link", name="#sales-hot-leads", exact=True).click()
    expect(page.get_by_text("leave empty to keep it").first).to_be_visible()
    assert "x7Yc2Wq9" not in page.content()
    page.get_by_role("button", name="Save and send test message").click()
    expect(page.get_by_text("accepted the test message")).to_be_visible()
    page.get_by_role("link", name="#sales-hot-leads", exact=True).click()
    page.screenshot(path=str(SHOTS / "alerts-channel-form-1366.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/alert_channels/alertdelivery/")
    expect(page.get_by_text("Could not reach the receiver").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "alerts-deliveries-1366.png"))
