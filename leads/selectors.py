"""Reads of the leads domain."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet, TextChoices
from django.db.models.functions import Lower
from django.utils.text import smart_split, unescape_string_literal

from .days import day_bounds
from .models import Company, CompanyDomain, Lead, LeadEvent, LeadTask

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


# --- Tasks -------------------------------------------------------------------------------------


class TaskBucket(TextChoices):
    """The views of My tasks. Days are local days of `settings.TIME_ZONE` (leads.days)."""

    TODAY = "today", "Today"
    OVERDUE = "overdue", "Overdue"
    UPCOMING = "upcoming", "Upcoming"
    DONE = "done", "Done"


def task_queryset_for_user(
    *, user: AbstractBaseUser | AnonymousUser, mine: bool = False, queryset: QuerySet[LeadTask] | None = None
) -> QuerySet[LeadTask]:
    """The tasks `user` may see, with lead, company and owners joined: a manager all; anyone
    else with lead access the tasks they own plus every task on a lead they may see (their own
    and unassigned leads). With `mine`, only what is theirs to do: tasks they own, and unowned
    tasks on leads they own (an unowned task is the lead owner's)."""
    queryset = LeadTask.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("lead__company", "lead__owner", "owner", "done_by")
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return queryset.none()
    if mine:
        queryset = queryset.filter(Q(owner=user) | Q(owner__isnull=True, lead__owner=user))
    if user_is_sales_manager(user):
        return queryset
    return queryset.filter(Q(owner=user) | Q(lead__owner=user) | Q(lead__owner__isnull=True))


def task_bucket_q(bucket: str, *, today: date | None = None) -> Q:
    """Today: open and due during today; overdue: open and due before today; upcoming: open and
    due after today; done: done. `today` defaults to the local date."""
    bounds = day_bounds(today=today)
    open_ = Q(done_at__isnull=True)
    return {
        TaskBucket.TODAY: open_ & Q(due_at__gte=bounds.start, due_at__lt=bounds.end),
        TaskBucket.OVERDUE: open_ & Q(due_at__lt=bounds.start),
        TaskBucket.UPCOMING: open_ & Q(due_at__gte=bounds.end),
        TaskBucket.DONE: Q(done_at__isnull=False),
    }[TaskBucket(bucket)]


def tasks_in_bucket(
    queryset: QuerySet[LeadTask], *, bucket: str, today: date | None = None
) -> QuerySet[LeadTask]:
    """`queryset` narrowed to one bucket, in the order a rep works it (done: latest done first)."""
    queryset = queryset.filter(task_bucket_q(bucket, today=today))
    if bucket == TaskBucket.DONE:
        return queryset.order_by("-done_at", "-pk")
    return queryset.order_by("due_at", "pk")


def task_bucket_counts(queryset: QuerySet[LeadTask], *, today: date | None = None) -> dict[str, int]:
    """How many tasks of `queryset` are in each bucket, in one query (the My tasks tabs)."""
    return queryset.order_by().aggregate(
        **{bucket.value: Count("pk", filter=task_bucket_q(bucket, today=today)) for bucket in TaskBucket}
    )


def lead_open_tasks(*, lead: Lead) -> QuerySet[LeadTask]:
    """A lead's open tasks, earliest first, with their owners (the lead page, the board card)."""
    return lead.tasks.filter(done_at__isnull=True).select_related("owner").order_by("due_at", "pk")


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
