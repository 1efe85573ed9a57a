"""Public pages of the chat domain: the demo landing page at `/` (homepage copy, ROI calculator,
demo-request and assessment forms and the chat, all brought by the one website-kit tag,
analytics/static/analytics/kit.js, exactly as a customer's site embeds it) and the help pages
at `/help/` that the bot's answers link to as their source."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from analytics.models import Website

from .bot.retrieval import split_paragraphs
from .models import KnowledgeArticle


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


def help_index(request: HttpRequest) -> HttpResponse:
    """The published knowledge base as a page: every article the bot answers from."""
    articles = KnowledgeArticle.objects.filter(is_published=True).only("title", "slug").order_by("title")
    return render(request, "chat/help_index.html", {"articles": articles})


def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    """One published article, the page a bot answer's "Source" links to (404 unless published,
    so a draft is never shown)."""
    article = get_object_or_404(KnowledgeArticle, slug=slug, is_published=True)
    return render(
        request,
        "chat/help_article.html",
        {"article": article, "paragraphs": split_paragraphs(article.answer)},
    )
