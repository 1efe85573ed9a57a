"""The admin sidebar is shaped by role (enterprise_scanner.admin_navigation): a rep gets the
workspace, a manager adds team pages and settings, only a superuser sees raw tables and
internals; every registered model stays reachable for a superuser."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from leads.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WORKSPACE = ["Home", "Leads", "Board", "My tasks", "Inbox", "Conversations", "Companies", "Assessments"]
TEAM = ["Traffic & funnel", "Duplicates", "Watched targets", "Partners", "Commissions"]
SETTINGS = ["Websites", "Knowledge base", "Synonyms", "API keys"]
INTERNALS = [
    "Timeline",
    "Alias domains",
    "Intake idempotency keys",
    "Audit log",
    "Visitors",
    "Events",
    "Daily metrics",
    "Task results",
    "Access attempts",
]


def sidebar(client: Client) -> list[str]:
    """The entry titles of the sidebar on the home page, in order."""
    html = client.get(reverse("admin:index")).content.decode()
    nav = html.split('id="nav-sidebar-apps"', 1)[1].split("</nav>", 1)[0]
    return [title.strip() for title in re.findall(r"<span>([^<]+)</span>", nav)]


def test_a_rep_sees_only_the_workspace(rep_client) -> None:
    entries = sidebar(rep_client)
    assert entries[: len(WORKSPACE)] == WORKSPACE
    for title in TEAM + SETTINGS + INTERNALS:
        assert title not in entries, title


def test_a_manager_adds_team_pages_and_settings_but_no_internals(manager_client) -> None:
    entries = sidebar(manager_client)
    for title in WORKSPACE + TEAM + SETTINGS:
        assert title in entries, title
    for title in INTERNALS:
        assert title not in entries, title


def test_a_superuser_sees_the_internals_too(admin_client) -> None:
    entries = sidebar(admin_client)
    for title in WORKSPACE + TEAM + SETTINGS + INTERNALS + ["Users", "Groups"]:
        assert title in entries, title


def test_every_registered_model_is_in_a_superusers_sidebar(admin_client) -> None:
    html = admin_client.get(reverse("admin:index")).content.decode()
    missing = [
        model._meta.label
        for model in admin.site._registry
        if f'href="{reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")}"'
        not in html
    ]
    assert missing == []


def test_entries_need_the_model_permission_too(client) -> None:
    """Staff outside the sales groups (no model permissions) get no entries that would 403."""
    client.force_login(UserFactory(username="helpdesk"))
    entries = (
        sidebar(client)
        if 'id="nav-sidebar-apps"' in client.get(reverse("admin:index")).content.decode()
        else []
    )
    assert "Leads" not in entries and "Companies" not in entries


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("rep_client", "admin:leads_board"),
        ("rep_client", "admin:chat_console"),
        ("manager_client", "admin:chat_report"),
    ],
)
def test_a_page_under_another_list_marks_only_its_own_entry(request, who: str, page: str) -> None:
    """The board's URL lies under the lead list's, the console's and the chat report's under the
    conversation list's; only the page's own entry is marked."""
    html = request.getfixturevalue(who).get(reverse(page)).content.decode()
    nav = html.split('id="nav-sidebar-apps"', 1)[1]
    marked = re.findall(r'<a href="([^"]+)"[^>]*\bactive\b', nav)
    assert marked == [reverse(page)]


def test_the_current_page_is_marked_active(rep_client) -> None:
    html = rep_client.get(reverse("admin:leads_lead_changelist")).content.decode()
    nav = html.split('id="nav-sidebar-apps"', 1)[1]
    active = re.search(r'<a href="([^"]+)"[^>]*\bactive\b', nav)
    assert active is not None and active.group(1) == reverse("admin:leads_lead_changelist")


def test_signing_in_on_the_login_page_itself_lands_on_the_home_page(client, sales_rep) -> None:
    """unfold's login form sends no `next`: without LOGIN_REDIRECT_URL the sign-in went to
    /accounts/profile/, a 404."""
    from leads.tests.factories import TEST_PASSWORD

    response = client.post(
        reverse("admin:login"), {"username": sales_rep.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
