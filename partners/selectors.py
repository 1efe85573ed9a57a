"""Reads of the partners domain, always scoped to one partner where a partner is asking."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from leads.models import Lead, LeadStatus
from leads.selectors import lead_queryset_for_user, user_is_sales_manager

from .models import Commission, CommissionStatus, Partner, PartnerMember


def partner_referrals(*, partner: Partner) -> QuerySet[Lead]:
    """The leads this partner referred, newest first."""
    return Lead.objects.filter(partner=partner).select_related("company").order_by("-created_at", "pk")


def partner_commissions(*, partner: Partner) -> QuerySet[Commission]:
    """This partner's commissions, newest first."""
    return (
        Commission.objects.filter(partner=partner)
        .select_related("lead__company")
        .order_by("-created_at", "pk")
    )


def partner_statement_commissions(*, partner: Partner, month: date) -> QuerySet[Commission]:
    """The commissions earned in one calendar month (by the day the deal was credited)."""
    return (
        partner_commissions(partner=partner)
        .filter(created_at__year=month.year, created_at__month=month.month)
        .order_by("created_at", "pk")
    )


def commission_queryset_for_user(*, user: Any) -> QuerySet[Commission]:
    """Commissions staff may see: a manager all; anyone else given access only those on leads
    they may see (a commission names its lead and the deal value)."""
    if user_is_sales_manager(user):
        return Commission.objects.all()
    return Commission.objects.filter(lead__in=lead_queryset_for_user(user=user).values("pk"))


# --- Partner portal: everything read through the signed-in member's partner -------------------


def portal_member_for_user(*, user: Any) -> PartnerMember | None:
    """The portal membership of a signed-in user, with its partner (one query), or None for
    anyone who may not use the portal: anonymous, staff (never a partner as well) or inactive."""
    if (
        not getattr(user, "is_authenticated", False)
        or user.is_staff
        or user.is_superuser
        or not user.is_active
    ):
        return None
    return PartnerMember.objects.select_related("partner").filter(user=user).first()


def partner_lead_totals(*, partner: Partner) -> dict[str, int]:
    """How many leads the partner referred, and how many of them were won (one query)."""
    return Lead.objects.filter(partner=partner).aggregate(
        leads=Count("pk"), won=Count("pk", filter=Q(status=LeadStatus.CLOSED_WON))
    )


def partner_commission_totals(*, partner: Partner) -> dict[str, Decimal]:
    """The partner's commission amounts per status (one query)."""
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
    totals = Commission.objects.filter(partner=partner).aggregate(
        **{
            status.value: Coalesce(Sum("amount", filter=Q(status=status.value)), zero)
            for status in CommissionStatus
        }
    )
    return {key: Decimal(value) for key, value in totals.items()}


def partner_statement_months(*, partner: Partner) -> list[date]:
    """The months (first days) the partner earned a commission in, newest first."""
    months = (
        Commission.objects.filter(partner=partner)
        .annotate(month=TruncMonth("created_at"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")
    )
    return [m.date() if isinstance(m, datetime) else m for m in months]


def partner_portal_leads(*, partner: Partner) -> QuerySet[Lead]:
    """The referred leads as the portal lists them: company and status only (`only()` keeps
    contact details out of the query, not just out of the page)."""
    return (
        Lead.objects.filter(partner=partner)
        .select_related("company")
        .only("pk", "company_name", "status", "created_at", "company__name")
        .order_by("-created_at", "pk")
    )


def partner_members(*, partner: Partner) -> QuerySet[PartnerMember]:
    return PartnerMember.objects.filter(partner=partner).select_related("user").order_by("created_at")
