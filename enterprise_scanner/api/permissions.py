"""Who may call what: public site-key requests vs secret API keys with scopes."""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from analytics.models import Website

from .models import ApiKey


class IsSiteRequest(BasePermission):
    """A request authenticated by a publishable site key."""

    message = "Send the website's publishable key in the X-Site-Key header."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, Website)


class HasApiScope(BasePermission):
    """A secret API key with the scope the view asks for: `required_scopes = {"GET": "leads:read"}`."""

    message = "This API key does not have the scope this request needs."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not isinstance(request.auth, ApiKey):
            return False
        scope = getattr(view, "required_scopes", {}).get(request.method)
        return scope is not None and request.auth.has_scope(scope)
