"""The public unsubscribe page `/u/<token>/` (linked from every nurture e-mail).

GET shows a confirm button (a link scanner or preview that follows the link must not
unsubscribe anyone). POST unsubscribes: the page's form (with its CSRF token), or the mail
client's RFC 8058 one-click POST with the exact body `List-Unsubscribe=One-Click`, which carries
no cookie or token and is therefore exempt from CSRF — only for that exact body. The token is the
secret; a bad or expired one gets a friendly 400 page. Unsubscribing twice is fine.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .services import BadUnsubscribeToken, lead_from_unsubscribe_token, lead_unsubscribe

ONE_CLICK_FIELD, ONE_CLICK_VALUE = "List-Unsubscribe", "One-Click"
TEMPLATE = "leads/nurture/unsubscribe.html"


def _is_one_click(request: HttpRequest) -> bool:
    """The RFC 8058 body and nothing else: `List-Unsubscribe=One-Click`, form-urlencoded or
    multipart (the RFC allows both)."""
    return (
        list(request.POST.keys()) == [ONE_CLICK_FIELD]
        and request.POST.getlist(ONE_CLICK_FIELD) == [ONE_CLICK_VALUE]
        and not request.FILES
    )


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """The normal CSRF check, for a POST that is not the one-click body."""
    return CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(request, None, (), {})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        lead = lead_from_unsubscribe_token(token)
    except BadUnsubscribeToken:
        return render(request, TEMPLATE, {"state": "bad"}, status=400)
    if request.method != "POST":
        state = "done" if lead.marketing_unsubscribed_at else "confirm"
        return render(request, TEMPLATE, {"state": state, "email": lead.email})
    one_click = _is_one_click(request)
    if not one_click and (refusal := _csrf_refusal(request)) is not None:
        return refusal
    lead_unsubscribe(lead=lead, via="one-click" if one_click else "unsubscribe page")
    if one_click:
        return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
    return render(request, TEMPLATE, {"state": "done", "email": lead.email})
