"""Our pages work under our own Content-Security-Policy (issue 12, defect 10): real Chromium on a
real daphne process, with the production policy, loads the admin (login, dashboard, lead list and
page, analytics charts), the live chat console (its websocket), the demo page with the website
kit and chat widget, and the API docs (Swagger UI), and reports no CSP violation on any of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from analytics.services import website_create
from leads.tests.factories import TEST_PASSWORD, LeadFactory, SalesManagerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Collects every `securitypolicyviolation` event of the page (CSP reports them there as well as
#: in the console), before any of the page's own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`);
});
"""


def _violations(page: Page, console: list[str]) -> list[str]:
    recorded = page.evaluate("window.__cspViolations || []")
    return recorded + [line for line in console if "Content Security Policy" in line]


def test_admin_console_demo_page_and_api_docs_load_without_csp_violations(asgi_live_server, page) -> None:
    website_create(name="Demo", allowed_origins=[asgi_live_server])
    lead = LeadFactory(first_name="Avery")
    SalesManagerFactory(username="morgan", first_name="Morgan")
    page.context.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))

    def visit(path: str) -> None:
        response = page.goto(f"{asgi_live_server}{path}")
        assert response is not None and response.ok, path
        policy = response.headers.get("content-security-policy", "")
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )

    visit("/admin/login/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.locator("#nav-sidebar-apps").get_by_role("link", name="Leads", exact=True)
    ).to_be_visible()  # signed in: the sidebar
    assert not _violations(page, console), "dashboard"

    for path in (
        "/admin/leads/lead/",
        f"/admin/leads/lead/{lead.pk}/change/",
        "/admin/analytics/dailymetric/overview/",
    ):
        visit(path)
        page.wait_for_load_state("load")
        assert not _violations(page, console), path

    visit("/admin/chat/conversation/console/")
    expect(page.locator("#chat-status")).to_contain_text("Connected")  # the websocket connect-src
    assert not _violations(page, console), "chat console"

    visit("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Enterprise Scanner API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert not _violations(page, console), "API docs"

    visit("/")
    page.get_by_role("button", name="Chat with us").click()
    chat = page.get_by_role("dialog", name="Chat with Enterprise Scanner")
    expect(chat.get_by_role("log")).to_contain_text("Enterprise Scanner assistant")  # widget socket up
    expect(page.locator("[data-es-roi]").first).not_to_be_empty()  # the kit's ROI calculator
    assert not _violations(page, console), "demo page"
