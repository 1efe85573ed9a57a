"""Finding a lead's likely duplicates: one at a time (a database pre-filter, then exact keys)
or many at once (an in-memory `DuplicateIndex` for imports and the admin's list)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from ..models import Lead
from .keys import (
    DOT_INSENSITIVE_DOMAINS,
    KEY_COLUMNS,
    REASONS,
    keys_from_columns,
    keys_of_lead,
    name_key,
    phone_match_key,
)


@dataclass(frozen=True)
class DuplicateMatch:
    """Another lead that is probably the same person, and why we think so."""

    other: Lead
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


class DuplicateIndex:
    """The matching keys of many leads in memory, for bulk work (imports, the admin list).

    Built with one streaming query; afterwards finding a lead's likely duplicates is a few
    dictionary lookups, so importing n rows costs one table read instead of n. Add each new
    lead with `add_lead` so later rows of the same file match it too. Memory: a few hundred
    bytes per lead (100,000 leads ≈ tens of MB).
    """

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.created: dict[Any, Any] = {}

    @classmethod
    def build(cls, *, queryset: QuerySet[Lead] | None = None) -> DuplicateIndex:
        index = cls()
        queryset = Lead.objects.all() if queryset is None else queryset
        for pk, *columns, created_at in (
            queryset.order_by().values_list(*KEY_COLUMNS).iterator(chunk_size=5000)
        ):
            index.add(pk, keys_from_columns(*columns), created_at)
        return index

    def add(self, pk: Any, keys: Iterable[tuple[str, str]], created_at: Any = None) -> None:
        self.created[pk] = created_at
        for key in keys:
            self.buckets[key].append(pk)

    def add_lead(self, lead: Lead) -> None:
        if lead.pk not in self.created:
            self.add(lead.pk, keys_of_lead(lead), lead.created_at)

    def matches(self, lead: Lead) -> dict[Any, tuple[str, ...]]:
        """Ids of the indexed leads that match `lead` (not itself), with the reasons."""
        return self.matches_keys(lead.pk, keys_of_lead(lead))

    def matches_keys(self, pk: Any, keys: Iterable[tuple[str, str]]) -> dict[Any, tuple[str, ...]]:
        """`matches` of the lead `pk` whose (reason, key) pairs are `keys` (computed once by bulk callers)."""
        found: dict[Any, list[str]] = defaultdict(list)
        for reason, key in keys:
            for other in self.buckets.get((reason, key), ()):
                if other != pk and reason not in found[other]:
                    found[other].append(reason)
        return {other: tuple(r for r in REASONS if r in reasons) for other, reasons in found.items()}


def _candidate_filter(lead: Lead) -> Q | None:
    """A narrow SQL pre-filter; Python then compares the exact keys.

    The mailbox: the same domain(s) and (Gmail) the same first letter, or (elsewhere) the
    address itself and its "+tag" forms. The phone: numbers containing the last four digits
    (a phone whose last four digits are split by a separator, "555-01 00", is not found here;
    the admin list, which compares every lead's full key, still finds it). The name: the same
    company, an indexed foreign key, which also finds "+tag" forms of a corporate address.
    """
    parts: list[Q] = []
    email = lead.email.strip().lower()
    local, at, domain = email.rpartition("@")
    if at and local:
        if domain in DOT_INSENSITIVE_DOMAINS:
            by_domain = Q()
            for candidate_domain in DOT_INSENSITIVE_DOMAINS:
                by_domain |= Q(email__iendswith=f"@{candidate_domain}")
            parts.append(by_domain & Q(email__istartswith=local.lstrip(".")[:1]))
        else:
            base = local.split("+", 1)[0] or local
            parts.append(
                Q(email__iexact=f"{base}@{domain}")
                | Q(email__istartswith=f"{base}+", email__iendswith=f"@{domain}")
            )
    phone_key = phone_match_key(lead.phone)
    if phone_key:
        parts.append(Q(phone__contains=phone_key[-4:]))
    if name_key(lead.first_name, lead.last_name):
        if lead.company_id:
            parts.append(Q(company_id=lead.company_id))
        elif lead.company_name.strip():
            parts.append(Q(company__isnull=True, company_name__iexact=lead.company_name.strip()))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def lead_find_duplicates(
    *, lead: Lead, queryset: QuerySet[Lead] | None = None, index: DuplicateIndex | None = None
) -> list[DuplicateMatch]:
    """Other leads that are probably the same person as `lead`, oldest first.

    Without `index`: the database narrows the candidates (see `_candidate_filter`) and Python
    compares the exact keys of their bare columns; that is one unindexed table read (the
    phone and mail-domain filters), fine for a form submission. With a `DuplicateIndex` (bulk
    imports) the keys are looked up in memory. Either way the matching leads are then loaded
    in one query, and none when nothing matched. Pass a scoped `queryset` to look only among
    the leads someone may see.
    """
    queryset = Lead.objects.all() if queryset is None else queryset
    queryset = queryset.exclude(pk=lead.pk)
    if index is not None:
        found = index.matches(lead)
    else:
        condition = _candidate_filter(lead)
        if condition is None:
            return []
        # Candidates as bare columns: cheap even when a common mail domain yields thousands.
        mine = dict(keys_of_lead(lead))
        found = {}
        for pk, *columns, _created_at in queryset.filter(condition).order_by().values_list(*KEY_COLUMNS):
            theirs = dict(keys_from_columns(*columns))
            reasons = tuple(
                reason for reason in REASONS if reason in mine and mine[reason] == theirs.get(reason)
            )
            if reasons:
                found[pk] = reasons
    if not found:
        return []
    others = queryset.filter(pk__in=found).select_related("company", "owner").order_by("created_at", "pk")
    return [DuplicateMatch(other=other, reasons=found[other.pk]) for other in others]
