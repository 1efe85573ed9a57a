"""The API's one pagination: `{count, next, previous, results}` pages of PAGE_SIZE rows.

DRF's PageNumberPagination quietly replaces a `page_size` it cannot use (`null`, `0`, `-5`,
`abc`, or over the maximum) by the default or the maximum, so a client's mistake went unseen and
it received other rows than it asked for. Here an unusable `page` or `page_size` is a 400 that
says what is allowed, and the schema documents the same limits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


def _whole_number(raw: str) -> int | None:
    """The value of a plain decimal number (digits only, no sign or spaces), else None."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


class StandardPagination(PageNumberPagination):
    """Pages of `page_size` rows (default PAGE_SIZE, 1 to `max_page_size`), numbered from 1."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _whole_number(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give a whole number from 1 to {self.max_page_size}, not {raw[:20]!r}."
                    ]
                }
            )
        return size

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = _whole_number(raw)
        if number is None or number < 1:
            raise ValidationError(
                {self.page_query_param: [f"Give a page number of 1 or more (or 'last'), not {raw[:20]!r}."]}
            )
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1 (or `last`). Not a whole number of 1 or more: 400; "
                "past the last page: 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page: 1 to {self.max_page_size} (default {settings.REST_FRAMEWORK['PAGE_SIZE']}). "
                "Any other value: 400.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
