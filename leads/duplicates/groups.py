"""The admin's list: every group of likely duplicates among the leads a user may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import Lead
from ..selectors import lead_queryset_for_user
from .detection import DuplicateIndex
from .keys import REASONS

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class DuplicateGroup:
    """Leads that are probably one person (oldest first), and the evidence that links them."""

    leads: list[Lead]
    reasons: tuple[str, ...]

    @property
    def ids(self) -> list[str]:
        return [str(lead.pk) for lead in self.leads]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, item: Any) -> Any:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: Any, b: Any) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_b] = root_a


def duplicate_groups(*, user: AbstractBaseUser | AnonymousUser, limit: int = 200) -> list[DuplicateGroup]:
    """Groups of likely duplicates among the leads `user` may see, most recent first.

    Two queries whatever the table size: one streams the few columns the keys need (no model
    instances; about 2 s for 100,000 leads on SQLite), one loads the leads of the first `limit`
    groups with their company and owner. A lead linked to two others by different evidence
    (same phone as one, same e-mail as the other) puts all three in one group.
    """
    index = DuplicateIndex.build(queryset=lead_queryset_for_user(user=user))
    groups = _UnionFind()
    linked = [(reason, pks) for (reason, _key), pks in index.buckets.items() if len(pks) > 1]
    for _reason, pks in linked:
        for pk in pks[1:]:
            groups.union(pks[0], pk)
    members: dict[Any, list[Any]] = defaultdict(list)
    reasons: dict[Any, set[str]] = defaultdict(set)
    for reason, pks in linked:
        reasons[groups.find(pks[0])].add(reason)
    for pk in {pk for _reason, pks in linked for pk in pks}:
        members[groups.find(pk)].append(pk)

    created = index.created
    newest_first = sorted(members, key=lambda root: max(created[pk] for pk in members[root]), reverse=True)
    chosen = newest_first[:limit]
    wanted = [pk for root in chosen for pk in members[root]]
    leads = {
        lead.pk: lead
        for lead in Lead.objects.filter(pk__in=wanted).select_related("company", "owner").order_by()
    }
    result = []
    for root in chosen:
        group_leads = sorted(
            (leads[pk] for pk in members[root] if pk in leads),
            key=lambda lead: (lead.created_at, str(lead.pk)),
        )
        if len(group_leads) > 1:  # a lead deleted between the two queries
            ordered = tuple(reason for reason in REASONS if reason in reasons[root])
            result.append(DuplicateGroup(leads=group_leads, reasons=ordered))
    return result
