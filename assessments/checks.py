"""System checks of the assessments settings: a bad resolver entry is found when a process starts
(`manage.py check --deploy`, `db_worker`, `migrate`), not in the middle of a prospect's scan."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def check_dns_resolvers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .scanner.dnsmail.resolver import parse_resolver

    errors: list[checks.CheckMessage] = []
    for entry in settings.ASSESSMENT_DNS_RESOLVERS:
        try:
            parse_resolver(entry)
        except ImproperlyConfigured as exc:
            errors.append(
                checks.Error(str(exc), hint="Use IP, IP:port or [IPv6]:port.", id="assessments.E001")
            )
    if settings.ASSESSMENT_DNS_TIMEOUT_SECONDS <= 0:
        errors.append(checks.Error("ASSESSMENT_DNS_TIMEOUT_SECONDS must be above 0.", id="assessments.E002"))
    return errors
