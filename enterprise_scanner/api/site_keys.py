"""Publishable site keys: how the public website's forms, tracker and chat identify themselves.

A publishable key sits in the page's HTML, so it is not a secret. What it buys: requests are tied
to one Website, must come from one of that Website's origins (checked here and by CORS), are
throttled per key and per IP, and can only create things.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from analytics.models import Website
from analytics.selectors import website_for_key

HEADER = "HTTP_X_SITE_KEY"


class SiteKeyUser(AnonymousUser):
    """The principal of a public request: a website's visitor. Authenticated, never staff."""

    def __init__(self, website: Website) -> None:
        self.website = website

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    def __str__(self) -> str:
        return f"site:{self.website.pk}"


class SiteKeyAuthentication(authentication.BaseAuthentication):
    """`X-Site-Key: pk_…` from an allowed Origin. Unknown key 401; disabled key or foreign origin 403."""

    def authenticate(self, request: Request) -> tuple[SiteKeyUser, Website] | None:
        key = request.META.get(HEADER, "").strip()
        if not key:
            return None
        website = website_for_key(key)
        if website is None:
            raise exceptions.AuthenticationFailed("Unknown site key.")
        if not website.is_active:
            raise exceptions.PermissionDenied("This site key has been disabled.")
        origin = request.META.get("HTTP_ORIGIN", "")
        if origin not in website.allowed_origins:
            raise exceptions.PermissionDenied(
                f"Origin {origin or '(none)'} is not allowed for this site key."
            )
        return SiteKeyUser(website), website

    def authenticate_header(self, request: Request) -> str:
        return "Site-Key"
