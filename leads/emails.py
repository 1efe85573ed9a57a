"""E-mail addresses as the API stores them, fast enough for a 100,000-row import.

`email_normalise` returns exactly what `email_validator.validate_email(raw,
check_deliverability=False).normalized` returns (the API's normalisation, see `leads.apis`),
and raises the same `EmailNotValidError` for a bad address.

Why not call `validate_email` for every row: it costs about 70 µs an address, most of it in the
domain part (IDNA, special-use and length rules), so an import of 100,000 rows spent 7 s in it.
A file has a few thousand distinct domains, so the domain part is validated by the library
once per domain and memoised; the local part of a plain ASCII address is checked with the
library's own dot-atom pattern. Anything unusual (non-ASCII, quotes, display names, IDNA
domains, mailbox names the library lower-cases such as ``Postmaster``, lengths near the limits)
goes through `validate_email` whole, so the fast path can only agree with it.
"""

from __future__ import annotations

from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT, EMAIL_MAX_LENGTH, LOCAL_PART_MAX_LENGTH
from email_validator.validate_email import CASE_INSENSITIVE_MAILBOX_NAMES

__all__ = ["EmailNotValidError", "email_normalise"]

_LOWER_CASED_MAILBOXES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


@lru_cache(maxsize=65_536)
def _plain_domain(domain: str) -> str | None:
    """The normalised form of an ASCII domain if the library accepts it and keeps it ASCII
    (no IDNA), else None (the caller then validates the whole address)."""
    try:
        checked = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.domain if checked.domain == checked.ascii_domain else None


def email_normalise(raw: str) -> str:
    """`raw` normalised as the API does; raises `EmailNotValidError` when it is not an address."""
    local, at, domain = raw.rpartition("@")
    if (
        at
        and raw.isascii()
        and len(raw) < EMAIL_MAX_LENGTH
        and len(local) <= LOCAL_PART_MAX_LENGTH
        and "xn--" not in domain.lower()
        and local.lower() not in _LOWER_CASED_MAILBOXES
        and DOT_ATOM_TEXT.match(local)
    ):
        normal_domain = _plain_domain(domain)
        if normal_domain is not None and len(local) + 1 + len(normal_domain) < EMAIL_MAX_LENGTH:
            return f"{local}@{normal_domain}"
    return validate_email(raw, check_deliverability=False).normalized
