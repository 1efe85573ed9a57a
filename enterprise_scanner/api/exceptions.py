"""One error shape for the whole API, and no HTML 500 pages for JSON clients."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from enterprise_scanner import availability

logger = logging.getLogger(__name__)

#: Seconds a client should wait before retrying when the database or Redis is unavailable.
DATABASE_RETRY_AFTER = availability.RETRY_AFTER_SECONDS


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: service-layer ValidationErrors become 400 with per-field messages,
    and an unavailable database or Redis (throttle counters, cached site keys) becomes 503 with
    Retry-After instead of a 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    if availability.is_unavailable(exc):
        logger.exception("Database or Redis unavailable while serving %s", context.get("request"))
        return Response(
            {"detail": availability.DETAIL},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(availability.RETRY_AFTER_SECONDS)},
        )
    return drf_exception_handler(exc, context)
