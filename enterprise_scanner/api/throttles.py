"""Rate limits for public and key-authenticated requests, counted in the configured cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from analytics.models import Website

from ..client_ip import client_ip
from .models import ApiKey

if TYPE_CHECKING:  # rest_framework.views imports the authentication classes, which import this
    from rest_framework.views import APIView


class ClientIpRateThrottle(SimpleRateThrottle):
    """Base of every throttle here: "per IP" means the address enterprise_scanner.client_ip
    decides (forwarding headers only behind NUM_PROXIES proxies), never DRF's own reading."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request)


class SiteIpThrottle(ClientIpRateThrottle):
    """Per client IP on public endpoints: one browser cannot flood the forms."""

    scope = "site_ip"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class StatusPollIpThrottle(SiteIpThrottle):
    """Per client IP on status pages a visitor's browser polls (e.g. a running assessment): its
    own, roomier counter, so polling never uses up the budget for the forms, and guessing
    tokens stays slow."""

    scope = "status_ip"


class SiteKeyThrottle(ClientIpRateThrottle):
    """Per publishable key: a copied key cannot be used to flood one site's pipeline."""

    scope = "site_key"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, Website):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiKeyThrottle(ClientIpRateThrottle):
    """Per secret API key; requests without one are counted by IP (slows key guessing)."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        ident = f"key-{request.auth.pk}" if isinstance(request.auth, ApiKey) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
