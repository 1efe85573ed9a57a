"""Encrypting secrets that must be read back (not hashed) at rest.

A webhook signing secret must be readable to sign each request, and a Slack / Teams incoming-webhook
URL must be readable to post to it, so unlike API keys they cannot be stored as hashes. They are
encrypted (Fernet: AES-128-CBC + HMAC) with a key derived from SECRET_KEY, so a leaked database dump
alone neither lets anyone forge our webhooks nor post into our sales channels.

Each use passes its own `purpose`, which is mixed into the key derivation: a token encrypted for
one purpose does not decrypt for another (a column copied into the wrong place stays unreadable).
The derivation is `sha256(purpose + ":" + SECRET_KEY)`; the webhooks' purpose is the string that
module used before it moved here, so secrets stored since then still decrypt.

SECRET_KEY_FALLBACKS are tried too, so rotating SECRET_KEY the Django way keeps existing values
readable; saving a value again re-encrypts it with the current key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet(purpose: str, secret_key: str) -> Fernet:
    digest = hashlib.sha256(f"{purpose}:".encode() + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keyring(purpose: str) -> MultiFernet:
    if not purpose:
        raise ValueError("A purpose is required: it keeps the keys of different uses apart.")
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(purpose, key) for key in keys])


def encrypt_text(plaintext: str, *, purpose: str) -> str:
    """The Fernet token (ASCII) of `plaintext`, under the current SECRET_KEY."""
    return _keyring(purpose).encrypt(plaintext.encode()).decode()


def decrypt_text(token: str, *, purpose: str) -> str:
    """The plaintext of a token made by `encrypt_text` with the same purpose, under SECRET_KEY or
    any of SECRET_KEY_FALLBACKS. Raises `cryptography.fernet.InvalidToken` otherwise."""
    return _keyring(purpose).decrypt(token.encode()).decode()
