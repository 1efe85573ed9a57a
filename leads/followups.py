"""Follow-ups: which are due, and the daily reminder digest of due tasks, by e-mail.

Days are days of `settings.TIME_ZONE` (the sales team's calendar), not UTC: a task due at
23:30 local time is due "today" for the rep even when it is already tomorrow in UTC.

*Due today* is a due time inside today's local bounds; *overdue* is one before today's start.
Closed leads (won or lost) are left out: a task left on a closed deal is stale and would only be
noise in a digest or on the dashboard. (A lead's `next_follow_up_at` is its earliest open task,
so the dashboard's lead counts and the digest's tasks agree.)

The reminder digest is meant for cron, once per working day::

    0 7 * * 1-5  cd /srv/app && .venv/bin/python manage.py send_followup_reminders

Who gets what: each open task due today or overdue goes to its assignee (the task's owner, else
the lead's owner). A task nobody active is assigned (an unassigned lead, or a rep who left) goes
into one digest addressed to all active sales managers with an e-mail address (none: active
superusers with one), once, so the queue is not forgotten. An assignee without an e-mail address
is reported as such (dry run and real run alike) and is not a failure: nothing could be sent.

Idempotent per day: a task put in a digest has its `reminded_on` set to the day in the same
transaction as the send, and a later run that day leaves it out. So a second run (cron retried,
someone ran it by hand) sends nothing, while a task moved to today after the morning run is
still reminded by a later run. Each lead in a digest also gets an `email_sent` timeline entry
(`data={"digest": "follow_up", "digest_date": "YYYY-MM-DD", "to": ...}`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from enterprise_scanner.jobs.mail import send_once

from .days import DayBounds, day_bounds
from .models import Lead, LeadEventKind, LeadStatus, LeadTask
from .selectors import SALES_MANAGER_GROUP
from .services import lead_event_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

#: Statuses whose follow-ups count: everything but closed deals.
CLOSED_STATUSES = (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST)
#: `LeadEvent.data["digest"]` of the timeline entries the reminder digest writes.
DIGEST_MARK = "follow_up"
REMINDER_ACTOR_LABEL = "follow-up reminders"


def follow_up_day_bounds(*, today: date | None = None) -> DayBounds:
    """Today's bounds in `settings.TIME_ZONE` (the same for the dashboard, the digest, My tasks
    and the changelist's "follow-up due" filter, so their numbers agree)."""
    return day_bounds(today=today)


def follow_ups_due_q(*, bounds: DayBounds) -> Q:
    """Open leads whose follow-up is due today or overdue (anything before tomorrow)."""
    return Q(next_follow_up_at__lt=bounds.end) & ~Q(status__in=CLOSED_STATUSES)


def follow_ups_due_today_q(*, bounds: DayBounds) -> Q:
    return Q(next_follow_up_at__gte=bounds.start, next_follow_up_at__lt=bounds.end) & ~Q(
        status__in=CLOSED_STATUSES
    )


def follow_ups_overdue_q(*, bounds: DayBounds) -> Q:
    return Q(next_follow_up_at__lt=bounds.start) & ~Q(status__in=CLOSED_STATUSES)


# --- The daily digest ---------------------------------------------------------------------------


@dataclass
class DigestLine:
    """One due task in a digest, with what the e-mail shows about it."""

    task: LeadTask
    admin_url: str
    overdue: bool

    @property
    def lead(self) -> Lead:
        return self.task.lead


@dataclass
class RepDigest:
    """One digest: a rep's due tasks, or (`rep` None) the team's unassigned ones, which go to
    `recipients` (the sales managers) in one message."""

    rep: AbstractBaseUser | None
    recipients: list[AbstractBaseUser] = field(default_factory=list)
    lines: list[DigestLine] = field(default_factory=list)
    sent: bool = False
    error: str = ""

    @property
    def name(self) -> str:
        if self.rep is not None:
            return self.rep.get_username()
        return "unassigned (to " + ", ".join(user.get_username() for user in self.recipients) + ")"

    @property
    def emails(self) -> list[str]:
        return [user.email for user in self.recipients if user.email]

    @property
    def due_today(self) -> list[DigestLine]:
        return [line for line in self.lines if not line.overdue]

    @property
    def overdue(self) -> list[DigestLine]:
        return [line for line in self.lines if line.overdue]

    @property
    def lead_count(self) -> int:
        return len({line.lead.pk for line in self.lines})


