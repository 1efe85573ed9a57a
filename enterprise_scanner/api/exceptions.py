"""One error shape for the whole API, and no HTML 500 pages for JSON clients."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from enterprise_scanner import availability

logger = logging.getLogger(__name__)

#: Seconds a client should wait before retrying when the database or Redis is unavailable.
DATABASE_RETRY_AFTER = availability.RETRY_AFTER_SECONDS


class RequestBodyTooLarge(exceptions.APIException):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 in the API's error shape."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self) -> None:
        super().__init__(detail=request_too_large_message())


def request_too_large_message() -> str:
    """What a client whose body is over the limit is told (the API and the error pages alike)."""
    return f"The request body is too large (at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes)."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: service-layer ValidationErrors become 400 with per-field messages,
    and an unavailable database or Redis (throttle counters, cached site keys) becomes 503 with
    Retry-After instead of a 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestBodyTooLarge()
    if availability.is_unavailable(exc):
        logger.exception("Database or Redis unavailable while serving %s", context.get("request"))
        return Response(
            {"detail": availability.DETAIL},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(availability.RETRY_AFTER_SECONDS)},
        )
    return drf_exception_handler(exc, context)
