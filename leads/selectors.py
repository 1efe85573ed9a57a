"""Reads of the leads domain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.text import smart_split, unescape_string_literal

from .models import Company, CompanyDomain, Lead, LeadEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def company_find_by_domain(*, domain: str) -> Company | None:
    """The company whose main or alias domain is `domain` (a registrable domain), if any."""
    if not domain:
        return None
    domain = domain.lower()
    # Two plain indexed lookups, the main domain first (nearly every hit): a third of the time
    # of one OR-over-a-join query with DISTINCT, which every corporate intake submission paid.
    return (
        Company.objects.filter(domain=domain).first()
        or Company.objects.filter(alias_domains__domain=domain).first()
    )


def companies_by_domains(*, domains: Iterable[str]) -> dict[str, Company]:
    """`company_find_by_domain` for many domains: the companies that own them (as main or alias
    domain), by domain; two queries per 500 domains, main domains first."""
    domains = list(domains)
    found: dict[str, Company] = {}
    for start in range(0, len(domains), 500):
        batch = domains[start : start + 500]
        found.update((company.domain, company) for company in Company.objects.filter(domain__in=batch))
        aliases = CompanyDomain.objects.filter(domain__in=batch).select_related("company")
        for alias in aliases:
            found.setdefault(alias.domain, alias.company)
    return found


def lead_list_queryset() -> QuerySet[Lead]:
    """Leads for lists: company and owner joined, best score first."""
    return Lead.objects.select_related("company", "owner").order_by("-score", "-created_at")


def lead_detail_queryset() -> QuerySet[Lead]:
    """Leads with everything one lead's page shows, in a fixed number of queries."""
    timeline = LeadEvent.objects.order_by("-created_at", "-id")
    return lead_list_queryset().prefetch_related(Prefetch("events", queryset=timeline))


# --- Who may see which leads -------------------------------------------------------------------

SALES_REP_GROUP = "Sales rep"
SALES_MANAGER_GROUP = "Sales manager"


def user_is_sales_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Managers (and superusers) see and reassign every lead. Cached on the user object, as
    the admin asks several times per request."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_sales_manager", None)
    if cached is None:
        cached = user.groups.filter(name=SALES_MANAGER_GROUP).exists()
        user._is_sales_manager = cached
    return cached


def lead_queryset_for_user(
    *, user: AbstractBaseUser | AnonymousUser, queryset: QuerySet[Lead] | None = None
) -> QuerySet[Lead]:
    """The leads `user` may see: a manager all, anyone else with lead access their own and the
    unassigned queue, everyone else none. Every admin page, action, export and report that
    shows leads to staff goes through this."""
    queryset = Lead.objects.all() if queryset is None else queryset
    if user_is_sales_manager(user):
        return queryset
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return queryset.none()
    return queryset.filter(Q(owner=user) | Q(owner__isnull=True))


def user_may_see_lead(*, user: AbstractBaseUser | AnonymousUser, lead: Lead) -> bool:
    """The object-level twin of `lead_queryset_for_user`, for a lead already in memory (no query):
    a second lock on the door in case a queryset somewhere was not scoped."""
    if user_is_sales_manager(user):
        return True
    return bool(user.is_active and user.is_staff and lead.owner_id in (None, user.pk))


# --- Search ------------------------------------------------------------------------------------

#: The lead's own columns the admin search looks in (each has a trigram index on PostgreSQL,
#: leads/migrations/0004_search_trigram_indexes.py). The company's domain is part of the e-mail.
LEAD_SEARCH_FIELDS = ("email", "first_name", "last_name", "company_name")
#: Up to this many matched companies are passed to the lead search as a list of ids; a term that
#: matches more companies than that is broad anyway, and is searched with a subquery instead.
COMPANY_MATCH_LIMIT = 500


def search_terms(search: str) -> list[str]:
    """The words of an admin search box, as Django's admin splits them: on spaces, except inside
    quotes ("Acme Corp" is one term)."""
    terms = []
    for bit in smart_split(search):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1] and len(bit) > 1:
            bit = unescape_string_literal(bit)
        if bit.strip():
            terms.append(bit.strip())
    return terms


def company_search_q(term: str) -> Q:
    """Companies whose name, main domain or an alias domain contains `term` (case-insensitive)."""
    aliases = CompanyDomain.objects.filter(domain__icontains=term).values("company_id")
    return Q(name__icontains=term) | Q(domain__icontains=term) | Q(pk__in=aliases)


def lead_search_q(search: str) -> Q:
    """Leads matching every term of `search` in their name, e-mail, typed company name, or their
    matched company's name or domains.

    Shaped for the indexes: each term is an OR of `icontains` on the lead's own columns, which
    PostgreSQL answers with one trigram bitmap scan per column, plus `company_id IN (ids)` (the
    foreign-key index) for the matched companies, looked up first in one small query per term.
    Searching the company through the join instead (`company__name__icontains`) puts a column of
    another table in the OR, and the planner falls back to reading every lead."""
    query = Q()
    for term in search_terms(search):
        term_q = Q()
        for field in LEAD_SEARCH_FIELDS:
            term_q |= Q(**{f"{field}__icontains": term})
        ids = _matching_company_ids(term, limit=COMPANY_MATCH_LIMIT + 1)
        if len(ids) > COMPANY_MATCH_LIMIT:
            term_q |= Q(company__in=Company.objects.filter(company_search_q(term)))
        elif ids:
            term_q |= Q(company_id__in=ids)
        query &= term_q
    return query


def _matching_company_ids(term: str, *, limit: int) -> list[Any]:
    """Up to `limit` ids of companies matching `term`, in one query whose two halves (company
    name or domain; alias domain) each use their trigram indexes."""
    by_name = Company.objects.filter(Q(name__icontains=term) | Q(domain__icontains=term)).order_by()
    by_alias = CompanyDomain.objects.filter(domain__icontains=term).order_by()
    union = by_name.values_list("pk", flat=True).union(by_alias.values_list("company_id", flat=True))
    return list(union[:limit])


def leads_by_email_key(*, keys: Iterable[str]) -> dict[str, Lead]:
    """The leads with these lower-cased e-mails (the unique index), with company and owner,
    by lower-cased e-mail: one query per 500 keys."""
    found: dict[str, Lead] = {}
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), 500):
        batch = ordered[start : start + 500]
        leads = (
            Lead.objects.select_related("company", "owner")
            .annotate(email_key=Lower("email"))
            .filter(email_key__in=batch)
        )
        found.update((lead.email_key, lead) for lead in leads)
    return found


def audit_entry_queryset_for_user(
    *, user: AbstractBaseUser | AnonymousUser, queryset: QuerySet[Any]
) -> QuerySet[Any]:
    """django-auditlog entries `user` may list: a manager all; anyone else given access none of
    a lead's entries (their field diffs carry names and e-mails). A rep reads the history of
    the leads they may see on the lead's own page (`LeadAdmin`), which is scoped like the lead."""
    if user_is_sales_manager(user):
        return queryset
    from django.contrib.contenttypes.models import ContentType

    return queryset.exclude(content_type=ContentType.objects.get_for_model(Lead))
