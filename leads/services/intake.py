"""Intake: a form submission (website, chat, assessment request) or a lead typed in by staff
becomes a lead, or adds to the known lead with that e-mail."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from analytics.models import Website
from enterprise_scanner.task_queue import enqueue_with_transaction

from ..models import Company, IntakeIdempotencyKey, Lead, LeadEvent, LeadEventKind, LeadSource
from ..webhooks import lead_created_emit
from .companies import company_matched_event, company_resolve, lead_link_company
from .events import lead_event_build, lead_event_record
from .scoring import lead_rescore_later

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class LeadSubmission:
    """One form submission from the website, already validated by the API layer."""

    email: str
    form: str = LeadSource.CONTACT
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    job_title: str = ""
    phone: str = ""
    employee_count: int | None = None
    message: str = ""
    visitor_id: str = ""
    referral_code: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    consent_marketing: bool = False
    page_url: str = ""


FILLABLE_FIELDS = ("first_name", "last_name", "job_title", "phone", "message")


UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def _fill_empty_fields(*, lead: Lead, submission: LeadSubmission) -> list[str]:
    """Copy what the submission says into the lead's still-empty fields; return their names.
    A known lead keeps its values (first touch wins for UTM fields too)."""
    changed: list[str] = []
    for name in FILLABLE_FIELDS:
        value = getattr(submission, name)
        if value and not getattr(lead, name):
            setattr(lead, name, value)
            changed.append(name)
    if submission.company and not lead.company_name:
        lead.company_name = submission.company
        changed.append("company_name")
    for name in UTM_FIELDS:
        value = submission.utm.get(name, "")
        if value and not getattr(lead, name):
            setattr(lead, name, value)
            changed.append(name)
    if submission.consent_marketing and not lead.consent_marketing:
        lead.consent_marketing, lead.consent_marketing_at = True, timezone.now()
        changed += ["consent_marketing", "consent_marketing_at"]
    return changed


def _lead_for_update(email: str) -> Lead | None:
    """The lead with this e-mail, locked (PostgreSQL; SQLite's IMMEDIATE transaction already
    holds the write lock), or None.

    Every submission asks this first and most of them are new addresses, so the probe is one
    hand-written statement: compiling the ORM lookup took ~0.5 ms here, answering it ~0.01 ms.
    It compares `LOWER(email)` with `LOWER(%s)`, which is the expression of the unique index
    `lead_email_unique_ci`, so it is an index probe in both databases (an `iexact` lookup
    compiles to UPPER() or LIKE and reads every lead). Only a known lead is then loaded through
    the ORM.
    """
    connection = connections[router.db_for_write(Lead)]
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table, pk, email_column = Lead._meta.db_table, Lead._meta.pk.column, Lead._meta.get_field("email").column
    # Quoted names from the model; the e-mail is passed as a parameter.
    sql = f"SELECT {quote(pk)} FROM {quote(table)} WHERE LOWER({quote(email_column)}) = LOWER(%s) LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql + lock, [email])
        row = cursor.fetchone()
    return None if row is None else Lead.objects.get(pk=row[0])


def _mark_nothing_points_at(lead: Lead) -> None:
    """Record on a lead about to be inserted that no row points at it through a one-to-one
    relation (e.g. a partner's commission). The audit log reads every field, reverse ones too,
    when it logs the creation; without this it would query each relation for a row that cannot
    exist yet."""
    for relation in Lead._meta.related_objects:
        if relation.one_to_one:
            relation.set_cached_value(lead, None)


class IdempotencyKeyReused(Exception):
    """An `Idempotency-Key` already used for a different submission from the same website."""


def _submission_hash(submission: LeadSubmission) -> str:
    canonical = json.dumps(dataclasses.asdict(submission), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def lead_submit(
    *,
    submission: LeadSubmission,
    website: Website | None = None,
    actor_label: str = "website form",
    idempotency_key: str = "",
) -> tuple[Lead, bool]:
    """Record a form submission: create the lead, or add to the known lead with that e-mail.

    Returns (lead, created). A known lead keeps its values; the submission fills only empty
    fields and is always recorded on the timeline, so nothing the visitor sent is lost. Two
    identical submissions at the same moment end with one lead: the loser of the insert race
    (PostgreSQL raises a unique violation once the winner commits) has all of its attempt rolled
    back and runs again, finding the winner's row and continuing as an update. Retrying the whole
    transaction, rather than guarding the INSERT with a savepoint, keeps the common case (no race)
    two statements shorter.

    With an `idempotency_key` (and a website), the submission is recorded at most once per key:
    the key is stored in the same transaction, and a later call with the same key and the same
    submission returns the first (lead, created) and writes nothing. The same key with a
    different submission raises IdempotencyKeyReused. Two calls racing with one key also end as
    one submission: the loser's key insert fails, and its second attempt finds the key.
    """
    attempt = functools.partial(
        _lead_submit,
        submission=submission,
        website=website,
        actor_label=actor_label,
        idempotency_key=idempotency_key if website is not None else "",
    )
    try:
        with transaction.atomic():
            return attempt()
    except IntegrityError:
        with transaction.atomic():
            return attempt()


def _lead_submit(
    *, submission: LeadSubmission, website: Website | None, actor_label: str, idempotency_key: str
) -> tuple[Lead, bool]:
    """One attempt of `lead_submit`, inside its transaction: replay a known idempotency key, or
    write the lead, its timeline and its links, queue the follow-up job and store the key."""
    request_hash = _submission_hash(submission) if idempotency_key else ""
    if idempotency_key:
        replay = _idempotent_replay(website=website, key=idempotency_key, request_hash=request_hash)
        if replay is not None:
            return replay
    email = submission.email.strip()
    lead = _lead_for_update(email)
    created = lead is None
    company: Company | None = None
    if lead is None:
        lead, company, changed = _lead_insert(email=email, submission=submission)
    else:
        changed = _fill_empty_fields(lead=lead, submission=submission)
        if changed:
            lead.save(update_fields=[*changed, "updated_at"])
    events = _submission_events(
        lead=lead, submission=submission, website=website, actor_label=actor_label, filled=changed
    )
    if created:
        events.append(
            lead_event_build(
                lead=lead, kind=LeadEventKind.CREATED, summary="Lead created", actor_label=actor_label
            )
        )
        if company is not None:
            events.append(company_matched_event(lead=lead, company=company))
    LeadEvent.objects.bulk_create(events)  # the timeline of one submission in one INSERT
    if not created and lead.company_id is None:
        _link_known_lead_company(lead=lead, email=email, submission=submission)
    _link_submission_sources(lead=lead, submission=submission, website=website, actor_label=actor_label)
    _enqueue_submitted_job(lead=lead, created=created, actor_label=actor_label)
    _nurture_enroll(lead=lead, form=submission.form)
    if created:
        lead_created_emit(lead=lead)
    if idempotency_key:
        IntakeIdempotencyKey.objects.create(
            website=website, key=idempotency_key, request_hash=request_hash, lead=lead, created=created
        )
    return lead, created


def _idempotent_replay(*, website: Website | None, key: str, request_hash: str) -> tuple[Lead, bool] | None:
    """The (lead, created) a key already recorded for this same submission, or None for a new key.
    Raises IdempotencyKeyReused when the key was used for a different submission."""
    first = IntakeIdempotencyKey.objects.select_related("lead").filter(website=website, key=key).first()
    if first is None:
        return None
    if first.request_hash != request_hash:
        raise IdempotencyKeyReused(key)
    return first.lead, first.created


def _lead_insert(*, email: str, submission: LeadSubmission) -> tuple[Lead, Company | None, list[str]]:
    """Insert the new lead; return it, its company (or None) and the fields the form filled.

    A new lead is written with one INSERT carrying everything the form said and its company,
    rather than INSERT then UPDATEs: each save is also an audit-log entry, and intake is the
    hottest write path."""
    company = company_resolve(
        email=email, company_name=submission.company, employee_count=submission.employee_count
    )
    lead = Lead(email=email, source=submission.form)
    changed = _fill_empty_fields(lead=lead, submission=submission)
    if company is not None:
        lead.company, lead.is_fortune_500 = company, company.is_fortune_500
    _mark_nothing_points_at(lead)
    lead.save(force_insert=True)  # a unique violation here means a lost race: see lead_submit
    return lead, company, changed


#: What the timeline says for each kind of submission, written as what the person did. Built
#: from the source's label this read "Submitted the contact form form" (the label already ends
#: in "form") and "Submitted the live chat form"; a rep reads verbs, not form names.
SUBMISSION_SUMMARIES: dict[str, str] = {
    LeadSource.DEMO_REQUEST: "Requested a demo",
    LeadSource.CONTACT: "Sent the contact form",
    LeadSource.ASSESSMENT: "Requested a security assessment",
    LeadSource.NEWSLETTER: "Signed up for the newsletter",
    LeadSource.CHAT: "Left their details in the live chat",
    LeadSource.IMPORT: "Arrived in an import",
    LeadSource.MANUAL: "Entered by staff",
    LeadSource.PARTNER: "Registered as a deal by a partner",
}


def submission_summary(form: str) -> str:
    """The timeline summary of a submission of `form` (a `LeadSource` value)."""
    try:
        return SUBMISSION_SUMMARIES[LeadSource(form)]
    except (KeyError, ValueError):
        return f"Submitted a form ({form})" if form else "Submitted a form"


def _submission_events(
    *,
    lead: Lead,
    submission: LeadSubmission,
    website: Website | None,
    actor_label: str,
    filled: list[str],
) -> list[LeadEvent]:
    """The unsaved "submitted" timeline entry: everything the visitor sent, so nothing is lost
    even when the known lead keeps its own values."""
    return [
        lead_event_build(
            lead=lead,
            kind=LeadEventKind.SUBMITTED,
            summary=submission_summary(submission.form),
            data={
                "form": submission.form,
                "message": submission.message,
                "company": submission.company,
                "job_title": submission.job_title,
                "employee_count": submission.employee_count,
                "page_url": submission.page_url,
                "utm": submission.utm,
                "website": website.pk if website else None,
                "filled_fields": filled,
            },
            actor_label=actor_label,
        )
    ]


def _link_known_lead_company(*, lead: Lead, email: str, submission: LeadSubmission) -> None:
    """A known lead without a company gets one if its address now resolves to one."""
    company = company_resolve(
        email=email, company_name=submission.company, employee_count=submission.employee_count
    )
    if company is not None:
        lead_link_company(lead=lead, company=company)


def _link_submission_sources(
    *, lead: Lead, submission: LeadSubmission, website: Website | None, actor_label: str
) -> None:
    """Connect the lead to where the submission came from: the visitor's browser, a partner."""
    if website is not None and submission.visitor_id:
        _link_visitor(lead=lead, website=website, anonymous_id=submission.visitor_id)
    if submission.referral_code:
        _apply_referral(lead=lead, code=submission.referral_code, actor_label=actor_label)


def _enqueue_submitted_job(*, lead: Lead, created: bool, actor_label: str) -> None:
    """Scoring (and with it qualifying and the hot-lead alert) and, for a new lead, looking for
    duplicates read many rows: one background job does both, stored with this transaction so
    that a committed submission always has its job (see enqueue_with_transaction)."""
    from ..tasks import lead_submitted_task  # leads.tasks imports this package: import late

    enqueue_with_transaction(lead_submitted_task, str(lead.pk), created, actor_label)


def _nurture_enroll(*, lead: Lead, form: str) -> None:
    """Enrol the lead in the nurture sequences of this form (only with marketing consent)."""
    from ..nurture.services import nurture_enroll  # the nurture services use this package

    nurture_enroll(lead=lead, trigger="form_submitted", source=form)


def _link_visitor(*, lead: Lead, website: Website, anonymous_id: str) -> None:
    """Stitch the browser that sent the form to the lead (see analytics.services.visitor_identify)."""
    from analytics.services import visitor_identify

    visitor_identify(lead=lead, website=website, anonymous_id=anonymous_id)


def _apply_referral(*, lead: Lead, code: str, actor_label: str) -> None:
    """Credit the referring partner (see partners.services.referral_apply: first touch wins)."""
    from partners.services import referral_apply

    referral_apply(lead=lead, code=code, actor_label=actor_label)


@transaction.atomic
def lead_record_staff_created(*, lead: Lead, actor: AbstractBaseUser | None) -> Lead:
    """Finish a lead that staff typed into the admin: timeline entry, company match (unless staff
    chose one) and scoring, like leads from the website, so the queue treats them the same."""
    lead_event_record(lead=lead, kind=LeadEventKind.CREATED, summary="Lead entered by staff", actor=actor)
    if lead.company is not None:
        lead_link_company(lead=lead, company=lead.company)  # copies the Fortune 500 flag
    else:
        company = company_resolve(email=lead.email, company_name=lead.company_name)
        if company is not None:
            lead_link_company(lead=lead, company=company)
    lead_rescore_later(lead=lead)
    return lead
