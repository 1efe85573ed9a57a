"""Follow-ups: which are due, and the daily reminder digest each rep gets by e-mail.

Days are days of `settings.TIME_ZONE` (the sales team's calendar), not UTC: a follow-up set
for 23:30 local time is due "today" for the rep even when it is already tomorrow in UTC.

*Due today* is a follow-up time inside today's local bounds; *overdue* is one before today's
start. Closed leads (won or lost) are left out: a follow-up left on a closed deal is stale and
would only be noise in a rep's digest or on the dashboard.

The reminder digest is meant for cron, once per working day::

    0 7 * * 1-5  cd /srv/app && .venv/bin/python manage.py send_followup_reminders

It is idempotent per day without any table of its own: each lead put in a digest gets an
`email_sent` timeline entry with `data={"digest_date": "YYYY-MM-DD", "to": ..., "digest":
"follow_up"}`, and a later run for the same day leaves out leads that already have one. So a
second run (cron retried, someone ran it by hand) sends nothing, while a lead whose follow-up is
moved to today after the morning run is still reminded by a later run.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from enterprise_scanner.jobs.mail import send_once

from .days import DayBounds, day_bounds
from .models import Lead, LeadEvent, LeadEventKind, LeadStatus
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
    """One lead in a digest, with what the e-mail shows about it."""

    lead: Lead
    admin_url: str
    overdue: bool


@dataclass
class RepDigest:
    """One rep's digest: their open leads due today or overdue, not yet reminded today."""

    rep: AbstractBaseUser
    lines: list[DigestLine] = field(default_factory=list)
    sent: bool = False
    error: str = ""

    @property
    def due_today(self) -> list[DigestLine]:
        return [line for line in self.lines if not line.overdue]

    @property
    def overdue(self) -> list[DigestLine]:
        return [line for line in self.lines if line.overdue]


@dataclass
class ReminderReport:
    """What a run did (or, with `dry_run`, would do)."""

    day: date
    dry_run: bool = False
    digests: list[RepDigest] = field(default_factory=list)
    #: Leads due for this day that were already in a digest sent earlier the same day.
    already_reminded: int = 0
    #: Due leads nobody gets a reminder for: unassigned, or owned by an inactive user.
    without_active_owner: int = 0

    @property
    def digests_sent(self) -> int:
        return sum(1 for digest in self.digests if digest.sent)

    @property
    def leads_reminded(self) -> int:
        return sum(len(digest.lines) for digest in self.digests if digest.sent or self.dry_run)

    @property
    def failures(self) -> list[RepDigest]:
        return [digest for digest in self.digests if digest.error]


def _due_leads(*, bounds: DayBounds) -> QuerySet[Lead]:
    return (
        Lead.objects.filter(follow_ups_due_q(bounds=bounds))
        .select_related("company", "owner")
        .order_by("next_follow_up_at", "-score")
    )


def _reminded_lead_ids(*, lead_ids: Iterable[uuid.UUID] | QuerySet[Lead], day: date) -> set[uuid.UUID]:
    """Which of these leads were already in a digest for `day` (a subquery when given a queryset,
    so a long overdue list never hits the database's limit on query parameters)."""
    return set(
        LeadEvent.objects.filter(
            lead_id__in=lead_ids,
            kind=LeadEventKind.EMAIL_SENT,
            data__digest=DIGEST_MARK,
            data__digest_date=day.isoformat(),
        ).values_list("lead_id", flat=True)
    )


def _admin_url(lead: Lead) -> str:
    return settings.SITE_URL + reverse("admin:leads_lead_change", args=[lead.pk])


