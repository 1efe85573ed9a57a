"""Django's own error pages, in the API's JSON shape for requests under /api/.

DRF's exception handler covers errors raised inside API views; a URL that matches no view at all
(e.g. `/api/v1/leads/not-a-uuid/`) is answered by Django before DRF runs, with an HTML page a
JSON client cannot read and the schema does not document.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Server error. It has been logged; please retry later."}, status=500)
    return defaults.server_error(request)
