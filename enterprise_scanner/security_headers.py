"""Response headers that no library we use sets: Cross-Origin-Resource-Policy.

Content-Security-Policy comes from django-csp (`AdminAwareCSPMiddleware` below), Permissions-Policy
from django-permissions-policy, HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy from
Django's SecurityMiddleware; the policies themselves are in settings.py ("Security headers").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp.constants import UNSAFE_EVAL
from csp.middleware import CSPMiddleware, PolicyParts
from django.utils.deprecation import MiddlewareMixin

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

#: Pages and API answers are for our own origin only. (A CORS `fetch` from a customer's site to
#: the public API is not a "no-cors" request, so this does not get in its way.)
PAGE_CORP = "same-origin"
#: The website kit and chat widget (`/static/…`) are loaded by customers' pages with a plain
#: <script src>, a cross-origin no-cors request: they must say cross-origin.
STATIC_CORP = "cross-origin"


class CrossOriginResourcePolicyMiddleware(MiddlewareMixin):
    """`Cross-Origin-Resource-Policy: same-origin` on everything Django answers, so another site
    cannot embed our pages, PDFs or JSON as images/scripts to read them (Spectre-style leaks).
    Static files never reach this middleware (WhiteNoise answers above it, nginx in front):
    they get `cross-origin` from `static_file_headers` and deploy/nginx.conf."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response.headers.setdefault("Cross-Origin-Resource-Policy", PAGE_CORP)
        return response


def static_file_headers(headers: dict[str, str], path: str, url: str) -> None:
    """WhiteNoise's `WHITENOISE_ADD_HEADERS_FUNCTION`: static files may be loaded cross-origin
    (the kit and widget on customers' sites, including sites that require CORP under COEP)."""
    headers["Cross-Origin-Resource-Policy"] = STATIC_CORP


class AdminAwareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with one exception for the admin: its pages may evaluate script
    expressions ('unsafe-eval' in script-src), because django-unfold's UI (menus, dark mode,
    filters, the login button) runs on Alpine.js, whose standard build compiles the `x-…`
    attribute expressions with the Function constructor. The trade-off, accepted for staff pages
    only: HTML injected into an admin page could carry Alpine attributes that then run, so the
    admin's rule "escape every output" is what keeps it safe. Inline scripts still need the nonce
    (no 'unsafe-inline'), and every other page (the public demo page, API docs, the chat widget's
    host) keeps the strict policy."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path.startswith(_admin_prefix()):
            update = dict(parts.update or {})
            update["script-src"] = [*update.get("script-src", []), UNSAFE_EVAL]
            parts.update = update
        return parts


def _admin_prefix() -> str:
    from django.urls import reverse

    return reverse("admin:index")
