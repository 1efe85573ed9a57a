"""Lists that fit (issue 14): at 1366×768, as a rep and as a manager, every changelist the user can
open shows its key columns inside the viewport, with no horizontal scrolling; the sidebar can be
walked with the keyboard with a visible focus; dark mode applies to our own components.

"Key columns": every column of the lists reps and managers work in (leads, companies,
assessments with the PDF link, conversations, partners with the statement links, commissions);
on the other (reference) lists the first KEY_COLUMNS_ELSEWHERE columns.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments.models import AssessmentStatus, SecurityAssessment
from chat.models import Conversation
from leads.models import LeadStatus
from leads.tests.factories import (
    TEST_PASSWORD,
    CompanyFactory,
    Fortune500CompanyFactory,
    LeadFactory,
    SalesManagerFactory,
    SalesRepFactory,
)
from partners.models import Commission, Partner, PartnerStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 768}
#: Lists where every column is a key column.
WORK_LISTS = {
    "leads.lead",
    "leads.company",
    "assessments.securityassessment",
    "chat.conversation",
    "partners.partner",
    "partners.commission",
    "leads.leadtask",
}
KEY_COLUMNS_ELSEWHERE = 5
#: Lists that open on the user's own rows (My tasks) are asked for every row the user may see,
#: the widest the list gets.
LIST_QUERY = {"leads.leadtask": "?scope=all"}

#: For each header cell of the result table: its text and how far its right edge lies beyond
#: the viewport (0 when inside).
COLUMNS_OUTSIDE = """() => {
  const table = document.querySelector('#result_list');
  if (!table) return null;
  return [...table.querySelectorAll('thead th')].map(th => [
    th.innerText.split('\\n')[0].trim(), Math.max(0, Math.round(th.getBoundingClientRect().right - window.innerWidth)),
  ]);
}"""
#: How many pixels of the result table are scrolled out of its box (0: no horizontal scrollbar).
HIDDEN_BY_SCROLLING = """() => {
  let box = document.querySelector('#result_list');
  while (box && box !== document.body && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
  return box && box !== document.body ? Math.max(0, box.scrollWidth - box.clientWidth) : 0;
}"""


def _data(rep: AbstractBaseUser) -> None:
    """Rows with the long values that made lists wide: long names, job titles, company names."""
    f500 = Fortune500CompanyFactory(name="International Business Machines Corporation", fortune_rank=42)
    now = timezone.now()
    for i, title in enumerate(
        (
            "Chief Information Security Officer and Vice President, Global Infrastructure",
            "Senior Director of Application Security Engineering",
            "Head of IT",
        )
    ):
        LeadFactory(
            owner=rep if i != 2 else None,
            first_name="Maximiliana-Alexandra",
            last_name=f"Featherstonehaugh-Worthington {i}",
            email=f"maximiliana.featherstonehaugh-worthington.{i}@international-business-machines.example",
            job_title=title,
            company=f500 if i == 0 else CompanyFactory(name="Northwind Health Systems and Services Holdings"),
            is_fortune_500=i == 0,
            score=95 - i * 30,
            status=LeadStatus.DEMO_SCHEDULED,
            next_follow_up_at=now - timedelta(days=2) if i == 0 else now + timedelta(days=3),
            estimated_deal_value=Decimal("250000"),
        )
    lead = LeadFactory(owner=rep, company=f500, email="ciso@ibm.example")
    SecurityAssessment.objects.create(
        lead=lead,
        target_url="https://www.a-rather-long-subdomain.international-business-machines.example/",
        target_host="www.a-rather-long-subdomain.international-business-machines.example",
        status=AssessmentStatus.COMPLETED,
        grade="C",
        risk_score=55,
        report_file="reports/assessment.pdf",
    )
    Conversation.objects.create(lead=lead, fortune_500_detected=True, high_value_opportunity=True)
    partner = Partner.objects.create(
        name="Contoso Managed Security Services Partner Network",
        referral_code="CONTOSO-2026",
        status=PartnerStatus.ACTIVE,
        contact_email="partner-programme-manager@contoso-managed-security.example",
        commission_rate=Decimal("0.1500"),
    )
    Commission.objects.create(
        partner=partner,
        lead=lead,
        deal_value=Decimal("250000"),
        rate=Decimal("0.1500"),
        amount=Decimal("37500"),
    )


def _log_in(page: Page, base: str, username: str) -> None:
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#nav-sidebar-apps")).to_be_visible()


def _changelists_for(user: AbstractBaseUser) -> list[tuple[str, str]]:
    """Every changelist of the admin this user may view (label, URL)."""
    lists = []
    for model in admin.site._registry:
        opts = model._meta
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            lists.append((opts.label_lower, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
    return sorted(lists)


def _assert_lists_fit(page: Page, base: str, user: AbstractBaseUser) -> None:
    lists = _changelists_for(user)
    assert any(label == "leads.lead" for label, _ in lists)
    problems = []
    for label, url in lists:
        response = page.goto(f"{base}{url}{LIST_QUERY.get(label, '')}")
        assert response is not None and response.ok, url
        columns = page.evaluate(COLUMNS_OUTSIDE)
        if columns is None:  # an empty reference list draws no table; the work lists have rows
            assert label not in WORK_LISTS, f"{url}: no result table"
            continue
        key = columns if label in WORK_LISTS else columns[:KEY_COLUMNS_ELSEWHERE]
        outside = [(name, beyond) for name, beyond in key if beyond > 0]
        if outside:
            problems.append(f"{url}: {outside}")
        hidden = page.evaluate(HIDDEN_BY_SCROLLING)
        if label in WORK_LISTS and hidden > 1:
            problems.append(f"{url}: {hidden} px behind a horizontal scrollbar")
    assert problems == [], "key columns outside the 1366 px viewport:\n" + "\n".join(problems)


def test_every_list_a_rep_can_open_fits_at_1366(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    _data(rep)
    _log_in(page, live_server.url, "dana")
    _assert_lists_fit(page, live_server.url, rep)


def test_every_list_a_manager_can_open_fits_at_1366(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    manager = SalesManagerFactory(username="morgan")
    _data(rep)
    _log_in(page, live_server.url, "morgan")
    _assert_lists_fit(page, live_server.url, manager)
    # The links that used to be cut off are on screen.
    page.goto(f"{live_server.url}{reverse('admin:assessments_securityassessment_changelist')}")
    expect(page.get_by_role("link", name="Download PDF")).to_be_in_viewport()
    page.goto(f"{live_server.url}{reverse('admin:partners_partner_changelist')}")
    expect(page.get_by_role("link", name="PDF", exact=True)).to_be_in_viewport()
    expect(page.get_by_text(re.compile(r"^15\s%$"))).to_be_visible()  # not "15.0000 %"


def test_saved_filters_are_one_click_away(live_server, page) -> None:
    rep = SalesRepFactory(username="dana")
    _data(rep)
    _log_in(page, live_server.url, "dana")
    page.goto(f"{live_server.url}{reverse('admin:leads_lead_changelist')}")
    presets = page.get_by_role("navigation", name="Saved filters")
    presets.get_by_role("link", name="Overdue").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('admin:leads_lead_changelist')}?follow_up=overdue")
    expect(presets.get_by_role("link", name="Overdue")).to_have_attribute("aria-current", "page")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    presets.get_by_role("link", name="Unassigned").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.get_by_text("Head of IT")).to_be_visible()


def test_the_sidebar_works_with_the_keyboard_and_shows_the_focus(live_server, page) -> None:
    SalesRepFactory(username="dana")
    _log_in(page, live_server.url, "dana")
    sidebar = page.locator("#nav-sidebar-apps")
    leads = sidebar.get_by_role("link", name="Leads", exact=True)
    for _ in range(40):  # Tab from the top of the page until the Leads entry has the focus
        page.keyboard.press("Tab")
        if leads.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Leads entry of the sidebar")
    outline = leads.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{reverse('admin:leads_lead_changelist')}")
    # The filter panel opens from the keyboard too (a button, not an <a> without href).
    filters = page.get_by_role("button", name="Filters")
    filters.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#changelist-filter")).to_be_visible()


def test_dark_mode_applies_to_the_dashboard(live_server, page) -> None:
    rep = SalesRepFactory(username="dana", first_name="Dana")
    _data(rep)
    _log_in(page, live_server.url, "dana")
    card = page.locator(".sd-kpi").first
    light = card.evaluate("el => getComputedStyle(el).backgroundColor")
    page.evaluate("document.documentElement.classList.add('dark')")
    dark = card.evaluate("el => getComputedStyle(el).backgroundColor")
    assert light != dark, (light, dark)
