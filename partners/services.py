"""State changes of the partners domain: referral attribution and the commission life cycle.

Commissions move pending → approved (by a sales manager) → paid; each step is written to the
referred lead's timeline, and django-auditlog records the field changes with the staff user.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leads.models import Lead, LeadEventKind, LeadStatus
from leads.selectors import user_is_sales_manager
from leads.services import lead_event_record

from .models import Commission, CommissionStatus, Partner, PartnerStatus
from .webhooks import commission_approved_emit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

CENT = Decimal("0.01")


def referral_apply(*, lead: Lead, code: str, actor_label: str) -> Partner | None:
    """Credit the partner whose referral code the lead (or its browser) came with. The first
    partner to refer a lead keeps it (first touch wins); later codes are only noted on the
    timeline. Unknown or inactive codes are recorded and ignored. Returns the lead's partner."""
    code = code.strip().upper()[:32]
    if not code:
        return None
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    partner = Partner.objects.filter(referral_code=code, status=PartnerStatus.ACTIVE).first()
    if partner is None:
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.REFERRED,
            summary=f"Unknown or inactive referral code {code!r} ignored",
            data={"referral_code": code},
            actor_label=actor_label,
        )
        return None
    if lead.partner_id is None:
        lead.partner = partner
        lead.save(update_fields=["partner", "updated_at"])
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.REFERRED,
            summary=f"Referred by {partner.name}",
            data={"partner": partner.pk, "referral_code": partner.referral_code},
            actor_label=actor_label,
        )
    elif (
        lead.partner_id != partner.pk
        and not lead.events.filter(kind=LeadEventKind.REFERRED, data__ignored_partner=partner.pk).exists()
    ):
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.REFERRED,
            summary=f"Also arrived through {partner.name}'s link; the first referrer keeps the lead",
            data={"ignored_partner": partner.pk, "referral_code": partner.referral_code},
            actor_label=actor_label,
        )
    return lead.partner


def commission_tiers_clean(tiers: Any) -> list[dict[str, str]]:
    """Validate a partner's tiers: a list of {"min_deal_value", "rate"}, rates between 0 and 1,
    distinct minimums. Returns them sorted by minimum, values as strings (JSON keeps them exact)."""
    if tiers in (None, ""):
        return []
    if not isinstance(tiers, list):
        raise ValidationError({"commission_tiers": "Give a list of tiers."})
    cleaned: list[dict[str, str]] = []
    for index, tier in enumerate(tiers, start=1):
        if not isinstance(tier, dict) or set(tier) != {"min_deal_value", "rate"}:
            raise ValidationError(
                {"commission_tiers": f"Tier {index}: give exactly min_deal_value and rate."}
            )
        try:
            minimum, rate = Decimal(str(tier["min_deal_value"])), Decimal(str(tier["rate"]))
        except InvalidOperation as exc:
            raise ValidationError({"commission_tiers": f"Tier {index}: not a number."}) from exc
        if not minimum.is_finite() or minimum < 0 or not rate.is_finite() or not 0 <= rate <= 1:
            raise ValidationError(
                {"commission_tiers": f"Tier {index}: the minimum must be ≥ 0 and the rate between 0 and 1."}
            )
        cleaned.append({"min_deal_value": str(minimum), "rate": str(rate)})
    minimums = [Decimal(t["min_deal_value"]) for t in cleaned]
    if len(set(minimums)) != len(minimums):
        raise ValidationError({"commission_tiers": "Two tiers have the same minimum."})
    return sorted(cleaned, key=lambda t: Decimal(t["min_deal_value"]))


def commission_rate_for(*, partner: Partner, deal_value: Decimal) -> Decimal:
    """The partner's rate for a deal of this size: the tier with the largest minimum not above
    the deal value, else the base rate."""
    rate = partner.commission_rate
    for tier in commission_tiers_clean(partner.commission_tiers):
        if deal_value >= Decimal(tier["min_deal_value"]):
            rate = Decimal(tier["rate"])
    return rate


@transaction.atomic
def commission_compute(*, lead: Lead, actor_label: str = "system") -> Commission | None:
    """The commission for a referred lead that was won: deal value × the partner's rate, rounded
    half-up to the cent, pending approval. At most one per lead (reopening a won lead cancels a
    pending one and is refused once it is approved, so winning again computes it afresh). None when the lead has no partner or no actual deal value yet
    (then the timeline says why, so sales can fill in the value and compute it again)."""
    lead = Lead.objects.select_for_update(of=("self",)).select_related("partner").get(pk=lead.pk)
    if lead.partner is None or lead.status != LeadStatus.CLOSED_WON:
        return None
    existing = Commission.objects.filter(lead=lead).first()
    if existing is not None:
        return existing
    if lead.actual_deal_value is None:
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.REFERRED,
            summary=f"No commission for {lead.partner.name} yet: enter the actual deal value",
            data={"partner": lead.partner.pk},
            actor_label=actor_label,
        )
        return None
    rate = commission_rate_for(partner=lead.partner, deal_value=lead.actual_deal_value)
    amount = (lead.actual_deal_value * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    commission = Commission.objects.create(
        partner=lead.partner, lead=lead, deal_value=lead.actual_deal_value, rate=rate, amount=amount
    )
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.REFERRED,
        summary=f"Commission {amount} for {lead.partner.name} ({rate * 100:g} % of {lead.actual_deal_value}), pending",
        data={"commission": commission.pk, "amount": str(amount), "rate": str(rate)},
        actor_label=actor_label,
    )
    return commission


