"""Content-Security-Policy parsing as the Observatory reads it.

Each policy (a header value, a comma-separated part of one, or a `<meta>` policy) is split into
directives on ";" and sources on whitespace, lower-cased. A directive repeated within one policy
makes the policy invalid — browsers silently use the first, which hides mistakes — except
`report-uri`/`report-to`, whose repeats are only noted (`duplicates`). A source-list directive with
no sources means `'none'`.

Several policies are all enforced, so they are combined the Observatory's way: a directive's
sources are those of the first policy that still appear (or are covered by a path) in the later
ones, and a directive only a later policy names allows nothing (`'none'`) — stricter than a
browser when a later policy adds a directive, but it is the reference the grade is compared to.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from urllib.parse import unquote

#: The shortest policy worth reading ("img-src" minus one character, as the Observatory has it).
SHORTEST_POLICY = len("img-src") - 1
ALLOWED_DUPLICATES = frozenset({"report-uri", "report-to"})
#: Directives a `<meta http-equiv>` policy may not set (CSP3 §6: browsers ignore them there).
NOT_ALLOWED_IN_META = frozenset({"frame-ancestors", "report-uri", "sandbox"})
NONE = "'none'"


class CspInvalid(ValueError):
    pass


@dataclass
class ParsedCsp:
    directives: dict[str, set[str]] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)  # repeated report-uri / report-to

    def get(self, name: str) -> set[str] | None:
        value = self.directives.get(name)
        return set(value) if value is not None else None

    @property
    def size(self) -> int:
        """How many entries the Observatory's map has (the duplicate warnings count as one)."""
        return len(self.directives) + (1 if self.duplicates else 0)


@dataclass
class _Source:
    source: str
    policy: int
    keep: bool


def split_policies(values: list[str]) -> list[str]:
    """The policies in header values: a comma separates policies within one field (CSP3 §3.1)."""
    return [part for value in values for part in value.split(",")]


def _covers(prefix: str, source: str) -> bool:
    """Whether `prefix` names `source` or (ending in "/") a path above it."""
    if not prefix:
        return True
    if prefix == "/" and not source:
        return True
    exact = not prefix.endswith("/")
    left, right = prefix.split("/"), source.split("/")
    if len(left) > len(right) or (exact and len(left) != len(right)):
        return False
    if not exact:
        left.pop()
    return all(unquote(a) == unquote(b) for a, b in zip(left, right, strict=False))


def parse_policies(policies: list[str], *, meta: bool = False) -> ParsedCsp:
    """Combine `policies` into one map; raises CspInvalid for an empty, too short or repeating one.

    With `meta`, directives a `<meta>` policy may not set are dropped after parsing."""
    cleaned = [policy.replace("\r", "").replace("\n", "").strip() for policy in policies]
    parsed = ParsedCsp()
    if not cleaned:
        return parsed
    if any(len(policy) < SHORTEST_POLICY for policy in cleaned):
        raise CspInvalid("empty or too short policy")
    combined: dict[str, list[_Source]] = {}
    for index, policy in enumerate(cleaned):
        seen: set[str] = set()
        for entry in policy.split(";"):
            tokens = entry.split()
            if not tokens:
                continue
            name = tokens[0].lower()
            if name in seen:
                if name not in ALLOWED_DUPLICATES:
                    raise CspInvalid(f"directive {name} repeated in policy {index + 1}")
                if name not in parsed.duplicates:
                    parsed.duplicates.append(name)
            seen.add(name)
            keep = index == 0
            values = [_Source(token.lower(), index, keep) for token in tokens[1:]]
            if not values and name.endswith("-src"):
                values = [_Source(NONE, index, keep)]
            sources = values if index == 0 else [*combined.get(name, []), *values]
            sources.sort(key=lambda s: s.source)
            for previous, current in itertools.pairwise(sources):
                if current.policy == previous.policy and current.source.startswith(previous.source):
                    current.keep = False  # https://a.com/x adds nothing to https://a.com
                if current.policy != previous.policy and _covers(previous.source, current.source):
                    current.keep = True  # allowed by both policies
            combined[name] = [s for s in sources if s.keep]
            if index == 0 and len(cleaned) > 1:
                for source in combined[name]:
                    source.keep = False  # from now on kept only if a later policy allows it too
    parsed.directives = {name: {s.source for s in sources} or {NONE} for name, sources in combined.items()}
    if meta:
        for name in NOT_ALLOWED_IN_META:
            parsed.directives.pop(name, None)
    return parsed
