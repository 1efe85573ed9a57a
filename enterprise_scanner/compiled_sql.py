"""Reads on the hottest paths, compiled by the ORM once per process and database.

Turning a queryset into SQL costs far more than running it when the query is an index probe:
`WebhookEndpoint.objects.filter(active=True).exists()` took ~0.3 ms here, of which ~0.03 ms was
the database. A public form submission asks a few such questions on every request, so each is
written as a queryset (the ORM still decides quoting, placeholders and the SQL dialect) and its
compiled SQL is kept and executed directly. Only the values of named parameters change between
calls; everything else in the queryset must be a constant.

Rows come back as plain tuples without the ORM's converters, so select only columns whose raw
value means the same on every backend (existence, integer keys, text), or nothing at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet


class CompiledRead:
    """A read whose SQL the ORM compiles on first use per database alias.

    `build(*params)` returns the queryset; it is called once per alias with a unique marker
    string for each named parameter, and the marker is located in the compiled parameter list.
    A lookup that transforms the value (e.g. `icontains` wraps it in `%`) would hide the marker:
    that is refused when compiling, rather than silently querying the wrong value.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *param_names: str) -> None:
        self._build = build
        self._param_names = param_names
        # alias -> (sql, parameter template: constants, or an int for "argument number N")
        self._compiled: dict[str, tuple[str, list[Any]]] = {}

    def _compile(self, using: str) -> tuple[str, list[Any]]:
        markers = [f"compiled-read-{name}-{secrets.token_hex(8)}" for name in self._param_names]
        query = self._build(*markers).query
        sql, params = query.get_compiler(using=using).as_sql()
        template: list[Any] = []
        for value in params:
            template.append(markers.index(value) if value in markers else _Constant(value))
        missing = [
            name for name, marker in zip(self._param_names, markers, strict=True) if marker not in params
        ]
        if missing:
            raise ImproperlyConfigured(f"CompiledRead: parameter(s) {missing} do not reach the SQL unchanged")
        return sql, template

    def sql(self, using: str) -> tuple[str, list[Any]]:
        """The compiled SQL for `using`, and its parameter template (for tests and EXPLAIN)."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        return compiled

    def fetchone(self, *args: Any, using: str) -> tuple[Any, ...] | None:
        """Run the read with these parameter values; its first row, or None."""
        sql, template = self.sql(using)
        params: Sequence[Any] = [args[item] if isinstance(item, int) else item.value for item in template]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


class _Constant:
    """A parameter value fixed in the queryset (kept apart from argument numbers)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
