"""Reads of the partners domain, always scoped to one partner where a partner is asking."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from leads.models import Lead
from leads.selectors import lead_queryset_for_user, user_is_sales_manager

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


def commission_queryset_for_user(*, user: Any) -> QuerySet[Commission]:
    """Commissions staff may see: a manager all; anyone else given access only those on leads
    they may see (a commission names its lead and the deal value)."""
    if user_is_sales_manager(user):
        return Commission.objects.all()
    return Commission.objects.filter(lead__in=lead_queryset_for_user(user=user).values("pk"))
