"""DRF authentication by secret API key: `Authorization: Api-Key <key>`."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import ApiKey
from .services import api_key_check

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
        key = api_key_check(raw_key=raw_key)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        return ApiKeyUser(key), key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
