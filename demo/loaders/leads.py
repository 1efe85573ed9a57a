"""Demo leads, created the way real ones are: intake, then a rep working the pipeline.

Each lead comes in through lead intake (`lead_submit`, which matches the company and credits a
referring partner), or as a lead staff typed in (`lead_record_staff_created`); then it walks
its pipeline path through `lead_change_status` (a won referred deal earns its commission there),
gets its follow-up and notes through their services. Scoring comes last, once all of the lead's
activity is loaded (demo.loaders.scoring). Times are moved to the story's moments afterwards
(demo.loaders.clock); the one non-time post-step is the commission approval, see
`_approve_commission`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from analytics.models import Website
from demo.specs.leads import LEADS, PIPELINE, LeadSpec
from leads.models import Company, Lead, LeadSource, LeadStatus
from leads.services import (
    LeadSubmission,
    lead_change_status,
    lead_note_add,
    lead_record_staff_created,
    lead_schedule_follow_up,
    lead_set_company,
    lead_submit,
)
from partners.models import Commission, CommissionStatus

from .clock import backdated, day_at

REP = "sales team"  # who the demo's pipeline work is attributed to (the seed has no staff users)
_INTAKE_ACTOR = {LeadSource.CHAT: "chat bot", LeadSource.IMPORT: "CSV import"}


def status_path(spec: LeadSpec) -> list[str]:
    if spec.status == LeadStatus.NEW:
        return []
    if spec.status == LeadStatus.CLOSED_LOST:
        return [*PIPELINE[: PIPELINE.index(spec.lost_after) + 1], LeadStatus.CLOSED_LOST]
    return list(PIPELINE[: PIPELINE.index(spec.status) + 1])


def status_changes(spec: LeadSpec, start: datetime, now: datetime) -> list[tuple[str, datetime]]:
    """When the lead went through each step of its pipeline path: spread over at most 30 days
    after it came in, ending at the latest an hour ago, and a day before a scheduled follow-up."""
    path = status_path(spec)
    latest = min(now - timedelta(hours=1), start + timedelta(days=30))
    if spec.follow_up is not None:
        latest = min(latest, day_at(now, *spec.follow_up) - timedelta(days=1))
    end = max(start + timedelta(minutes=30), latest)
    step = (end - start) / len(path) if path else timedelta(0)
    return [(status, start + step * number) for number, status in enumerate(path, start=1)]


def _intake(spec: LeadSpec, website: Website) -> Lead:
    if spec.source == LeadSource.MANUAL:  # typed into the admin: the row, then the staff service
        lead = Lead.objects.create(
            email=spec.email, first_name=spec.first_name, last_name=spec.last_name,
            job_title=spec.job_title, phone=spec.phone, source=spec.source,
        )  # fmt: skip
        return lead_record_staff_created(lead=lead, actor=None)
    submission = LeadSubmission(
        email=spec.email, form=spec.source, first_name=spec.first_name, last_name=spec.last_name,
        job_title=spec.job_title, phone=spec.phone, message=spec.message,
        referral_code=spec.partner_code or "", utm=dict(spec.utm), consent_marketing=spec.consent_marketing,
    )  # fmt: skip
    actor = _INTAKE_ACTOR.get(spec.source, "website form")
    lead, _created = lead_submit(submission=submission, website=website, actor_label=actor)
    return lead


def _create(spec: LeadSpec, website: Website, now: datetime) -> Lead:
    created_at = now - timedelta(hours=spec.hours_ago)
    with backdated(created_at):
        lead = _intake(spec, website)
        if lead.company is None and spec.company_domain is not None:
            # `.example` domains have no public suffix, so intake cannot match them: a rep links
            # the company by hand, as for any address the matcher does not know.
            lead = lead_set_company(lead=lead, company=Company.objects.get(domain=spec.company_domain))
    company_domain = lead.company.domain if lead.company else None
    if company_domain != spec.company_domain:
        raise ValueError(
            f"Demo lead {spec.email} matched {company_domain}, the story says {spec.company_domain}"
        )
    # Post-step (times only): the lead came in `hours_ago`, and consented then.
    Lead.objects.filter(pk=lead.pk).update(
        created_at=created_at, consent_marketing_at=created_at if spec.consent_marketing else None
    )
    _walk_pipeline(spec, lead, created_at, now)
    if spec.follow_up is not None:
        with backdated(created_at + timedelta(minutes=10)):
            lead_schedule_follow_up(lead=lead, at=day_at(now, *spec.follow_up), actor_label=REP)
    for number, body in enumerate(spec.notes, start=1):
        with backdated(min(now, created_at + timedelta(minutes=10 + 5 * number))):
            lead_note_add(lead=lead, author=None, body=body)
    return Lead.objects.get(pk=lead.pk)  # with the times the post-steps set


def _walk_pipeline(spec: LeadSpec, lead: Lead, created_at: datetime, now: datetime) -> None:
    for status, at in status_changes(spec, created_at, now):
        if status == LeadStatus.CLOSED_WON and spec.actual_deal_value is not None:
            # The rep types the signed value on the lead (a plain field, as in the admin form).
            lead.actual_deal_value = Decimal(spec.actual_deal_value)
            lead.save(update_fields=["actual_deal_value", "updated_at"])
        with backdated(at):
            lead = lead_change_status(lead=lead, status=status, lost_reason=spec.lost_reason, actor_label=REP)
        if status == LeadStatus.CONTACTED:  # post-step (time only): contacted at that step
            Lead.objects.filter(pk=lead.pk).update(last_contacted_at=at)
        if status == LeadStatus.CLOSED_WON:
            _approve_commission(lead, min(now, at + timedelta(days=1)))


def _approve_commission(lead: Lead, at: datetime) -> None:
    """The won referral's commission, computed by `lead_change_status`, approved a day later.

    Not through `partners.services.commission_approve`: it requires a sales manager as the actor,
    and the seed has no staff users (`ensure_admin` makes the login after seeding). So this is the
    documented exception to "through the services": status and time set with `update()`, no
    timeline entry (the service's entry names the manager, whom the demo does not have).
    """
    Commission.objects.filter(lead=lead, status=CommissionStatus.PENDING).update(
        status=CommissionStatus.APPROVED, approved_at=at
    )


def load_leads(*, website: Website, now: datetime) -> list[Lead]:
    """Create the demo leads that are missing (looked up by e-mail); returns those created."""
    created = []
    for spec in LEADS:
        if not Lead.objects.filter(email__iexact=spec.email).exists():
            created.append(_create(spec, website, now))
    return created


def demo_leads() -> dict[str, Lead]:
    """Every demo lead by its spec's e-mail."""
    leads = {lead.email.lower(): lead for lead in Lead.objects.filter(email__in=[s.email for s in LEADS])}
    return {spec.email: leads[spec.email.lower()] for spec in LEADS if spec.email.lower() in leads}
