"""DRF authentication by secret API key: `Authorization: Api-Key <key>`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import ApiKey
from .services import api_key_check
from .throttles import ClientIpRateThrottle

KEYWORD = "Api-Key"


class ApiKeyUser(AnonymousUser):
    """The principal behind an API key: authenticated, but no staff or model permissions.

    Views authorise by the key's scopes (`request.auth`), never by Django permissions.
    """

    def __init__(self, key: ApiKey) -> None:
        self.key = key

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    @property
    def is_anonymous(self) -> bool:  # type: ignore[override]
        return False

    def __str__(self) -> str:
        return f"api-key:{self.key.prefix}"


class ApiKeyFailureThrottle(ClientIpRateThrottle):
    """Counts wrong API keys per client IP. Authentication runs before DRF's throttles, so a
    failed key would never reach ApiKeyThrottle: without this, guessing keys is limited only by
    bandwidth. Once an address has sent `THROTTLE_API_KEY_FAILURES` wrong keys, every key it
    sends is refused with 429 until the window has passed."""

    scope = "api_key_failure"

    def get_rate(self) -> str:
        return settings.THROTTLE_API_KEY_FAILURES

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def blocked(self, request: Request) -> bool:
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [at for at in self.cache.get(self.key, []) if at > self.now - self.duration]
        return len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        self.throttle_success()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw_key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        if not raw_key.strip():
            raise exceptions.AuthenticationFailed("No API key given after 'Api-Key'.")
        failures = ApiKeyFailureThrottle()
        if failures.blocked(request):
            raise exceptions.Throttled(
                wait=failures.wait(), detail="Too many invalid API keys from this address."
            )
        key = api_key_check(raw_key=raw_key)
        if key is None:
            failures.record_failure()
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        return ApiKeyUser(key), key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