@dataclass
class ReminderReport:
    """What a run did (or, with `dry_run`, would do)."""

    day: date
    dry_run: bool = False
    digests: list[RepDigest] = field(default_factory=list)
    #: Due tasks that were already in a digest sent earlier the same day.
    already_reminded: int = 0
    #: Due tasks nobody gets a reminder for: assigned to nobody active, and no sales manager or
    #: superuser has an e-mail address to take them.
    without_active_owner: int = 0
    #: Assignees with due tasks but no e-mail address: nothing can be sent to them.
    without_email: list[RepDigest] = field(default_factory=list)

    @property
    def digests_sent(self) -> int:
        return sum(1 for digest in self.digests if digest.sent)

    def _counted(self) -> list[RepDigest]:
        return [digest for digest in self.digests if digest.sent or self.dry_run]

    @property
    def tasks_reminded(self) -> int:
        return sum(len(digest.lines) for digest in self._counted())

    @property
    def leads_reminded(self) -> int:
        return len({line.lead.pk for digest in self._counted() for line in digest.lines})

    @property
    def failures(self) -> list[RepDigest]:
        return [digest for digest in self.digests if digest.error]


def _due_tasks(*, bounds: DayBounds) -> QuerySet[LeadTask]:
    """Open tasks due before tomorrow on open leads, soonest first."""
    return (
        LeadTask.objects.filter(done_at__isnull=True, due_at__lt=bounds.end)
        .exclude(lead__status__in=CLOSED_STATUSES)
        .select_related("lead__company", "lead__owner", "owner")
        .order_by("due_at", "-lead__score", "pk")
    )


