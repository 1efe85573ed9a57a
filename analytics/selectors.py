"""Reads of the analytics domain."""

from __future__ import annotations

from django.core.cache import cache

from .models import Website

#: Websites are read on every public request; keep them briefly in the cache. Changes made through
#: `analytics.services` clear it at once; the timeout bounds any other path.
WEBSITE_CACHE_SECONDS = 30
ALL_ORIGINS_CACHE_KEY = "site-origins:all"


def website_cache_key(publishable_key: str) -> str:
    return f"site-key:{publishable_key}"


def website_for_key(publishable_key: str) -> Website | None:
    """The Website with this publishable key (active or not), cached briefly."""
    if not publishable_key or len(publishable_key) > 64:
        return None
    cache_key = website_cache_key(publishable_key)
    cached = cache.get(cache_key)
    if cached is not None:
        return cached or None
    website = Website.objects.filter(publishable_key=publishable_key).first()
    cache.set(cache_key, website or False, WEBSITE_CACHE_SECONDS)
    return website


def origin_is_allowed(origin: str) -> bool:
    """True when some active Website lists `origin` (answers CORS preflights)."""
    if not origin:
        return False
    origins = cache.get(ALL_ORIGINS_CACHE_KEY)
    if origins is None:
        origins = {o for site in Website.objects.filter(is_active=True) for o in site.allowed_origins}
        cache.set(ALL_ORIGINS_CACHE_KEY, origins, WEBSITE_CACHE_SECONDS)
    return origin in origins
