"""Query-string filters whose input PostgreSQL accepts whenever Python does.

ISO 8601 allows any UTC offset below 24 hours, and so does Python's `datetime`; PostgreSQL
refuses offsets beyond ±15:59 with a DataError, which would surface as a 500. No time zone on
Earth is further than 14 hours from UTC, so a larger offset is a client error: 400.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django_filters import fields, filters

#: UTC−12:00 (Baker Island) to UTC+14:00 (Line Islands).
MAX_UTC_OFFSET = timedelta(hours=14)


class IsoDateTimeField(fields.IsoDateTimeField):
    def clean(self, value: Any) -> datetime | None:
        result = super().clean(value)
        offset = result.utcoffset() if result is not None else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError("The UTC offset must be between -14:00 and +14:00.", code="invalid")
        return result


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    """django-filter's ISO 8601 filter, refusing UTC offsets no time zone has."""

    field_class = IsoDateTimeField
