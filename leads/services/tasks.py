"""Tasks on leads: create, change, complete, reopen, and the lead's next follow-up.

Every function locks the lead, writes exactly one timeline entry per change (with the actor),
and leaves `Lead.next_follow_up_at` equal to the due time of the lead's earliest open task
(None when it has none). That column is what the lead queue, the dashboard and the API read, so
it must never drift from the tasks: only these functions (and `lead_schedule_follow_up`, which
is written with them) change a task.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from ..models import Lead, LeadEventKind, LeadTask, TaskKind
from ..selectors import user_may_see_lead
from .events import lead_event_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

TASK_TITLE_MAX_LENGTH = 200
#: The title of the task `lead_schedule_follow_up` (API, import, the lead form's field) creates.
FOLLOW_UP_TITLE = "Follow up"


class _Unset:
    """`task_update`'s default: "leave this field as it is" (None is a value: no owner)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _staff(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None


def _local(at: datetime) -> str:
    return f"{timezone.localtime(at):%a %d %b %Y %H:%M}"


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Say what needs doing."})
    if len(title) > TASK_TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": f"Keep the title under {TASK_TITLE_MAX_LENGTH} characters (this one has {len(title)})."}
        )
    return title


def _clean_due(due_at: datetime | None, *, field: str = "due_at") -> datetime:
    if due_at is None:
        raise ValidationError({field: "Give a due date and time."})
    if timezone.is_naive(due_at):
        raise ValidationError({field: "Give a time zone with the due time."})
    return due_at


def _clean_owner(owner: AbstractBaseUser | None, *, lead: Lead) -> AbstractBaseUser | None:
    """An owner must be active staff who may see the lead: a task given to a rep who cannot
    open the lead would be a task nobody can do."""
    if owner is None:
        return None
    if not (owner.is_active and owner.is_staff):
        raise ValidationError({"owner": f"{owner.get_username()} is not an active staff user."})
    if not user_may_see_lead(user=owner, lead=lead):
        raise ValidationError(
            {"owner": f"{owner.get_username()} cannot see this lead (it belongs to another rep)."}
        )
    return owner


def _owner_label(owner: AbstractBaseUser | None, *, lead: Lead) -> str:
    if owner is not None:
        return owner.get_username()
    if lead.owner_id:
        return f"the lead's owner ({lead.owner.get_username()})"
    return "the lead's owner (unassigned)"


def lead_sync_next_follow_up(*, lead: Lead) -> Lead:
    """Set `lead.next_follow_up_at` to its earliest open task's due time (one query, plus a save
    when it differs). Called by every task change inside its transaction; callers hold the lead
    locked."""
    earliest = lead.tasks.filter(done_at__isnull=True).aggregate(at=Min("due_at"))["at"]
    if lead.next_follow_up_at != earliest:
        lead.next_follow_up_at = earliest
        lead.save(update_fields=["next_follow_up_at", "updated_at"])
    return lead


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _locked_task(task: LeadTask) -> tuple[LeadTask, Lead]:
    """The task and its lead, locked lead first (the order every task function takes)."""
    lead = _locked(Lead(pk=task.lead_id))
    task = LeadTask.objects.select_for_update().get(pk=task.pk)
    task.lead = lead
    return task, lead


def _task_data(task: LeadTask, **extra: Any) -> dict[str, Any]:
    return {
        "task": task.pk,
        "title": task.title,
        "kind": task.kind,
        "due_at": task.due_at.isoformat(),
        "owner": task.owner.get_username() if task.owner_id else None,
        **extra,
    }


def _task_changed(
    *,
    task: LeadTask,
    lead: Lead,
    kind: str,
    summary: str,
    actor: AbstractBaseUser | None,
    actor_label: str,
) -> None:
    """What every task change does after saving: one timeline entry, then the lead's next
    follow-up recomputed (the earliest open task)."""
    lead_event_record(
        lead=lead, kind=kind, summary=summary, data=_task_data(task), actor=actor, actor_label=actor_label
    )
    lead_sync_next_follow_up(lead=lead)


@transaction.atomic
def task_create(
    *,
    lead: Lead,
    title: str,
    due_at: datetime,
    owner: AbstractBaseUser | None = None,
    actor: AbstractBaseUser | None,
    kind: str = TaskKind.FOLLOW_UP,
    actor_label: str = "system",
) -> LeadTask:
    """Add an open task to the lead. `owner` None means the lead's owner (whoever that is when
    the task is due). Raises ValidationError keyed by field for a blank or over-long title, a
    naive or missing due time, an unknown kind, or an owner who may not see the lead."""
    title = _clean_title(title)
    due_at = _clean_due(due_at)
    if kind not in TaskKind.values:
        raise ValidationError({"kind": f"Unknown task kind {kind!r}."})
    owner = _clean_owner(owner, lead=lead)
    lead = _locked(lead)
    task = LeadTask.objects.create(
        lead=lead, title=title, kind=kind, due_at=due_at, owner=owner, created_by=_staff(actor)
    )
    _task_changed(
        task=task,
        lead=lead,
        kind=LeadEventKind.TASK_CREATED,
        summary=f"Task “{title}” due {_local(due_at)} for {_owner_label(owner, lead=lead)}",
        actor=actor,
        actor_label=actor_label,
    )
    return task


