"""Nurture in real Chromium on a real daphne process (production CSP): a manager reads the
sequence list and the default sequence, an invalid step template is refused at its field, the
lead page's Nurture box stops an enrolment, and a lead unsubscribes on a phone-sized screen with
no CSP violation. Screenshots (1366×768; the public page also at 390 px) go to $SHOTS_DIR."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from leads.models import EnrollmentStatus, NurtureEnrollment, NurtureSequence
from leads.nurture.services import nurture_enroll, nurture_send_due, unsubscribe_token
from leads.tests.factories import TEST_PASSWORD, Fortune500CompanyFactory, SalesManagerFactory

from .nurture_helpers import consenting_lead, make_sequence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective));
"""


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=full_page)


def _log_in(page: Page, base: str, next_url: str) -> None:
    SalesManagerFactory(username="morgan", first_name="Morgan", email="morgan@enterprisescanner.test")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_manager_keeps_sequences_and_an_invalid_template_is_refused_at_its_field(
    asgi_live_server, page
) -> None:
    make_sequence(name="Demo request follow-up", sources=["demo_request"])
    make_sequence(name="Hot leads (score 80+)", trigger="score_band", min_score=80, is_active=False)
    # As migrated (a transactional test before this one may have flushed the seeded rows).
    importlib.import_module("leads.migrations.0013_nurture_default_sequence").seed(apps, None)
    default = NurtureSequence.objects.get(name="After a security assessment")
    _log_in(page, asgi_live_server, "/admin/leads/nurturesequence/")
    expect(page.get_by_role("link", name="After a security assessment")).to_be_visible()
    shot(page, "nurture-sequences.png")

    page.goto(f"{asgi_live_server}/admin/leads/nurturesequence/{default.pk}/change/")
    expect(page.locator("#id_name")).to_have_value("After a security assessment")
    shot(page, "nurture-sequence.png", full_page=True)

    body = page.locator("#id_steps-0-text_template")
    body.fill("Hi {{ first_name }},\n{% for f in top_findings %}{{ f.title }}\n{{ password }}")
    page.locator("input[name=_continue], button[name=_continue]").first.click()
    error = page.get_by_text("Line 2: Unclosed tag")
    expect(error.first).to_be_visible()
    error.first.scroll_into_view_if_needed()
    shot(page, "nurture-template-error.png")
    default.refresh_from_db()
    assert "password" not in default.steps.get(position=1).text_template  # nothing saved


def test_the_lead_page_nurture_box_stops_an_enrolment(asgi_live_server, page) -> None:
    lead = consenting_lead(
        email="jordan.lee@jpmorganchase.com",
        first_name="Jordan",
        last_name="Lee",
        job_title="Chief Information Security Officer",
        company=Fortune500CompanyFactory(),
    )
    nurture_enroll(lead=lead, trigger=make_sequence(name="Demo request follow-up").trigger)
    nurture_send_due()
    _log_in(page, asgi_live_server, f"/admin/leads/lead/{lead.pk}/change/")
    box = page.locator("#crm-nurture")
    expect(box).to_contain_text("Demo request follow-up")
    expect(box).to_contain_text("1 sent")
    box.scroll_into_view_if_needed()
    shot(page, "nurture-lead-box.png")
    box.get_by_role("button", name="Stop").click()
    expect(page.locator("#crm-nurture")).to_contain_text("stopped (stopped by staff)")
    assert NurtureEnrollment.objects.get().status == EnrollmentStatus.STOPPED

    page.goto(f"{asgi_live_server}/admin/leads/nurtureenrollment/")
    expect(page.get_by_text("jordan.lee@jpmorganchase.com").first).to_be_visible()
    shot(page, "nurture-enrolments.png")


def test_an_address_the_mail_server_refuses_shows_as_undeliverable(
    asgi_live_server, page, monkeypatch, settings
) -> None:
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    settings.NURTURE_MAX_SEND_FAILURES = 1
    lead = consenting_lead(email="old.address@globex-corp.com", first_name="Sam", last_name="Ortiz")
    nurture_enroll(lead=lead, trigger=make_sequence(name="Demo request follow-up").trigger)

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {lead.email: (550, b"5.1.1 <old.address@globex-corp.com>: no such user")}
        )

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    assert nurture_send_due().undeliverable == 1
    _log_in(page, asgi_live_server, "/admin/leads/nurtureenrollment/?stop_reason=undeliverable")
    expect(page.get_by_text("old.address@globex-corp.com").first).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("Undeliverable")
    shot(page, "nurture-undeliverable.png")
    page.goto(f"{asgi_live_server}/admin/leads/lead/{lead.pk}/change/")
    expect(page.get_by_text("Nurture stopped (undeliverable)").first).to_be_visible()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_lead_unsubscribes_in_one_click_without_csp_violations(asgi_live_server, page, width) -> None:
    lead = consenting_lead(email="jordan.lee@jpmorganchase.com")
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 768})
    page.goto(f"{asgi_live_server}/u/{unsubscribe_token(lead.pk)}/")
    expect(page.get_by_role("heading", name="Unsubscribe from our e‑mails?")).to_be_visible()
    shot(page, f"unsubscribe-confirm-{width}.png")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    shot(page, f"unsubscribe-done-{width}.png")
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is not None
    page.goto(f"{asgi_live_server}/u/not-a-real-token/")
    expect(page.get_by_role("heading", name="This unsubscribe link is not valid")).to_be_visible()
    shot(page, f"unsubscribe-bad-link-{width}.png")
    assert page.evaluate("window.__cspViolations") == []
