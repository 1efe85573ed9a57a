"""Reads of the partners domain, always scoped to one partner where a partner is asking."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from leads.models import Lead

from .models import Commission, Partner


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
