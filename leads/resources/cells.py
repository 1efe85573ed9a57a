"""Cells in and out of spreadsheets, shared by the lead and company resources: formula-safe
export, reading a cell whatever the file format made of it, choices, booleans, dates, and the
per-row error collector.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from import_export.fields import Field

# =================================================================================================
# Leads and companies: admin import/export and `manage.py import_leads` (see `leads.importing`)
# =================================================================================================
#
# Both resources clean every cell themselves (in `before_import_row`) instead of through
# import-export's widgets, for three reasons: a row's problems are reported together, by column
# name, as a `ValidationError` (an "invalid row": the other rows still import); nothing is looked
# up per row (owners, existing leads and companies are fetched once per chunk); and a blank cell
# never wipes what the database already knows. Widgets are used for export only.

#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a cell a spreadsheet shows as text and never runs: a text starting with
    = + - @ tab or CR gets a leading apostrophe (the OWASP recommendation).

    Why not only `IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`: that setting removes one leading
    "=" and nothing else, so "==1+1", "+cmd|…" or "@SUM(…)" would still run.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_unescape(value: str) -> str:
    """Undo `spreadsheet_safe`, so that an exported file imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _cell_text(value: Any) -> str:
    """A cell as stripped text, whatever the file format made of it (XLSX gives numbers, dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return spreadsheet_unescape(str(value).strip())


class _SafeExportMixin:
    """Every exported text cell is formula-safe, and an empty value is an empty cell."""

    def export_field(self, field: Field, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)  # type: ignore[misc]
        return "" if value is None else spreadsheet_safe(value)


def _choice(value: str, choices: type[models.TextChoices]) -> str | None:
    """The choice whose value or label is `value` (any case, spaces or dashes for "_"), or None."""
    wanted = value.strip().lower()
    as_value = wanted.replace(" ", "_").replace("-", "_")
    for choice in choices:
        if as_value == choice.value or wanted == str(choice.label).lower():
            return choice.value
    return None


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off"})
FOLLOW_UP_DEFAULT_TIME = time(9, 0)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    return True if text in TRUE_WORDS else False if text in FALSE_WORDS else None


def _aware_datetime(value: Any) -> datetime | None:
    """A date or date-and-time cell as an aware datetime (a date alone means 09:00, and a time
    without an offset is in the site's time zone); None when it is neither."""
    if isinstance(value, datetime):
        moment: datetime | None = value
    elif isinstance(value, date):
        moment = datetime.combine(value, FOLLOW_UP_DEFAULT_TIME)
    else:
        text = _cell_text(value)
        try:
            day = parse_date(text)  # first: parse_datetime reads a bare date as midnight
            moment = datetime.combine(day, FOLLOW_UP_DEFAULT_TIME) if day else parse_datetime(text)
        except ValueError:  # well formed but impossible, e.g. 2026-02-30
            moment = None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _json_value(value: Any) -> Any:
    """A value as it can be stored in a timeline entry's JSON data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


class _RowErrors(dict):
    """Problems of one row, by column; raised together as one `ValidationError`."""

    def add(self, column: str, message: str) -> None:
        self.setdefault(column, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))
