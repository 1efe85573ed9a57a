"""Creating, checking and revoking secret API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiKey, ApiScope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from partners.models import Partner

KEY_NAMESPACE = "es"
PREFIX_LENGTH = 12
#: Refresh `last_used_at` at most this often per key, so every request does not write a row.
LAST_USED_RESOLUTION_SECONDS = 60


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _split(raw_key: str) -> tuple[str, str] | None:
    """Return (prefix, secret) of a well-formed key `es_<prefix>_<secret>`, else None."""
    parts = raw_key.split("_")
    if len(parts) != 3 or parts[0] != KEY_NAMESPACE or len(parts[1]) != PREFIX_LENGTH:
        return None
    return parts[1], parts[2]


@transaction.atomic
def api_key_create(
    *,
    name: str,
    scopes: Iterable[str],
    created_by: AbstractBaseUser | None = None,
    partner: Partner | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is never retrievable again."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(ApiScope.values)
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}."})
    if not scopes:
        raise ValidationError({"scopes": "A key needs at least one scope."})
    if ApiScope.PARTNER in scopes and partner is None:
        raise ValidationError({"partner": "A partner-scoped key must belong to a partner."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    raw_key = f"{KEY_NAMESPACE}_{prefix}_{secrets.token_urlsafe(32).replace('_', '-')}"
    key = ApiKey.objects.create(
        name=name.strip() or "Unnamed key",
        prefix=prefix,
        key_hash=_digest(raw_key),
        scopes=scopes,
        partner=partner,
        created_by=created_by,
        expires_at=expires_at,
    )
    return key, raw_key


def api_key_check(*, raw_key: str) -> ApiKey | None:
    """Return the usable key matching `raw_key`, or None. Records when the key was last used."""
    parts = _split(raw_key.strip())
    if parts is None:
        return None
    key = ApiKey.objects.usable().select_related("partner").filter(prefix=parts[0]).first()
    if key is None or not hmac.compare_digest(key.key_hash, _digest(raw_key.strip())):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoke a key at once; requests made with it are refused from now on."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
