"""Websites that embed our tracker, chat widget and forms, and their publishable keys."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Website
from ..selectors import ALL_ORIGINS_CACHE_KEY, CACHE_UNAVAILABLE, website_cache_key

logger = logging.getLogger(__name__)

PUBLISHABLE_KEY_PREFIX = "pk_"


def normalise_origin(origin: str) -> str:
    """Return `scheme://host[:port]` in lower case, or raise ValidationError.

    Browsers send exactly this form in the Origin header, so allowed origins are stored in it
    and compared as plain strings.
    """
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"{origin!r} is not an origin like https://www.example.com.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValidationError(f"{origin!r} must be only scheme, host and port, without a path.")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{host}{port}"


@transaction.atomic
def website_create(*, name: str, allowed_origins: Iterable[str], is_active: bool = True) -> Website:
    """Register a site that may embed our script, with a fresh publishable key."""
    origins = sorted({normalise_origin(origin) for origin in allowed_origins})
    if not origins:
        raise ValidationError({"allowed_origins": "List at least one origin the site is served from."})
    website = Website.objects.create(
        name=name.strip(),
        publishable_key=PUBLISHABLE_KEY_PREFIX + secrets.token_urlsafe(24),
        allowed_origins=origins,
        is_active=is_active,
    )
    transaction.on_commit(lambda: _forget_cached(website))
    return website


def _forget_cached(website: Website) -> None:
    """Make the next public request see the change at once (keys and origins are cached). With
    the cache (Redis) down the change is committed all the same, and the entries expire on
    their own within WEBSITE_CACHE_SECONDS."""
    try:
        cache.delete_many([website_cache_key(website.publishable_key), ALL_ORIGINS_CACHE_KEY])
    except CACHE_UNAVAILABLE as exc:
        logger.warning("Cache unavailable, website %s not forgotten there: %s", website.pk, exc)


@transaction.atomic
def website_update(
    *,
    website: Website,
    name: str | None = None,
    allowed_origins: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> Website:
    """Change a site's name, origins or active flag; the key itself never changes here."""
    if name is not None:
        website.name = name.strip()
    if allowed_origins is not None:
        origins = sorted({normalise_origin(origin) for origin in allowed_origins})
        if not origins:
            raise ValidationError({"allowed_origins": "List at least one origin."})
        website.allowed_origins = origins
    if is_active is not None:
        website.is_active = is_active
    website.save()
    transaction.on_commit(lambda: _forget_cached(website))
    return website
