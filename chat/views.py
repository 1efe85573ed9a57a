"""The demo landing page at `/`: homepage copy, ROI calculator, demo-request and assessment forms
and the chat, all brought by the one website-kit tag (analytics/static/analytics/kit.js) exactly
as a customer's site embeds it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from analytics.models import Website


def demo_page(request: HttpRequest) -> HttpResponse:
    """Embed the kit with the key of an active Website that allows this page's own origin."""
    origin = f"{request.scheme}://{request.get_host()}"
    website = next(
        (
            site
            for site in Website.objects.filter(is_active=True).order_by("pk")
            if origin in site.allowed_origins
        ),
        None,
    )
    port = urlsplit(origin).port or (
        443 if request.is_secure() else 80
    )  # the Host header's, as the browser sees it
    return render(request, "chat/demo.html", {"website": website, "origin": origin, "port": port})
