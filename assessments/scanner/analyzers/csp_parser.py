"""Content-Security-Policy parsing as browsers and the Observatory read it.

A header may carry several policies (comma-separated, or repeated headers): all are enforced, so
for a directive present in several, only sources allowed by all of them are allowed (the
intersection; an empty one means `'none'`). Within one policy the first occurrence of a
directive wins and a repeat is noted as a duplicate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DIRECTIVE_NAME = re.compile(r"^[a-z0-9-]+$")
#: Directives a `<meta http-equiv>` policy may not set (CSP3 §3.3).
NOT_ALLOWED_IN_META = frozenset({"frame-ancestors", "report-uri", "report-to", "sandbox"})


class CspInvalid(ValueError):
    pass


@dataclass
class ParsedCsp:
    directives: dict[str, set[str]] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)

    def get(self, name: str) -> set[str] | None:
        value = self.directives.get(name)
        return set(value) if value is not None else None


def split_policies(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _normalise_source(source: str) -> str:
    # Nonces and hashes are case-sensitive base64; everything else is compared lower-cased.
    lower = source.lower()
    if lower.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")):
        return lower[: lower.index("-") + 1] + source[source.index("-") + 1 :]
    return lower


def parse_policies(policies: list[str], *, meta: bool = False) -> ParsedCsp:
    """Parse policies into one effective map; raises CspInvalid for a malformed policy."""
    parsed = ParsedCsp()
    for policy in policies:
        if not policy.isascii() or any(ord(ch) < 0x20 and ch != "\t" for ch in policy):
            raise CspInvalid("non-ASCII or control characters")
        seen: dict[str, set[str]] = {}
        for raw in policy.split(";"):
            tokens = raw.split()
            if not tokens:
                continue
            name = tokens[0].lower()
            if not DIRECTIVE_NAME.match(name):
                raise CspInvalid(f"bad directive name {tokens[0]!r}")
            if meta and name in NOT_ALLOWED_IN_META:
                continue
            if name in seen:
                parsed.duplicates.append(name)
                continue
            seen[name] = {_normalise_source(token) for token in tokens[1:]} or {"'none'"}
        for name, sources in seen.items():
            if name in parsed.directives:
                combined = parsed.directives[name] & sources
                parsed.directives[name] = combined or {"'none'"}
            else:
                parsed.directives[name] = sources
    return parsed
