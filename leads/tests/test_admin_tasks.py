"""My tasks (the LeadTask admin): scoped lists with today/overdue/upcoming/done tabs, one-click
done and reopen through the services, adding a task, managers' owner filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.days import day_bounds
from leads.models import LeadEventKind, LeadTask, TaskKind
from leads.services import task_complete, task_create
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:leads_leadtask_changelist")


@pytest.fixture
def tasks(sales_rep, other_rep) -> dict[str, LeadTask]:
    bounds = day_bounds()
    mine = LeadFactory(owner=sales_rep, first_name="Mia", last_name="Mine")
    unassigned = LeadFactory(owner=None, first_name="Una", last_name="Nowner")
    theirs = LeadFactory(owner=other_rep, first_name="Theo", last_name="Theirs")
    done = task_create(
        lead=mine, title="Sent the deck", due_at=bounds.start - timedelta(days=3), actor=sales_rep
    )
    task_complete(task=done, actor=sales_rep)
    return {
        "overdue": task_create(
            lead=mine, title="Chase the NDA", due_at=bounds.start - timedelta(days=2), actor=sales_rep
        ),
        "today": task_create(
            lead=mine, title="Call the CISO", due_at=bounds.start + timedelta(hours=15), actor=sales_rep
        ),
        "upcoming": task_create(
            lead=mine, title="Send proposal", due_at=bounds.end + timedelta(days=2), actor=sales_rep
        ),
        "done": done,
        "on_unassigned": task_create(
            lead=unassigned, title="Qualify Una", due_at=bounds.start + timedelta(hours=10), actor=sales_rep
        ),
        "theirs": task_create(
            lead=theirs, title="Theo's demo", due_at=bounds.start + timedelta(hours=11), actor=other_rep
        ),
    }


def titles(response) -> list[str]:
    return [task.title for task in response.context["cl"].result_list]


def test_default_view_is_my_open_tasks_earliest_first_with_tab_counts(rep_client, tasks) -> None:
    response = rep_client.get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Chase the NDA", "Call the CISO", "Send proposal"]
    counts = {tab["key"]: tab["count"] for tab in response.context["task_tabs"]}
    assert counts == {"overdue": 1, "today": 1, "upcoming": 1, "open": 3, "done": 1}
    html = response.content.decode()
    assert "Overdue · 2 days" in html and "Mia Mine" in html
    assert "Theo" not in html and 'id="task-quick-form"' in html


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [
        ("today", ["Call the CISO"]),
        ("overdue", ["Chase the NDA"]),
        ("upcoming", ["Send proposal"]),
        ("done", ["Sent the deck"]),
    ],
)
def test_tabs(rep_client, tasks, bucket, expected) -> None:
    assert titles(rep_client.get(URL, {"bucket": bucket})) == expected


def test_a_rep_switching_to_all_sees_unassigned_leads_tasks_but_never_another_reps(rep_client, tasks) -> None:
    response = rep_client.get(URL, {"scope": "all", "bucket": "today"})
    assert titles(response) == ["Qualify Una", "Call the CISO"]
    # Another rep's task is not reachable by URL either.
    assert (
        rep_client.get(reverse("admin:leads_leadtask_change", args=[tasks["theirs"].pk])).status_code == 302
    )
    response = rep_client.post(reverse("admin:leads_leadtask_complete", args=[tasks["theirs"].pk]))
    assert response.status_code == 404
    tasks["theirs"].refresh_from_db()
    assert tasks["theirs"].done_at is None


def test_a_manager_sees_everyones_with_an_assignee_filter(manager_client, other_rep, tasks) -> None:
    response = manager_client.get(URL, {"scope": "all", "bucket": "today"})
    assert set(titles(response)) == {"Qualify Una", "Call the CISO", "Theo's demo"}
    response = manager_client.get(URL, {"scope": "all", "bucket": "today", "assignee": other_rep.pk})
    assert titles(response) == ["Theo's demo"]
    response = manager_client.get(URL, {"scope": "all", "assignee": "none"})
    assert titles(response) == ["Qualify Una"]


def test_mark_done_and_reopen_in_one_click_go_through_the_services(rep_client, sales_rep, tasks) -> None:
    task = tasks["today"]
    back = f"{URL}?bucket=today"
    response = rep_client.post(reverse("admin:leads_leadtask_complete", args=[task.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == sales_rep
    event = task.lead.events.get(kind=LeadEventKind.TASK_COMPLETED, data__task=task.pk)
    assert event.actor == sales_rep
    assert titles(rep_client.get(URL, {"bucket": "done"})) == ["Call the CISO", "Sent the deck"]

    rep_client.post(reverse("admin:leads_leadtask_reopen", args=[task.pk]), {"next": "https://evil.example/"})
    task.refresh_from_db()
    assert task.done_at is None
    assert task.lead.events.filter(kind=LeadEventKind.TASK_REOPENED).count() == 1
    # GET never changes anything.
    assert rep_client.get(reverse("admin:leads_leadtask_complete", args=[task.pk])).status_code == 405


def test_bulk_mark_done_action(rep_client, tasks) -> None:
    ids = [tasks["today"].pk, tasks["upcoming"].pk]
    response = rep_client.post(URL, {"action": "mark_done", "_selected_action": ids})
    assert response.status_code == 302
    assert LeadTask.objects.filter(pk__in=ids, done_at__isnull=False).count() == 2


def test_add_a_task_from_the_list(rep_client, sales_rep, tasks) -> None:
    lead = tasks["today"].lead
    add_url = reverse("admin:leads_leadtask_add")
    form = rep_client.get(add_url, {"lead": str(lead.pk)})
    assert form.status_code == 200 and form.context["adminform"].form.initial["lead"] == str(lead.pk)
    due = timezone.localtime() + timedelta(days=1)
    response = rep_client.post(
        add_url,
        {
            "lead": str(lead.pk),
            "title": "Book the workshop",
            "kind": TaskKind.MEETING,
            "due_at_0": due.strftime("%Y-%m-%d"),
            "due_at_1": "10:00:00",
            "owner": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    task = LeadTask.objects.get(title="Book the workshop")
    assert task.created_by == sales_rep and task.kind == TaskKind.MEETING and task.owner is None
    assert lead.events.filter(kind=LeadEventKind.TASK_CREATED, data__task=task.pk).exists()


def test_adding_a_task_to_a_lead_the_rep_cannot_see_or_for_someone_who_cannot_see_it_is_refused(
    rep_client, other_rep, tasks
) -> None:
    add_url = reverse("admin:leads_leadtask_add")
    due = timezone.localtime() + timedelta(days=1)
    base = {"title": "x", "kind": "call", "due_at_0": due.strftime("%Y-%m-%d"), "due_at_1": "10:00:00"}
    response = rep_client.post(add_url, {**base, "lead": str(tasks["theirs"].lead_id), "owner": ""})
    assert response.status_code == 200 and "lead" in response.context["adminform"].form.errors
    response = rep_client.post(add_url, {**base, "lead": str(tasks["today"].lead_id), "owner": other_rep.pk})
    assert response.status_code == 200 and "cannot see this lead" in str(
        response.context["adminform"].form.errors
    )
    assert not LeadTask.objects.filter(title="x").exists()


def test_editing_a_task_moves_it_through_the_service(rep_client, sales_rep, tasks) -> None:
    task = tasks["upcoming"]
    url = reverse("admin:leads_leadtask_change", args=[task.pk])
    new_due = timezone.localtime(task.due_at) + timedelta(days=1)
    response = rep_client.post(
        url,
        {
            "title": task.title,
            "due_at_0": new_due.strftime("%Y-%m-%d"),
            "due_at_1": new_due.strftime("%H:%M:%S"),
            "owner": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.due_at == new_due.replace(microsecond=0)
    assert task.lead.events.filter(kind=LeadEventKind.TASK_UPDATED, actor=sales_rep).count() == 1


def test_the_list_has_a_fixed_query_count(
    rep_client, sales_rep, django_assert_max_num_queries, tasks
) -> None:
    for i in range(20):
        task_create(
            lead=LeadFactory(owner=sales_rep),
            title=f"t{i}",
            due_at=day_bounds().end + timedelta(hours=i),
            actor=sales_rep,
        )
    with django_assert_max_num_queries(14):
        assert rep_client.get(URL).status_code == 200
