"""The keys two leads must share to be likely duplicates (see the table in the package docstring).

Pure functions over a lead's columns, so the index, the candidate search and the admin's list
all compare exactly the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import Lead

REASON_EMAIL = "same e-mail"
REASON_PHONE = "same phone"
REASON_NAME = "same name at same company"
#: The order reasons are shown in: the strongest evidence first.
REASONS = (REASON_EMAIL, REASON_PHONE, REASON_NAME)

#: Domains whose mailboxes ignore dots in the local part, mapped to one canonical domain.
DOT_INSENSITIVE_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

#: Phones with fewer digits than this are extensions or junk ("0", "n/a"): never a match.
MIN_PHONE_DIGITS = 7
#: Digits compared: a US number without its country code, or a European one without trunk 0.
PHONE_KEY_DIGITS = 10


def matching_email_key(email: str) -> str:
    """The mailbox an address reaches, as far as we can tell from its spelling (see the table).

    Not a validator: an address without "@" comes back lower-cased and unchanged otherwise.
    """
    email = email.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return email
    domain = domain.strip(".")
    base = local.split("+", 1)[0] or local  # "+tag@x" has no base: keep it whole
    if domain in DOT_INSENSITIVE_DOMAINS:
        domain = DOT_INSENSITIVE_DOMAINS[domain]
        base = base.replace(".", "") or base
    return f"{base}@{domain}"


_EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|extension|x|#|;|,).*$")


def normalise_phone(phone: str) -> str:
    """A phone number as digits, with "+" for an explicit international prefix ("+" or "00").

    An extension ("x12", "ext. 12", "#12") is dropped: it names a desk, not a person's number.
    Returns "" when nothing digit-like is left.
    """
    phone = _EXTENSION.sub("", phone.strip())
    digits = "".join(ch for ch in phone if ch.isdigit() and ch.isascii())
    if not digits:
        return ""
    if phone.lstrip().startswith("+"):
        return f"+{digits}"
    if digits.startswith("00") and len(digits) > 2:
        return f"+{digits[2:]}"
    return digits


def phone_match_key(phone: str) -> str:
    """What two phones must share to be one number: the last 10 digits ("" = never matches).

    Keeping only the national part means a number written with and without its country code
    (or with a trunk 0) still matches; two different countries' numbers sharing their last ten
    digits is rare enough for a *likely* duplicate a person confirms.
    """
    digits = normalise_phone(phone).lstrip("+")
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    return digits[-PHONE_KEY_DIGITS:]


@lru_cache(maxsize=65_536)  # names and company names repeat: an import folds each once
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def name_key(first_name: str, last_name: str) -> str:
    """Lower-cased "first last" with accents folded; "" unless both names are given (a first
    name alone is far too common to suggest the same person)."""
    first, last = _fold(first_name), _fold(last_name)
    if not first or not last:
        return ""
    return f"{first} {last}"


def _company_key(company_id: Any, company_name: str) -> str:
    if company_id:
        return f"id:{company_id}"
    name = _fold(company_name)
    return f"name:{name}" if name else ""


def _name_at_company_key(first: str, last: str, company_id: Any, company_name: str) -> str:
    person, company = name_key(first, last), _company_key(company_id, company_name)
    return f"{person}|{company}" if person and company else ""


def keys_from_columns(
    email: str, phone: str, first_name: str, last_name: str, company_id: Any, company_name: str
) -> list[tuple[str, str]]:
    """Every (reason, key) under which a lead can match another one (from bare columns, so bulk
    readers need no model instances; see KEY_COLUMNS)."""
    keys = [(REASON_EMAIL, matching_email_key(email))]
    if phone_key := phone_match_key(phone):
        keys.append((REASON_PHONE, phone_key))
    if person := _name_at_company_key(first_name, last_name, company_id, company_name):
        keys.append((REASON_NAME, person))
    return keys


def keys_of_lead(lead: Lead) -> list[tuple[str, str]]:
    """`keys_from_columns` of a loaded lead."""
    return keys_from_columns(
        lead.email, lead.phone, lead.first_name, lead.last_name, lead.company_id, lead.company_name
    )


#: The columns the keys are computed from (read with values_list, no model instances).
KEY_COLUMNS = ("pk", "email", "phone", "first_name", "last_name", "company_id", "company_name", "created_at")
