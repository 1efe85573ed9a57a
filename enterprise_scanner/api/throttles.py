"""Rate limits for public and key-authenticated requests, counted in the configured cache."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from analytics.models import Website

from .models import ApiKey


class SiteIpThrottle(SimpleRateThrottle):
    """Per client IP on public endpoints: one browser cannot flood the forms."""

    scope = "site_ip"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class StatusPollIpThrottle(SiteIpThrottle):
    """Per client IP on status pages a visitor's browser polls (e.g. a running assessment): its
    own, roomier counter, so polling never uses up the budget for the forms, and guessing
    tokens stays slow."""

    scope = "status_ip"


class SiteKeyThrottle(SimpleRateThrottle):
    """Per publishable key: a copied key cannot be used to flood one site's pipeline."""

    scope = "site_key"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, Website):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiKeyThrottle(SimpleRateThrottle):
    """Per secret API key; requests without one are counted by IP (slows key guessing)."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        ident = f"key-{request.auth.pk}" if isinstance(request.auth, ApiKey) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
