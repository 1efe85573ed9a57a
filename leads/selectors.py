"""Reads of the leads domain."""

from __future__ import annotations

from django.db.models import Q

from .models import Company


def company_find_by_domain(*, domain: str) -> Company | None:
    """The company whose main or alias domain is `domain` (a registrable domain), if any."""
    if not domain:
        return None
    domain = domain.lower()
    return (
        Company.objects.filter(Q(domain=domain) | Q(alias_domains__domain=domain)).distinct().first()
    )
