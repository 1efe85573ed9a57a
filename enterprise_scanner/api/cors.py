"""CORS for the public API: allow exactly the origins that active Websites list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from analytics.selectors import origin_is_allowed


def allow_website_origins(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    """django-cors-headers asks this for each cross-origin request to /api/v1/."""
    return origin_is_allowed(request.headers.get("Origin", ""))