def unassigned_task_recipients() -> list[AbstractBaseUser]:
    """Who is told about due tasks nobody active is assigned: the active sales managers with an
    e-mail address, or, when there are none, the active superusers with one."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("username")
    managers = list(users.filter(groups__name=SALES_MANAGER_GROUP).distinct())
    return managers or list(users.filter(is_superuser=True))


def _admin_url(lead: Lead) -> str:
    return settings.SITE_URL + reverse("admin:leads_lead_change", args=[lead.pk])


def _plan(*, bounds: DayBounds, report: ReminderReport) -> None:
    """Sort the day's due tasks into digests (the report's), counting what is left out."""
    by_rep: dict[int, RepDigest] = {}
    team = RepDigest(rep=None)
    for task in _due_tasks(bounds=bounds):
        if task.reminded_on == bounds.day:
            report.already_reminded += 1
            continue
        line = DigestLine(task=task, admin_url=_admin_url(task.lead), overdue=task.due_at < bounds.start)
        assignee = task.assignee
        if assignee is None or not assignee.is_active:
            team.lines.append(line)
        else:
            by_rep.setdefault(assignee.pk, RepDigest(rep=assignee, recipients=[assignee])).lines.append(line)
    digests = sorted(by_rep.values(), key=lambda digest: digest.rep.get_username())
    if team.lines:
        team.recipients = unassigned_task_recipients()
        if team.recipients:
            digests.append(team)
        else:
            report.without_active_owner += len(team.lines)
    report.without_email = [digest for digest in digests if not digest.emails]
    report.digests = [digest for digest in digests if digest.emails]


def send_followup_reminders(*, today: date | None = None, dry_run: bool = False) -> ReminderReport:
    """E-mail each active rep one digest of their tasks due today and overdue, and the sales
    managers one digest of the due tasks nobody active is assigned.

    Reps with nothing due get nothing. Each digest is sent and recorded in its own transaction,
    holding row locks on its tasks: the tasks are marked reminded and the timeline entries
    written, the mail is sent last (`send_once`), then they commit, so a failed send rolls them
    back and the next run retries it, and a second run at the same moment waits for the locks
    and then finds the tasks already reminded. One digest's failure (bad address, SMTP error)
    does not stop the others; it is in the report. Assignees without an e-mail address are in
    `report.without_email`, not failures: there was nothing to try.
    """
    bounds = follow_up_day_bounds(today=today)
    report = ReminderReport(day=bounds.day, dry_run=dry_run)
    _plan(bounds=bounds, report=report)
    if dry_run:
        return report
    for digest in report.digests:
        try:
            _send_digest(digest=digest, bounds=bounds)
        except Exception as exc:  # one digest's bad address or SMTP error must not stop the others
            logger.exception("Follow-up digest for %s failed", digest.name)
            digest.error = f"{type(exc).__name__}: {exc}"
    return report


def _still_due_ids(*, digest: RepDigest, bounds: DayBounds) -> set[int]:
    """Lock the digest's tasks; the ids of those still open, due, not reminded today and still
    for the same person (a task done, moved or reassigned meanwhile is left out)."""
    rows = (
        LeadTask.objects.select_for_update(of=("self",))
        .filter(pk__in=[line.task.pk for line in digest.lines], done_at__isnull=True, due_at__lt=bounds.end)
        .exclude(lead__status__in=CLOSED_STATUSES)
        .exclude(reminded_on=bounds.day)
        .values_list("pk", "owner_id", "lead__owner_id")
    )
    planned = {line.task.pk: (line.task.owner_id or line.lead.owner_id) for line in digest.lines}
    return {pk for pk, owner_id, lead_owner_id in rows if (owner_id or lead_owner_id) == planned[pk]}


@transaction.atomic
def _send_digest(*, digest: RepDigest, bounds: DayBounds) -> None:
    """Lock the digest's tasks, drop any done, moved or reminded meanwhile, record, send."""
    still_due = _still_due_ids(digest=digest, bounds=bounds)
    digest.lines = [line for line in digest.lines if line.task.pk in still_due]
    if not digest.lines:
        return
    to = digest.emails
    rep = digest.rep
    context = {
        "rep": rep,
        "team": rep is None,
        "day": bounds.day,
        "due_today": digest.due_today,
        "overdue": digest.overdue,
        "sections": [
            {"title": "Overdue", "lines": digest.overdue, "overdue": True},
            {"title": "Due today", "lines": digest.due_today, "overdue": False},
        ],
        "tasks_url": settings.SITE_URL + reverse("admin:leads_leadtask_changelist"),
        "changelist_url": settings.SITE_URL + reverse("admin:leads_lead_changelist"),
        "admin_url": settings.SITE_URL + reverse("admin:index"),
    }
    prefix = "Unassigned tasks" if rep is None else "Follow-ups"
    subject = (
        f"{prefix} for {bounds.day:%a %d %b}: {len(digest.due_today)} due today, "
        f"{len(digest.overdue)} overdue"
    )
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("leads/email/followup_digest.txt", context), to=to
    )
    message.attach_alternative(render_to_string("leads/email/followup_digest.html", context), "text/html")
    LeadTask.objects.filter(pk__in=still_due).update(reminded_on=bounds.day)
    to_label = rep.get_username() if rep is not None else "the sales managers"
    by_lead: dict[object, list[DigestLine]] = {}
    for line in digest.lines:
        by_lead.setdefault(line.lead.pk, []).append(line)
    for lines in by_lead.values():
        overdue = any(line.overdue for line in lines)
        titles = ", ".join(f"“{line.task.title}”" for line in lines)
        lead_event_record(
            lead=lines[0].lead,
            kind=LeadEventKind.EMAIL_SENT,
            summary=f"Follow-up reminder e-mailed to {to_label} ({'overdue' if overdue else 'due today'}): {titles}",
            data={"digest": DIGEST_MARK, "digest_date": bounds.day.isoformat(), "to": ", ".join(to)},
            actor_label=REMINDER_ACTOR_LABEL,
        )
    # Recorded first, sent last: only a crash between the SMTP hand-off and COMMIT can repeat
    # the digest, and then with the same Message-ID (the key names the recipient, day and tasks).
    tasks_key = hashlib.sha256(",".join(sorted(str(pk) for pk in still_due)).encode()).hexdigest()[:16]
    who = rep.pk if rep is not None else "team"
    digest.sent = send_once(message, key=f"followup-digest:{who}:{bounds.day.isoformat()}:{tasks_key}")
    if not digest.sent:
        transaction.set_rollback(True)
