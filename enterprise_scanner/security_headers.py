"""Response headers that no library we use sets: Cross-Origin-Resource-Policy.

Content-Security-Policy comes from django-csp (`csp.middleware.CSPMiddleware`), Permissions-Policy
from django-permissions-policy, HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy from
Django's SecurityMiddleware; the policies themselves are in settings.py ("Security headers").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
