"""My tasks in real Chromium at 1366×768, as a rep: the tabs show overdue, today and upcoming;
one click marks a task done, it moves to Done, and the lead's timeline shows it.

Set SCREENSHOT_DIR to keep screenshots of each step (light and dark)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from leads.days import day_bounds
from leads.models import LeadEventKind, LeadTask
from leads.services import task_complete, task_create
from leads.tests.factories import TEST_PASSWORD, Fortune500CompanyFactory, LeadFactory, SalesRepFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 768


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/leads/leadtask/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def assert_no_column_outside_the_viewport(page: Page) -> None:
    # Inside the viewport and inside the list's own box (which would otherwise scroll sideways).
    overflow = page.evaluate(
        """() => {
            const box = document.querySelector('#result_list').parentElement.getBoundingClientRect();
            const limit = Math.min(window.innerWidth, box.right) + 1;
            return [...document.querySelectorAll('#result_list thead th')]
                .filter(th => th.getBoundingClientRect().right > limit)
                .map(th => th.innerText.trim() || th.className);
        }"""
    )
    assert overflow == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_rep_works_my_tasks_and_the_done_task_reaches_the_lead_timeline(live_server, page) -> None:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    rep = SalesRepFactory(username="dana", first_name="Dana")
    other = SalesRepFactory(username="omar")
    bounds = day_bounds()
    jordan = LeadFactory(
        first_name="Jordan",
        last_name="Lee",
        email="jordan.lee@jpmorganchase.com",
        company=Fortune500CompanyFactory(),
        is_fortune_500=True,
        score=95,
        owner=rep,
    )
    casey = LeadFactory(first_name="Casey", last_name="Morgan", company_name="Northwind Health", owner=rep)
    una = LeadFactory(first_name="Una", last_name="Signed", owner=None)
    theirs = LeadFactory(first_name="Theo", last_name="Theirs", owner=other)
    task_create(
        lead=casey,
        title="Chase the signed NDA",
        due_at=bounds.start - timedelta(days=2, hours=-10),
        actor=rep,
    )
    task_create(
        lead=jordan,
        title="Call Jordan about the pilot scope",
        due_at=bounds.start + timedelta(hours=15),
        actor=rep,
        kind="call",
    )
    task_create(
        lead=casey,
        title="Send the proposal and pricing sheet",
        due_at=bounds.end + timedelta(days=2, hours=9),
        actor=rep,
    )
    task_create(
        lead=una,
        title="Qualify the inbound demo request",
        due_at=bounds.start + timedelta(hours=11),
        actor=rep,
    )
    task_create(lead=theirs, title="Theo's demo", due_at=bounds.start + timedelta(hours=12), actor=other)
    done = task_create(
        lead=jordan, title="Send the security whitepaper", due_at=bounds.start - timedelta(days=4), actor=rep
    )
    task_complete(task=done, actor=rep)

    log_in(page, live_server.url, "dana")
    expect(page).to_have_url(f"{live_server.url}/admin/leads/leadtask/")
    tabs = page.locator(".task-tabs")
    expect(tabs.locator("[data-tab=overdue] .task-tab__count")).to_have_text("1")
    expect(tabs.locator("[data-tab=today] .task-tab__count")).to_have_text("1")
    expect(tabs.locator("[data-tab=upcoming] .task-tab__count")).to_have_text("1")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Chase the signed NDA")
    expect(rows.nth(0)).to_contain_text("Overdue · 2 days")
    expect(rows.nth(1)).to_contain_text("Call Jordan about the pilot scope")
    expect(rows.nth(1)).to_contain_text("JPMorgan Chase")
    expect(rows.nth(2)).to_contain_text("Send the proposal")
    expect(page.get_by_text("Theo's demo")).to_have_count(0)
    assert_no_column_outside_the_viewport(page)
    shot(page, "01-my-tasks-rep-1366")

    page.get_by_role("link", name="Today 1").click()
    expect(rows).to_have_count(1)
    shot(page, "02-my-tasks-today-1366")
    page.get_by_role("button", name="Mark “Call Jordan about the pilot scope” done").click()
    expect(page.get_by_text("Done: “Call Jordan about the pilot scope”")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/admin/leads/leadtask/?bucket=today")
    expect(rows).to_have_count(0)
    expect(page.locator(".task-empty")).to_contain_text("Nothing left for today.")
    expect(tabs.locator("[data-tab=done] .task-tab__count")).to_have_text("2")
    shot(page, "03-my-tasks-after-done-1366")

    page.get_by_role("link", name="Done 2").click()
    expect(rows.nth(0)).to_contain_text("Call Jordan about the pilot scope")
    expect(rows.nth(0).locator(".task-check--done")).to_be_visible()
    shot(page, "04-my-tasks-done-tab-1366")

    task = LeadTask.objects.get(title="Call Jordan about the pilot scope")
    assert task.done_by == rep
    assert task.lead.events.filter(kind=LeadEventKind.TASK_COMPLETED, actor=rep, data__task=task.pk).exists()

    page.get_by_role("link", name="Jordan Lee").first.click()
    completed = page.get_by_text("Completed task “Call Jordan about the pilot scope”")
    expect(completed).to_be_visible()
    completed.scroll_into_view_if_needed()
    shot(page, "05-lead-timeline-task-completed-1366")

    # Everything the rep may see: their own and the unassigned queue's, never another rep's.
    page.goto(f"{live_server.url}/admin/leads/leadtask/?scope=all")
    expect(page.get_by_text("Qualify the inbound demo request")).to_be_visible()
    expect(page.get_by_text("Theo's demo")).to_have_count(0)
    assert_no_column_outside_the_viewport(page)
    shot(page, "06-tasks-all-visible-rep-1366")

    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server.url}/admin/leads/leadtask/")
    shot(page, "07-my-tasks-dark-1366")

    page.emulate_media(color_scheme="light")
    page.goto(f"{live_server.url}/admin/leads/leadtask/add/?lead={casey.pk}")
    expect(page.locator("#id_title")).to_be_visible()
    shot(page, "08-add-task-1366")


def test_a_manager_sees_everyones_tasks_and_filters_by_assignee(live_server, page) -> None:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    from leads.tests.factories import SalesManagerFactory

    SalesManagerFactory(username="maria")
    dana = SalesRepFactory(username="dana")
    omar = SalesRepFactory(username="omar")
    bounds = day_bounds()
    for rep, name in ((dana, "Jordan Lee"), (omar, "Priya Shah")):
        first, last = name.split()
        lead = LeadFactory(first_name=first, last_name=last, owner=rep, company=Fortune500CompanyFactory())
        task_create(
            lead=lead, title=f"Call {first} back", due_at=bounds.start + timedelta(hours=14), actor=rep
        )
    orphan = LeadFactory(first_name="Una", last_name="Signed", owner=None)
    task_create(
        lead=orphan, title="Qualify the inbound request", due_at=bounds.start - timedelta(days=1), actor=dana
    )

    log_in(page, live_server.url, "maria")
    expect(page.locator(".task-empty")).to_contain_text("No open tasks.")  # the manager owns none
    page.get_by_role("link", name="Everyone's").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Unassigned")
    assert_no_column_outside_the_viewport(page)
    shot(page, "09-tasks-everyone-manager-1366")
    page.get_by_label("Assignee").select_option(label="omar")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Call Priya back")
    shot(page, "10-tasks-manager-filtered-by-owner-1366")
