"""The website kit end to end in real Chromium, on the demo landing page served by daphne against
the test database: a partner link, page views, the ROI calculator, a demo request with a bad
e-mail shown inline and then accepted, and the lead in the admin carrying the earlier page views
and the partner."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from analytics.models import Event, EventType, Visitor
from analytics.services import website_create
from leads.models import Lead, LeadEventKind
from leads.tests.factories import TEST_PASSWORD, SalesManagerFactory
from partners.models import Partner, PartnerStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_expectations():
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def wait_for(condition, page) -> None:
    for _ in range(150):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("condition not met")


def test_landing_page_tracks_calculates_and_captures_a_referred_lead(asgi_live_server, page) -> None:
    website_create(name="Demo", allowed_origins=[asgi_live_server])
    partner = Partner.objects.create(
        name="Acme Partners", referral_code="ACME-2026", status=PartnerStatus.ACTIVE
    )
    SalesManagerFactory(username="morgan")

    # A visitor arrives through the partner's link, then looks at a second page.
    page.goto(f"{asgi_live_server}/?ref=acme-2026&utm_source=partner-newsletter")
    expect(page.get_by_role("button", name="Chat with us")).to_be_visible()  # the kit loaded the chat
    page.goto(f"{asgi_live_server}/#pricing")
    page.evaluate("window.EnterpriseScanner.flush()")
    visitor_id = page.evaluate("window.EnterpriseScanner.visitorId()")
    assert visitor_id.startswith("v-")
    wait_for(
        lambda: (
            Event.objects.filter(visitor__anonymous_id=visitor_id, event_type=EventType.PAGE_VIEW).count()
            >= 2
        ),
        page,
    )
    visitor = Visitor.objects.get(anonymous_id=visitor_id)
    assert visitor.first_touch["ref"] == "ACME-2026"
    assert visitor.first_touch["utm_source"] == "partner-newsletter"

    # The ROI calculator answers.
    roi = page.get_by_role("form", name="ROI calculator")
    roi.get_by_label("Employees").fill("12000")
    roi.get_by_label("Industry").select_option("financial")
    roi.get_by_role("button", name="Calculate").click()
    expect(roi.get_by_role("status")).to_contain_text("Expected annual breach exposure")
    expect(roi.get_by_role("status")).to_contain_text("$")

    # A demo request with a bad e-mail shows the API's error next to the field, then succeeds.
    demo = page.get_by_role("form", name="Request a demo")
    demo.get_by_label("Work e-mail").fill("jordan.lee@@jpmorganchase")
    demo.get_by_label("First name").fill("Jordan")
    demo.get_by_role("button", name="Request a demo").click()
    email = demo.get_by_label("Work e-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(demo.locator(".es-error")).to_contain_text("Enter a valid e-mail address")
    assert not Lead.objects.exists()

    email.fill("jordan.lee@jpmorganchase.com")
    demo.get_by_role("button", name="Request a demo").click()
    expect(demo.get_by_role("status")).to_contain_text("We will be in touch")
    expect(demo.locator(".es-error")).to_have_count(0)
    lead = Lead.objects.get()
    assert lead.partner == partner and lead.utm_source == "partner-newsletter"
    assert lead.visitor.anonymous_id == visitor_id

    # In the admin, the lead's timeline shows the earlier page views and the partner.
    page.goto(f"{asgi_live_server}/admin/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{asgi_live_server}/admin/leads/lead/{lead.pk}/change/")
    body = page.locator("body")
    expect(body).to_contain_text("Referred by Acme Partners")
    expect(body).to_contain_text("2 page view(s)")
    assert lead.events.filter(kind=LeadEventKind.PAGE_VIEWS).exists()


def test_a_form_retries_after_a_network_error_and_is_sent_once(asgi_live_server, page) -> None:
    website_create(name="Demo", allowed_origins=[asgi_live_server])
    attempts: list[str] = []

    def flaky(route) -> None:
        attempts.append(route.request.method)
        if len(attempts) == 1:
            route.abort("connectionreset")  # the network drops the first attempt
        else:
            route.continue_()

    page.route("**/api/v1/leads/", flaky)
    page.goto(f"{asgi_live_server}/")
    demo = page.get_by_role("form", name="Request a demo")
    demo.get_by_label("Work e-mail").fill("casey@acme-corp.example")
    button = demo.get_by_role("button", name="Request a demo")
    button.click()
    button.click(force=True)  # an impatient second click while the first is pending
    expect(demo.get_by_role("status")).to_contain_text("We will be in touch")
    assert attempts == ["POST", "POST"]  # one retry, no second submission
    lead = Lead.objects.get()
    assert lead.events.filter(kind=LeadEventKind.SUBMITTED).count() == 1
