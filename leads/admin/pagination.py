"""Paginators for the admin's big lists (leads, timeline rows, notes)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows, so a list over millions of leads costs a bounded COUNT
    (`SELECT COUNT(*) FROM (… LIMIT 10001)`) instead of a full-table scan. Beyond the cap the
    pagination line says "more than 10,000" and filters or search narrow it down.

    The count drops the list's ORDER BY: the order does not change how many rows there are, and
    with it PostgreSQL had to find and sort every match before it could stop at the cap."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.CAP + 1].count()
