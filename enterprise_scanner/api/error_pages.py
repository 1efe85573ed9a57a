"""Django's own error pages, in the API's JSON shape for requests under /api/.

DRF's exception handler covers errors raised inside API views; a URL that matches no view at all
(e.g. `/api/v1/leads/not-a-uuid/`) is answered by Django before DRF runs, with an HTML page a
JSON client cannot read and the schema does not document. Likewise a body over
DATA_UPLOAD_MAX_MEMORY_SIZE found while Django reads it (RequestDataTooBig, a SuspiciousOperation
that Django answers with its 400 page): it is a 413, JSON under /api/.
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.views import defaults

from enterprise_scanner import availability

from .exceptions import request_too_large_message


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def too_large(request: HttpRequest) -> HttpResponse:
    """413 for a body over the limit: `{"detail": …}` under /api/, a short page elsewhere."""
    message = request_too_large_message()
    if _is_api(request):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(
        f"<!doctype html><title>Request too large</title><h1>Request too large</h1><p>{escape(message)}</p>",
        status=413,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` (synchronous path): an unavailable database or Redis
    # raised outside a view (by a middleware) is still a 503, not a 500.
    if availability.is_unavailable(sys.exc_info()[1] or Exception()):
        return availability.unavailable_response(request)
    if _is_api(request):
        return JsonResponse({"detail": "Server error. It has been logged; please retry later."}, status=500)
    return defaults.server_error(request)