# --- A won lead reopened ----------------------------------------------------------------------


def commission_reopen_refusal(*, lead: Lead) -> str | None:
    """Why `lead` may not leave Closed won because of its commission, or None.

    An approved or paid commission is money the business promised or paid on that deal, so the
    deal stays won until a manager withdraws the approval here in Partners (a paid one is final:
    finance reverses a payout outside the CRM). A pending commission is not: it is cancelled
    with the reopening (`commission_cancel_for_reopened_lead`)."""
    commission = Commission.objects.filter(lead=lead).select_related("partner").first()
    if commission is None or commission.status == CommissionStatus.PENDING:
        return None
    if commission.status == CommissionStatus.PAID:
        remedy = "A paid commission is final, so the deal stays Closed won"
    else:
        remedy = "Withdraw the approval in Partners → Commissions first (a sales manager can)"
    return (
        f"This lead's commission of {commission.amount} for {commission.partner.name} is "
        f"{commission.get_status_display().lower()}, so the lead cannot leave Closed won. {remedy}."
    )


@transaction.atomic
def commission_cancel_for_reopened_lead(
    *, lead: Lead, actor: AbstractBaseUser | None = None, actor_label: str = "system"
) -> None:
    """A won lead is being moved out of Closed won: cancel its pending commission (deleted, with
    a timeline entry saying what it was), or refuse with ValidationError on `status` when the
    commission is approved or paid (`commission_reopen_refusal`). Winning the lead again computes
    a new commission. Called by leads.services.lead_change_status, under its lock of the lead."""
    commission = (
        Commission.objects.select_for_update(of=("self",)).select_related("partner").filter(lead=lead).first()
    )
    if commission is None:
        return
    if refusal := commission_reopen_refusal(lead=lead):
        raise ValidationError({"status": refusal})
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.REFERRED,
        summary=(
            f"Pending commission {commission.amount} for {commission.partner.name} cancelled: "
            "the lead left Closed won"
        ),
        data={
            "commission": commission.pk,
            "amount": str(commission.amount),
            "partner": commission.partner_id,
            "cancelled": True,
        },
        actor=actor,
        actor_label=actor_label,
    )
    commission.delete()


@transaction.atomic
def commission_withdraw_approval(*, commission: Commission, actor: AbstractBaseUser) -> Commission:
    """A sales manager takes back the approval of a commission not paid yet (the deal is being
    reopened, or was approved by mistake): it is pending again."""
    return _commission_transition(
        commission=commission,
        actor=actor,
        from_status=CommissionStatus.APPROVED,
        to_status=CommissionStatus.PENDING,
        refusal="Only approved, unpaid commissions can have their approval withdrawn",
        verb="approval withdrawn",
        stamp={"approved_by": None, "approved_at": None},
    )


def _require_manager(actor: AbstractBaseUser) -> None:
    if not (getattr(actor, "is_superuser", False) or user_is_sales_manager(actor)):
        raise PermissionDenied("Only a sales manager may approve or pay commissions.")


def _commission_transition(
    *,
    commission: Commission,
    actor: AbstractBaseUser,
    from_status: CommissionStatus,
    to_status: CommissionStatus,
    refusal: str,
    verb: str,
    stamp: dict[str, object],
) -> Commission:
    """Move one commission from `from_status` to `to_status` under a row lock (two managers
    clicking at once cannot both succeed), set the `stamp` fields and record it on the lead's
    timeline. Callers run it inside their transaction."""
    _require_manager(actor)
    commission = (
        Commission.objects.select_for_update(of=("self",))
        .select_related("partner", "lead")
        .get(pk=commission.pk)
    )
    if commission.status != from_status:
        raise ValidationError(f"{refusal} (this one is {commission.status}).")
    commission.status = to_status
    for field, value in stamp.items():
        setattr(commission, field, value)
    commission.save(update_fields=["status", *stamp])
    if commission.lead is not None:  # an erased person's commission has no timeline to add to
        lead_event_record(
            lead=commission.lead,
            kind=LeadEventKind.REFERRED,
            summary=f"Commission {commission.amount} for {commission.partner.name} {verb}",
            data={"commission": commission.pk, "status": commission.status},
            actor=actor,
        )
    return commission


@transaction.atomic
def commission_approve(*, commission: Commission, actor: AbstractBaseUser) -> Commission:
    """A sales manager approves a pending commission for payment."""
    commission = _commission_transition(
        commission=commission,
        actor=actor,
        from_status=CommissionStatus.PENDING,
        to_status=CommissionStatus.APPROVED,
        refusal="Only pending commissions can be approved",
        verb="approved",
        stamp={"approved_by": actor, "approved_at": timezone.now()},
    )
    commission_approved_emit(commission=commission)
    return commission


@transaction.atomic
def commission_mark_paid(*, commission: Commission, actor: AbstractBaseUser) -> Commission:
    """Record that an approved commission was paid out."""
    return _commission_transition(
        commission=commission,
        actor=actor,
        from_status=CommissionStatus.APPROVED,
        to_status=CommissionStatus.PAID,
        refusal="Only approved commissions can be marked paid",
        verb="paid",
        stamp={"paid_at": timezone.now()},
    )
