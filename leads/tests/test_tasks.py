"""Tasks on leads: the services keep one timeline entry per change and the lead's next
follow-up equal to its earliest open task; the old follow-up entry points make tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads.models import Lead, LeadEventKind, LeadTask, TaskKind
from leads.selectors import (
    TaskBucket,
    lead_open_tasks,
    task_bucket_counts,
    task_queryset_for_user,
    tasks_in_bucket,
)
from leads.services import (
    lead_schedule_follow_up,
    task_complete,
    task_create,
    task_reopen,
    task_update,
)
from leads.tests.factories import LeadFactory, SalesRepFactory

pytestmark = pytest.mark.django_db

MON = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


def kinds(lead: Lead) -> list[str]:
    return list(lead.events.order_by("created_at", "id").values_list("kind", flat=True))


def test_create_adds_an_open_task_and_moves_the_next_follow_up_to_the_earliest(sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)

    later = task_create(lead=lead, title="Send proposal", due_at=MON + timedelta(days=2), actor=sales_rep)
    sooner = task_create(lead=lead, title="  Call   back ", due_at=MON, actor=sales_rep, kind=TaskKind.CALL)

    lead.refresh_from_db()
    assert lead.next_follow_up_at == MON
    assert sooner.title == "Call back" and sooner.kind == "call" and sooner.created_by == sales_rep
    assert sooner.is_open and later.owner is None and later.assignee == sales_rep
    assert kinds(lead) == [LeadEventKind.TASK_CREATED, LeadEventKind.TASK_CREATED]
    entry = lead.events.filter(data__task=sooner.pk).get()
    assert entry.actor == sales_rep and "Call back" in entry.summary and "Mon 03 Mar 2031" in entry.summary
    assert list(lead_open_tasks(lead=lead)) == [sooner, later]


def test_complete_and_reopen_move_the_next_follow_up_and_write_the_timeline(sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    first = task_create(lead=lead, title="Call", due_at=MON, actor=sales_rep)
    second = task_create(lead=lead, title="Demo", due_at=MON + timedelta(days=1), actor=sales_rep)

    task_complete(task=first, actor=sales_rep)
    lead.refresh_from_db()
    first.refresh_from_db()
    assert lead.next_follow_up_at == second.due_at
    assert first.done_at is not None and first.done_by == sales_rep and not first.is_overdue

    task_complete(task=first, actor=sales_rep)  # a double click: nothing more
    task_complete(task=second, actor=sales_rep)
    lead.refresh_from_db()
    assert lead.next_follow_up_at is None

    task_reopen(task=first, actor=sales_rep)
    lead.refresh_from_db()
    first.refresh_from_db()
    assert lead.next_follow_up_at == MON and first.done_at is None and first.done_by is None
    assert kinds(lead) == [
        LeadEventKind.TASK_CREATED,
        LeadEventKind.TASK_CREATED,
        LeadEventKind.TASK_COMPLETED,
        LeadEventKind.TASK_COMPLETED,
        LeadEventKind.TASK_REOPENED,
    ]


def test_update_writes_one_entry_naming_each_change_and_nothing_for_no_change(sales_rep) -> None:
    lead = LeadFactory(owner=None)
    task = task_create(lead=lead, title="Call", due_at=MON, actor=sales_rep)

    task_update(task=task, actor=sales_rep, title="Call", due_at=MON)
    assert kinds(lead) == [LeadEventKind.TASK_CREATED]

    task_update(
        task=task, actor=sales_rep, title="Call the CISO", due_at=MON + timedelta(hours=3), owner=sales_rep
    )
    task.refresh_from_db()
    lead.refresh_from_db()
    assert task.title == "Call the CISO" and task.owner == sales_rep
    assert lead.next_follow_up_at == MON + timedelta(hours=3)
    entry = lead.events.get(kind=LeadEventKind.TASK_UPDATED)
    assert "renamed" in entry.summary and "moved to" in entry.summary and "given to rep" in entry.summary
    assert entry.actor == sales_rep


@pytest.mark.parametrize(
    ("title", "due_at", "kind", "field"),
    [
        ("   ", MON, TaskKind.CALL, "title"),
        ("x" * 201, MON, TaskKind.CALL, "title"),
        ("Call", None, TaskKind.CALL, "due_at"),
        ("Call", datetime(2031, 3, 3, 9, 0), TaskKind.CALL, "due_at"),
        ("Call", MON, "party", "kind"),
    ],
)
def test_create_refuses_bad_input(sales_rep, title, due_at, kind, field) -> None:
    lead = LeadFactory(owner=sales_rep)
    with pytest.raises(ValidationError) as excinfo:
        task_create(lead=lead, title=title, due_at=due_at, actor=sales_rep, kind=kind)
    assert field in excinfo.value.message_dict
    assert not LeadTask.objects.exists() and not lead.events.exists()


def test_a_task_cannot_go_to_someone_who_cannot_see_the_lead(sales_rep, other_rep, sales_manager) -> None:
    lead = LeadFactory(owner=sales_rep)
    with pytest.raises(ValidationError, match="cannot see this lead"):
        task_create(lead=lead, title="Call", due_at=MON, owner=other_rep, actor=sales_rep)
    inactive = SalesRepFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError, match="not an active staff user"):
        task_create(lead=LeadFactory(owner=None), title="Call", due_at=MON, owner=inactive, actor=sales_rep)
    # A manager sees every lead, so may be given any task.
    assert (
        task_create(lead=lead, title="Review", due_at=MON, owner=sales_manager, actor=sales_rep).owner
        == sales_manager
    )


# --- The old follow-up entry point: a follow-up task ---------------------------------------------


def test_schedule_follow_up_creates_then_moves_then_completes_the_follow_up_task(sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    call = task_create(
        lead=lead, title="Call", due_at=MON + timedelta(days=5), actor=sales_rep, kind=TaskKind.CALL
    )

    lead_schedule_follow_up(lead=lead, at=MON, actor=sales_rep)
    follow_up = lead.tasks.get(kind=TaskKind.FOLLOW_UP)
    lead.refresh_from_db()
    assert follow_up.title == "Follow up" and follow_up.due_at == MON and lead.next_follow_up_at == MON

    lead_schedule_follow_up(lead=lead, at=MON + timedelta(days=1), actor=sales_rep)
    lead_schedule_follow_up(lead=lead, at=MON + timedelta(days=1), actor=sales_rep)  # no change
    assert lead.tasks.filter(kind=TaskKind.FOLLOW_UP).count() == 1
    lead.refresh_from_db()
    assert lead.next_follow_up_at == MON + timedelta(days=1)

    # None: the follow-up is done; the call stays and is now the next thing to do.
    lead_schedule_follow_up(lead=lead, at=None, actor=sales_rep)
    lead.refresh_from_db()
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == sales_rep
    assert lead.next_follow_up_at == call.due_at
    assert kinds(lead)[1:] == [LeadEventKind.FOLLOW_UP_SCHEDULED] * 3
    assert lead.events.filter(kind=LeadEventKind.FOLLOW_UP_SCHEDULED).first().summary == "Follow-up cleared"


def test_schedule_follow_up_refuses_a_naive_time(sales_rep) -> None:
    with pytest.raises(ValidationError, match="time zone"):
        lead_schedule_follow_up(lead=LeadFactory(), at=datetime(2031, 1, 1, 9, 0), actor=sales_rep)


def test_the_data_migration_turns_each_follow_up_into_an_open_task() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("leads.migrations.0009_follow_ups_become_tasks")
    with_follow_up = LeadFactory()
    Lead.objects.filter(pk=with_follow_up.pk).update(next_follow_up_at=MON)
    without = LeadFactory()

    migration.follow_ups_to_tasks(apps, None)

    task = LeadTask.objects.get()
    assert task.lead_id == with_follow_up.pk and task.due_at == MON and task.done_at is None
    assert task.kind == TaskKind.FOLLOW_UP and task.title == "Follow up"
    assert not without.tasks.exists()


# --- Selectors: buckets and scope -------------------------------------------------------------------


def test_buckets_are_local_days(settings, sales_rep) -> None:
    settings.TIME_ZONE = "America/New_York"
    today = date(2031, 3, 3)
    lead = LeadFactory(owner=sales_rep)
    # 22:00 on 3 March in New York is already 4 March in UTC: still due today there.
    late_today = task_create(
        lead=lead, title="Late", due_at=datetime(2031, 3, 4, 3, 0, tzinfo=UTC), actor=sales_rep
    )
    overdue = task_create(
        lead=lead, title="Old", due_at=datetime(2031, 3, 3, 4, 59, tzinfo=UTC), actor=sales_rep
    )
    upcoming = task_create(
        lead=lead, title="Next", due_at=datetime(2031, 3, 4, 5, 0, tzinfo=UTC), actor=sales_rep
    )
    done = task_create(lead=lead, title="Done", due_at=MON, actor=sales_rep)
    task_complete(task=done, actor=sales_rep)

    mine = task_queryset_for_user(user=sales_rep)
    assert list(tasks_in_bucket(mine, bucket=TaskBucket.TODAY, today=today)) == [late_today]
    assert list(tasks_in_bucket(mine, bucket=TaskBucket.OVERDUE, today=today)) == [overdue]
    assert list(tasks_in_bucket(mine, bucket=TaskBucket.UPCOMING, today=today)) == [upcoming]
    assert list(tasks_in_bucket(mine, bucket=TaskBucket.DONE, today=today)) == [done]
    assert task_bucket_counts(mine, today=today) == {"today": 1, "overdue": 1, "upcoming": 1, "done": 1}


def test_a_rep_sees_tasks_they_own_and_tasks_on_leads_they_may_see(
    sales_rep, other_rep, sales_manager
) -> None:
    own_lead = LeadFactory(owner=sales_rep)
    theirs = LeadFactory(owner=other_rep)
    unassigned = LeadFactory(owner=None)
    on_own = task_create(lead=own_lead, title="a", due_at=MON, actor=sales_rep)
    on_unassigned = task_create(lead=unassigned, title="b", due_at=MON, actor=sales_rep)
    on_theirs = task_create(lead=theirs, title="c", due_at=MON, actor=other_rep)
    # Given to the manager on the rep's lead: the rep still sees it (it is on their lead).
    given = task_create(lead=own_lead, title="d", due_at=MON, owner=sales_manager, actor=sales_rep)

    assert set(task_queryset_for_user(user=sales_rep)) == {on_own, on_unassigned, given}
    assert set(task_queryset_for_user(user=other_rep)) == {on_theirs, on_unassigned}
    assert set(task_queryset_for_user(user=sales_manager)) == {on_own, on_unassigned, on_theirs, given}
    # "Mine": owned by me, or unowned on my lead.
    assert set(task_queryset_for_user(user=sales_rep, mine=True)) == {on_own}
    assert set(task_queryset_for_user(user=sales_manager, mine=True)) == {given}


def test_is_overdue_is_before_today() -> None:
    now = timezone.now()
    lead = LeadFactory()
    assert LeadTask(lead=lead, title="x", due_at=now - timedelta(days=1)).is_overdue
    assert not LeadTask(lead=lead, title="x", due_at=now + timedelta(days=1)).is_overdue
    assert not LeadTask(lead=lead, title="x", due_at=now - timedelta(days=1), done_at=now).is_overdue


def test_merging_leads_moves_their_tasks_and_the_next_follow_up_follows(sales_rep) -> None:
    from leads.duplicates import lead_merge

    keep = LeadFactory(owner=sales_rep, email="ann@acme.example")
    other = LeadFactory(owner=sales_rep, email="ann.smith@acme.example")
    task_create(lead=keep, title="Later", due_at=MON + timedelta(days=3), actor=sales_rep)
    sooner = task_create(lead=other, title="Sooner", due_at=MON, actor=sales_rep)

    lead_merge(keep=keep, others=[other], actor=sales_rep)

    keep.refresh_from_db()
    assert set(keep.tasks.values_list("title", flat=True)) == {"Later", "Sooner"}
    assert keep.next_follow_up_at == sooner.due_at