@transaction.atomic
def task_update(
    *,
    task: LeadTask,
    actor: AbstractBaseUser | None,
    title: str = UNSET,
    due_at: datetime = UNSET,
    owner: AbstractBaseUser | None = UNSET,
    actor_label: str = "system",
) -> LeadTask:
    """Change a task's title, due time or owner (only those given). One timeline entry names
    every change; nothing changed writes nothing."""
    task, lead = _locked_task(task)
    changes: list[str] = []
    if title is not UNSET and (title := _clean_title(title)) != task.title:
        changes.append(f"renamed to “{title}”")
        task.title = title
    if due_at is not UNSET and (due_at := _clean_due(due_at)) != task.due_at:
        changes.append(f"moved to {_local(due_at)}")
        task.due_at = due_at
    if owner is not UNSET and (owner.pk if owner else None) != task.owner_id:
        owner = _clean_owner(owner, lead=lead)
        changes.append(f"given to {_owner_label(owner, lead=lead)}")
        task.owner = owner
    if not changes:
        return task
    task.save(update_fields=["title", "due_at", "owner"])
    _task_changed(
        task=task,
        lead=lead,
        kind=LeadEventKind.TASK_UPDATED,
        summary=f"Task “{task.title}” " + ", ".join(changes),
        actor=actor,
        actor_label=actor_label,
    )
    return task


@transaction.atomic
def task_complete(*, task: LeadTask, actor: AbstractBaseUser | None, actor_label: str = "system") -> LeadTask:
    """Mark the task done. Completing a done task changes nothing (a double click, two tabs)."""
    task, lead = _locked_task(task)
    if task.done_at is not None:
        return task
    task.done_at = timezone.now()
    task.done_by = _staff(actor)
    task.save(update_fields=["done_at", "done_by"])
    overdue = " (was overdue)" if task.due_at < _today_start() else ""
    _task_changed(
        task=task,
        lead=lead,
        kind=LeadEventKind.TASK_COMPLETED,
        summary=f"Completed task “{task.title}”{overdue}",
        actor=actor,
        actor_label=actor_label,
    )
    return task


@transaction.atomic
def task_reopen(*, task: LeadTask, actor: AbstractBaseUser | None, actor_label: str = "system") -> LeadTask:
    """Open a done task again (marked done by mistake). Reopening an open task changes nothing."""
    task, lead = _locked_task(task)
    if task.done_at is None:
        return task
    task.done_at = None
    task.done_by = None
    task.save(update_fields=["done_at", "done_by"])
    _task_changed(
        task=task,
        lead=lead,
        kind=LeadEventKind.TASK_REOPENED,
        summary=f"Reopened task “{task.title}”, due {_local(task.due_at)}",
        actor=actor,
        actor_label=actor_label,
    )
    return task


def _today_start() -> datetime:
    from ..days import day_bounds

    return day_bounds().start


@transaction.atomic
def lead_schedule_follow_up(
    *, lead: Lead, at: datetime | None, actor: AbstractBaseUser | None = None, actor_label: str = "system"
) -> Lead:
    """Set when someone should get back to the lead, as a follow-up task: the API's PATCH of
    `next_follow_up_at`, the lead form's field, the bulk action and imports all call this.

    A time moves the lead's earliest open follow-up task there, or creates one ("Follow up",
    owned by whoever owns the lead) when it has none. None marks the lead's open follow-up tasks
    done: "nothing left to follow up". Tasks of other kinds (a call, a meeting) stay, so the
    lead's `next_follow_up_at` afterwards is the earliest of those, or None. One timeline entry
    ("Follow-up scheduled") per change; a time equal to the current one changes nothing.
    """
    if at is not None and timezone.is_naive(at):
        raise ValidationError({"next_follow_up_at": "Give a time zone with the follow-up time."})
    lead = _locked(lead)
    open_follow_ups = list(
        lead.tasks.select_for_update()
        .filter(done_at__isnull=True, kind=TaskKind.FOLLOW_UP)
        .order_by("due_at", "pk")
    )
    if at is None:
        if not open_follow_ups:
            return lead_sync_next_follow_up(lead=lead)
        now = timezone.now()
        LeadTask.objects.filter(pk__in=[task.pk for task in open_follow_ups]).update(
            done_at=now, done_by=_staff(actor)
        )
        summary = "Follow-up cleared"
        data: dict[str, Any] = {"at": None, "tasks": [task.pk for task in open_follow_ups]}
    else:
        task = open_follow_ups[0] if open_follow_ups else None
        if task is not None and task.due_at == at:
            return lead_sync_next_follow_up(lead=lead)
        if task is None:
            task = LeadTask.objects.create(
                lead=lead, title=FOLLOW_UP_TITLE, kind=TaskKind.FOLLOW_UP, due_at=at, created_by=_staff(actor)
            )
        else:
            task.due_at = at
            task.save(update_fields=["due_at"])
        summary = f"Follow-up set for {at:%Y-%m-%d %H:%M %Z}"
        data = {"at": at.isoformat(), "task": task.pk}
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.FOLLOW_UP_SCHEDULED,
        summary=summary,
        data=data,
        actor=actor,
        actor_label=actor_label,
    )
    return lead_sync_next_follow_up(lead=lead)
