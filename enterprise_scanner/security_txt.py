"""`/.well-known/security.txt` (RFC 9116): where to report a vulnerability in this product.

A security vendor whose own scanner reports a missing security.txt on prospects' sites must
publish one. `Expires` is required and must lie in the future; it is computed on each request
(`SECURITY_TXT_VALID_DAYS` ahead, under the RFC's advice of less than a year), so the file never
goes stale on a deployment nobody touches, and the contact comes from settings.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

#: How far ahead `Expires` lies (RFC 9116 §2.5.5 recommends less than a year).
SECURITY_TXT_VALID_DAYS = 180


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    expires = timezone.now().replace(microsecond=0) + timedelta(days=SECURITY_TXT_VALID_DAYS)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "max-age=86400"
    return response
