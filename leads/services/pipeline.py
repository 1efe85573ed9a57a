"""Pipeline work from the API, the admin and imports: status changes (with the partner
commission rule), the actual deal value. (Follow-up times are tasks: `leads.services.tasks`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Lead, LeadEventKind, LeadStatus
from ..webhooks import lead_status_changed_emit
from .events import lead_event_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def lead_status_change_validate(*, status: str, lost_reason: str = "", lead: Lead | None = None) -> None:
    """The rules of a status change, on their own so that forms (admin change page, actions,
    import rows) can show them as field errors before anything is saved. Raises ValidationError
    keyed by field. With `lead`, also the rule of leaving Closed won: not while the lead's partner
    commission is approved or paid (see partners.services.commission_reopen_refusal)."""
    if status not in LeadStatus.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if status == LeadStatus.CLOSED_LOST and not lost_reason.strip():
        raise ValidationError({"lost_reason": "Say why the deal was lost."})
    if lead is not None and lead.status == LeadStatus.CLOSED_WON and status != LeadStatus.CLOSED_WON:
        from partners.services import commission_reopen_refusal

        if refusal := commission_reopen_refusal(lead=lead):
            raise ValidationError({"status": refusal})


@transaction.atomic
def lead_change_status(
    *,
    lead: Lead,
    status: str,
    lost_reason: str = "",
    actor: AbstractBaseUser | None = None,
    actor_label: str = "system",
) -> Lead:
    """Move a lead to another pipeline status. Closing as lost needs a reason; contacting sets
    `last_contacted_at`. Every change is recorded on the timeline.

    The one place a lead's status changes (API, admin form and bulk action, import), so it holds
    the commission rule: a won lead with an approved or paid commission cannot leave Closed won
    (ValidationError on `status`), and leaving it cancels a pending commission, on the timeline."""
    lead_status_change_validate(status=status, lost_reason=lost_reason)
    lost_reason = lost_reason.strip()
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == status:
        return lead
    previous = lead.status
    if previous == LeadStatus.CLOSED_WON:
        from partners.services import commission_cancel_for_reopened_lead

        commission_cancel_for_reopened_lead(lead=lead, actor=actor, actor_label=actor_label)
    lead.status = status
    fields = ["status", "updated_at"]
    if status == LeadStatus.CLOSED_LOST:
        lead.lost_reason = lost_reason[:255]
        fields.append("lost_reason")
    if status == LeadStatus.CONTACTED:
        lead.last_contacted_at = timezone.now()
        fields.append("last_contacted_at")
    lead.save(update_fields=fields)
    summary = f"Status {LeadStatus(previous).label} → {LeadStatus(status).label}"
    if lost_reason and status == LeadStatus.CLOSED_LOST:
        summary += f": {lost_reason}"
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.STATUS_CHANGED,
        summary=summary,
        data={"from": previous, "to": status, "lost_reason": lost_reason},
        actor=actor,
        actor_label=actor_label,
    )
    _partner_commission(lead=lead, actor=actor, actor_label=actor_label)
    if status in (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST):
        from ..nurture.services import nurture_stop  # the nurture services use this package

        nurture_stop(lead=lead, reason="closed", actor=actor, actor_label=actor_label)
    lead_status_changed_emit(lead=lead, previous=previous)
    return lead


@transaction.atomic
def lead_deal_value_recorded(*, lead: Lead, actor: AbstractBaseUser | None = None) -> None:
    """Sales entered or corrected the actual deal value of a lead.

    Reps often mark a deal won before the final figure is known; when the value arrives later, a
    referred won lead must still earn its partner's commission, or the partner silently loses it.
    `commission_compute` keeps an existing commission (one per lead), so a correction after the
    commission was made does not create a second one: finance adjusts that one by hand."""
    if lead.actual_deal_value is not None:
        _partner_commission(lead=lead, actor=actor, actor_label="system")


def _partner_commission(*, lead: Lead, actor: AbstractBaseUser | None, actor_label: str) -> None:
    """A won lead that a partner referred earns the partner's commission (at most one per lead:
    partners.services.commission_compute keeps an existing one)."""
    if lead.status != LeadStatus.CLOSED_WON or lead.partner_id is None:
        return
    from partners.services import commission_compute

    commission_compute(lead=lead, actor_label=actor.get_username() if actor else actor_label)
