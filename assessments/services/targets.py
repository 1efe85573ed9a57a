"""What we agree to scan: the typed URL read the way the scan will read it, and whether the
target is on the requester's own company domain (then no staff approval is needed)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError

from leads.domains import classify_email_domain, registrable_domain
from leads.models import Lead

from ..models import SecurityAssessment
from ..scanner import guard

#: What the assessment's columns hold: a DNS name is at most 253 characters (RFC 1035); longer
#: input is refused here rather than by the database (PostgreSQL: DataError, a 500).
MAX_HOST_LENGTH = SecurityAssessment._meta.get_field("target_host").max_length
MAX_URL_LENGTH = SecurityAssessment._meta.get_field("target_url").max_length


def target_normalise(target_url: str) -> tuple[str, str]:
    """(URL to scan, lower-case host) for what a visitor typed; ValidationError when we will not scan it.

    Only http(s) on web ports, no credentials in the URL, no local name and no IP address that
    is not public, in whatever spelling (see guard.canonical_host); the host is stored as the
    resolver reads it (IDNA ASCII, standard address form)."""
    raw = (target_url or "").strip()
    if "://" not in raw:
        raw = f"https://{raw}"
    policy = guard.GuardPolicy.from_settings()
    try:
        # The scan's own check (guard.canonical_host): the host as the resolver will read it.
        scheme, host, port = guard.check_url(raw, policy)
    except guard.TargetRefused as exc:
        raise ValidationError({"target_url": str(exc)}) from exc
    if ":" not in host and "." not in host and not policy.allow_private:
        raise ValidationError(
            {"target_url": "Enter the public address of a website, e.g. https://www.example.com."}
        )
    if len(host) > MAX_HOST_LENGTH:
        raise ValidationError({"target_url": f"A host name has at most {MAX_HOST_LENGTH} characters."})
    parts = urlsplit(raw)
    default = guard.DEFAULT_PORTS[scheme]
    netloc = host if port == default else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port == default else f"[{host}]:{port}"
    url = urlunsplit((scheme, netloc, parts.path or "/", "", ""))
    if len(url) > MAX_URL_LENGTH:  # "https://" may have been added to what was typed
        raise ValidationError({"target_url": f"The address has at most {MAX_URL_LENGTH} characters."})
    return url, host


def target_belongs_to_lead(*, host: str, lead: Lead) -> bool:
    """Whether the target is on the requester's own company domain (or one of its aliases)."""
    target = registrable_domain(host)
    if not target:
        return False
    domains = set()
    email_domain = classify_email_domain(lead.email)
    if email_domain.is_corporate:
        domains.add(email_domain.registrable)
    if lead.company is not None:
        domains.add(lead.company.domain)
        domains.update(lead.company.alias_domains.values_list("domain", flat=True))
    return target in domains
