"""Standard Webhooks signatures (https://www.standardwebhooks.com/), signed by hand.

The scheme is a few lines of HMAC, so it is written here rather than adding a package; the test
checks it against the specification's published example. Headers:

- `webhook-id`: the event's id, the same on every retry and resend (receivers de-duplicate on it);
- `webhook-timestamp`: seconds since the epoch of this attempt (receivers reject old ones);
- `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
  base64-decoded part of the `whsec_…` secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the scheme's prefix, not a secret


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one request."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def verify(*, secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (used by the tests and shown in docs/webhooks.md): any of the
    space-separated `v1,` signatures must match, compared in constant time."""
    expected = sign(
        secret=secret, msg_id=headers["webhook-id"], timestamp=int(headers["webhook-timestamp"]), body=body
    )
    return any(hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split())
