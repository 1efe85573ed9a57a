"""Who gets nurture e-mail: enrolment by rule, the stop rules, and unsubscribing.

Consent first: a lead is enrolled only with `consent_marketing` and never after it unsubscribed,
and the sender checks the same rules again right before every e-mail (`sending`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ...models import (
    EnrollmentStatus,
    Lead,
    LeadEventKind,
    LeadStatus,
    NurtureEnrollment,
    NurtureSequence,
    NurtureTrigger,
    StopReason,
)
from ...services.events import lead_event_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

UNSUBSCRIBE_SALT = "leads.nurture.unsubscribe"
CLOSED_STATUSES = frozenset({LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST})


class BadUnsubscribeToken(Exception):
    """The link was altered, cut, too old, or names a lead that no longer exists."""


def unsubscribe_token(lead_id: object) -> str:
    """A signed, timestamped token naming the lead: the link cannot be guessed from a lead id."""
    return signing.dumps(str(lead_id), salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(lead_id: object) -> str:
    return settings.SITE_URL + reverse("nurture-unsubscribe", args=[unsubscribe_token(lead_id)])


def lead_from_unsubscribe_token(token: str) -> Lead:
    """The lead a token names; BadUnsubscribeToken for anything else (never a lookup by a raw id)."""
    try:
        lead_id = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=settings.NURTURE_UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is one
        raise BadUnsubscribeToken(str(exc)) from exc
    lead = Lead.objects.filter(pk=lead_id).first() if isinstance(lead_id, str) else None
    if lead is None:
        raise BadUnsubscribeToken("No such lead.")
    return lead


def lead_may_receive_marketing(lead: Lead) -> StopReason | None:
    """None when the lead may get marketing e-mail now, else the reason it may not."""
    if lead.marketing_unsubscribed_at is not None:
        return StopReason.UNSUBSCRIBED
    if not lead.consent_marketing:
        return StopReason.CONSENT_WITHDRAWN
    if lead.status in CLOSED_STATUSES:
        return StopReason.CLOSED
    return None


def _matches(sequence: NurtureSequence, *, lead: Lead, source: str) -> bool:
    if sequence.trigger == NurtureTrigger.FORM_SUBMITTED:
        return not sequence.sources or source in sequence.sources
    if sequence.trigger == NurtureTrigger.SCORE_BAND:
        high = 100 if sequence.max_score is None else sequence.max_score
        return sequence.min_score is not None and sequence.min_score <= lead.score <= high
    return True


def nurture_enroll(
    *, lead: Lead, trigger: str, source: str = "", now: datetime | None = None
) -> list[NurtureEnrollment]:
    """Enrol the lead in every active sequence whose rule `trigger` (and `source`, the form, or
    the lead's score) matches, unless it has no marketing consent, unsubscribed, is closed, or was
    in that sequence before (the unique constraint settles races). Returns the new enrolments;
    each is on the timeline. Costs no query for a lead without consent (the intake path)."""
    if lead_may_receive_marketing(lead) is not None:
        return []
    with transaction.atomic():
        return _enroll(lead=lead, trigger=trigger, source=source, now=now or timezone.now())


def _enroll(*, lead: Lead, trigger: str, source: str, now: datetime) -> list[NurtureEnrollment]:
    sequences = (
        NurtureSequence.objects.filter(is_active=True, trigger=trigger)
        .exclude(enrollments__lead=lead)
        .prefetch_related("steps")
    )
    enrolled = []
    for sequence in sequences:
        steps = list(sequence.steps.all())
        if not steps or not _matches(sequence, lead=lead, source=source):
            continue
        try:
            with transaction.atomic():
                enrollment = NurtureEnrollment.objects.create(
                    lead=lead,
                    sequence=sequence,
                    next_step=steps[0],
                    next_send_at=now + steps[0].delay,
                    enrolled_at=now,
                )
        except IntegrityError:  # enrolled by a concurrent run a moment ago
            continue
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.NURTURE_ENROLLED,
            summary=f"Nurture: enrolled in “{sequence.name}” ({len(steps)} e-mails)",
            data={"sequence": sequence.pk, "enrollment": enrollment.pk, "trigger": trigger},
        )
        enrolled.append(enrollment)
    return enrolled


def _stop_rows(
    rows: list[NurtureEnrollment],
    *,
    lead: Lead,
    reason: StopReason,
    actor: AbstractBaseUser | None,
    actor_label: str,
    detail: str = "",
) -> int:
    if not rows:
        return 0
    now = timezone.now()
    staff = actor if actor is not None and actor.is_authenticated else None
    NurtureEnrollment.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=EnrollmentStatus.STOPPED,
        stop_reason=reason,
        finished_at=now,
        next_send_at=None,
        stopped_by=staff,
    )
    names = ", ".join(f"“{row.sequence.name}”" for row in rows)
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.NURTURE_STOPPED,
        summary=f"Nurture stopped ({StopReason(reason).label.lower()}): {names}"
        + (f" — {detail}" if detail else ""),
        data={
            "reason": str(reason),
            "enrollments": [row.pk for row in rows],
            **({"detail": detail} if detail else {}),
        },
        actor=actor,
        actor_label=actor_label,
    )
    return len(rows)


@transaction.atomic
def nurture_stop(
    *,
    lead: Lead,
    reason: StopReason,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "system",
) -> int:
    """Stop every active enrolment of the lead (it replied, closed, unsubscribed…); one timeline
    entry says which and why. Returns how many were stopped."""
    rows = list(
        NurtureEnrollment.objects.select_for_update(of=("self",))
        .select_related("sequence")
        .filter(lead=lead, status=EnrollmentStatus.ACTIVE)
    )
    return _stop_rows(rows, lead=lead, reason=reason, actor=actor, actor_label=actor_label)


@transaction.atomic
def nurture_enrollment_stop(*, enrollment: NurtureEnrollment, actor: AbstractBaseUser | None) -> bool:
    """A person stopped one enrolment by hand (the lead page's Stop button). False when it was
    no longer active."""
    row = (
        NurtureEnrollment.objects.select_for_update(of=("self",))
        .select_related("sequence", "lead")
        .filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE)
        .first()
    )
    if row is None:
        return False
    _stop_rows([row], lead=row.lead, reason=StopReason.MANUAL, actor=actor, actor_label="system")
    return True


@transaction.atomic
def lead_unsubscribe(*, lead: Lead, via: str) -> bool:
    """The lead asked for no more marketing e-mail (`via`: "one-click", "page", "staff"…).

    Withdraws its marketing consent, remembers when (a later form does not re-enrol it), stops
    its enrolments and says so on the timeline. Idempotent: False when it had unsubscribed."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.marketing_unsubscribed_at is not None:
        return False
    lead.marketing_unsubscribed_at = timezone.now()
    lead.consent_marketing = False
    lead.save(update_fields=["marketing_unsubscribed_at", "consent_marketing", "updated_at"])
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.UNSUBSCRIBED,
        summary=f"Unsubscribed from marketing e-mail ({via})",
        data={"via": via},
        actor_label="lead",
    )
    nurture_stop(lead=lead, reason=StopReason.UNSUBSCRIBED, actor_label="lead")
    return True
