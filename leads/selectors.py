"""Reads of the leads domain."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from .models import Company, Lead, LeadEvent


def company_find_by_domain(*, domain: str) -> Company | None:
    """The company whose main or alias domain is `domain` (a registrable domain), if any."""
    if not domain:
        return None
    domain = domain.lower()
    return Company.objects.filter(Q(domain=domain) | Q(alias_domains__domain=domain)).distinct().first()


def lead_list_queryset() -> QuerySet[Lead]:
    """Leads for lists: company and owner joined, best score first."""
    return Lead.objects.select_related("company", "owner").order_by("-score", "-created_at")


def lead_detail_queryset() -> QuerySet[Lead]:
    """Leads with everything one lead's page shows, in a fixed number of queries."""
    timeline = LeadEvent.objects.order_by("-created_at", "-id")
    return lead_list_queryset().prefetch_related(Prefetch("events", queryset=timeline))