def send_followup_reminders(*, today: date | None = None, dry_run: bool = False) -> ReminderReport:
    """E-mail each active rep one digest of their follow-ups due today and overdue.

    Reps with nothing due get nothing. Each rep's digest is sent and recorded in its own
    transaction, holding row locks on the rep's leads: the timeline entries are written, the mail
    is sent last (`send_once`), then they commit, so a failed send rolls them back and the next
    run retries it, and a second
    run at the same moment waits for the locks and then finds the leads already reminded. One
    rep's failure (bad address, SMTP error) does not stop the others; it is in the report.
    """
    bounds = follow_up_day_bounds(today=today)
    report = ReminderReport(day=bounds.day, dry_run=dry_run)
    due = list(_due_leads(bounds=bounds))
    reminded = _reminded_lead_ids(lead_ids=_due_leads(bounds=bounds).values("pk"), day=bounds.day)

    by_rep: dict[int, RepDigest] = {}
    for lead in due:
        if lead.pk in reminded:
            report.already_reminded += 1
            continue
        owner = lead.owner
        if owner is None or not owner.is_active:
            report.without_active_owner += 1
            continue
        digest = by_rep.setdefault(owner.pk, RepDigest(rep=owner))
        digest.lines.append(
            DigestLine(lead=lead, admin_url=_admin_url(lead), overdue=lead.next_follow_up_at < bounds.start)
        )
    report.digests = sorted(by_rep.values(), key=lambda digest: digest.rep.get_username())
    if dry_run:
        return report

    for digest in report.digests:
        if not digest.rep.email:
            digest.error = "The user has no e-mail address."
            continue
        try:
            _send_digest(digest=digest, bounds=bounds)
        except Exception as exc:  # one rep's bad address or SMTP error must not stop the others
            logger.exception("Follow-up digest for %s failed", digest.rep.get_username())
            digest.error = f"{type(exc).__name__}: {exc}"
    return report


@transaction.atomic
def _send_digest(*, digest: RepDigest, bounds: DayBounds) -> None:
    """Lock the digest's leads, drop any reminded or changed meanwhile, send, record."""
    rep = digest.rep
    lead_ids = [line.lead.pk for line in digest.lines]
    still_due = set(
        Lead.objects.select_for_update()
        .filter(follow_ups_due_q(bounds=bounds), pk__in=lead_ids, owner=rep)
        .values_list("pk", flat=True)
    )
    still_due -= _reminded_lead_ids(lead_ids=list(still_due), day=bounds.day)
    digest.lines = [line for line in digest.lines if line.lead.pk in still_due]
    if not digest.lines:
        return
    context = {
        "rep": rep,
        "day": bounds.day,
        "due_today": digest.due_today,
        "overdue": digest.overdue,
        "sections": [
            {"title": "Overdue", "lines": digest.overdue, "overdue": True},
            {"title": "Due today", "lines": digest.due_today, "overdue": False},
        ],
        "changelist_url": settings.SITE_URL + reverse("admin:leads_lead_changelist"),
        "admin_url": settings.SITE_URL + reverse("admin:index"),
    }
    subject = (
        f"Follow-ups for {bounds.day:%a %d %b}: {len(digest.due_today)} due today, "
        f"{len(digest.overdue)} overdue"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("leads/email/followup_digest.txt", context),
        to=[rep.email],
    )
    message.attach_alternative(render_to_string("leads/email/followup_digest.html", context), "text/html")
    for line in digest.lines:
        lead_event_record(
            lead=line.lead,
            kind=LeadEventKind.EMAIL_SENT,
            summary=f"Follow-up reminder e-mailed to {rep.get_username()} ({'overdue' if line.overdue else 'due today'})",
            data={"digest": DIGEST_MARK, "digest_date": bounds.day.isoformat(), "to": rep.email},
            actor_label=REMINDER_ACTOR_LABEL,
        )
    # Recorded first, sent last: only a crash between the SMTP hand-off and COMMIT can repeat
    # the digest, and then with the same Message-ID (the key names the rep, day and leads).
    leads_key = hashlib.sha256(",".join(sorted(str(pk) for pk in still_due)).encode()).hexdigest()[:16]
    digest.sent = send_once(message, key=f"followup-digest:{rep.pk}:{bounds.day.isoformat()}:{leads_key}")
    if not digest.sent:
        transaction.set_rollback(True)
