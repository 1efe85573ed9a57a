"""Encrypting endpoint signing secrets at rest.

A signing secret must be readable to sign each request, so unlike API keys it cannot be stored
as a hash. It is encrypted (Fernet: AES-128-CBC + HMAC) with a key derived from SECRET_KEY, so a
leaked database dump alone does not let anyone forge our webhooks. SECRET_KEY_FALLBACKS are
tried too, so rotating SECRET_KEY the Django way keeps existing secrets readable; rotating an
endpoint's secret re-encrypts it with the current key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"enterprise-scanner.webhooks.secret:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keyring() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt_secret(secret: str) -> str:
    return _keyring().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    return _keyring().decrypt(token.encode()).decode()
