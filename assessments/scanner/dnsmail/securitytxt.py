"""`/.well-known/security.txt` (RFC 9116): how to report a vulnerability, and until when that holds.

Contact (one or more) and Expires (exactly one, an RFC 3339 date-time, in the future) are
required; the file is served as text/plain over HTTPS and may be OpenPGP clear-signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SIGNED_HEADER = "-----BEGIN PGP SIGNED MESSAGE-----"


@dataclass
class SecurityTxt:
    contacts: list[str] = field(default_factory=list)
    expires: datetime | None = None
    signed: bool = False
    errors: list[str] = field(default_factory=list)


def parse_security_txt(text: str) -> SecurityTxt:
    result = SecurityTxt(signed=text.lstrip().startswith(SIGNED_HEADER))
    expires: list[str] = []
    in_signature = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("-----BEGIN PGP SIGNATURE-----"):
            in_signature = True
        if in_signature or not line or line.startswith("#") or line.startswith("-----"):
            if line.startswith("-----END PGP SIGNATURE-----"):
                in_signature = False
            continue
        if result.signed and line.startswith("- "):  # dash-escaped line of a clear-signed text
            line = line[2:]
        name, sep, value = line.partition(":")
        if not sep:
            continue  # e.g. "Hash: SHA256" handled above; other free text is ignored
        name = name.strip().lower()
        if name == "contact":
            result.contacts.append(value.strip())
        elif name == "expires":
            expires.append(value.strip())
    if not result.contacts:
        result.errors.append("no Contact: field")
    if not expires:
        result.errors.append("no Expires: field")
    elif len(expires) > 1:
        result.errors.append("Expires: appears more than once")
    else:
        try:
            result.expires = datetime.fromisoformat(expires[0].replace("z", "Z"))
        except ValueError:
            result.errors.append(f"Expires: {expires[0][:60]} is not an RFC 3339 date and time")
        else:
            if result.expires.tzinfo is None:
                result.errors.append(f"Expires: {expires[0][:60]} has no time zone")
                result.expires = None
    return result
