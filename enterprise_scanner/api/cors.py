"""CORS for the public API: allow exactly the origins that active Websites list."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from analytics.selectors import origin_is_allowed
from enterprise_scanner.availability import UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)


def allow_website_origins(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    """django-cors-headers asks this for each cross-origin request to /api/v1/.

    It runs on the way out too, after the view has answered. With the database down that answer
    is already a 503 with Retry-After; failing here would turn it into a 500, so an origin that
    cannot be checked is simply not allowed. (With only Redis down the check reads the
    database, so a browser can still read the 503.)"""
    try:
        return origin_is_allowed(request.headers.get("Origin", ""))
    except UNAVAILABLE_ERRORS as exc:
        logger.warning("CORS origin check skipped, database unavailable: %s", exc)
        return False
