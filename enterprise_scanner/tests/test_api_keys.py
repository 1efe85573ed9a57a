"""Secret API keys: shown once, stored hashed, scoped, expiring and revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from enterprise_scanner.api.models import ApiKey
from enterprise_scanner.api.services import api_key_check, api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def test_key_is_stored_only_as_a_hash_and_checks() -> None:
    key, raw = api_key_create(name="CRM sync", scopes=["leads:read"])
    assert raw.startswith(f"es_{key.prefix}_")
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw not in (stored.key_hash, stored.prefix, stored.name)
    assert len(stored.key_hash) == 64
    assert api_key_check(raw_key=raw) == key
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


@pytest.mark.parametrize(
    "tamper",
    [lambda r: r[:-1] + ("A" if r[-1] != "A" else "B"), lambda r: r + "x", lambda r: "", lambda r: "es_nope"],
)
def test_wrong_keys_do_not_check(tamper) -> None:
    _, raw = api_key_create(name="x", scopes=["leads:read"])
    assert api_key_check(raw_key=tamper(raw)) is None


def test_revoked_and_expired_keys_do_not_check() -> None:
    key, raw = api_key_create(name="x", scopes=["leads:read"])
    api_key_revoke(key=key)
    assert api_key_check(raw_key=raw) is None

    key2, raw2 = api_key_create(
        name="y", scopes=["leads:read"], expires_at=timezone.now() + timedelta(hours=1)
    )
    ApiKey.objects.filter(pk=key2.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_key_check(raw_key=raw2) is None


def test_scopes_are_validated() -> None:
    with pytest.raises(ValidationError):
        api_key_create(name="x", scopes=["leads:delete"])
    with pytest.raises(ValidationError):
        api_key_create(name="x", scopes=[])
    with pytest.raises(ValidationError):
        api_key_create(name="x", scopes=["partner"])  # a partner key needs its partner


def test_hash_column_accepts_only_sha256_hex() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.create(name="raw", prefix="abc", key_hash="es_plaintext_key", scopes=["leads:read"])
