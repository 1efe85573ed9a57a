"""SPF (RFC 7208): the record's syntax, its `all`, and the DNS look-ups it costs a receiver.

A receiver evaluating SPF may do at most 10 look-ups (`include`, `a`, `mx`, `ptr`, `exists`
and the `redirect` modifier, counted through every include and redirect, §4.6.4); past that the
result is a permanent error and the record protects nothing. So do two records on one name
(§4.5), a syntax error, or an `include` of a name without SPF (§5.2).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_LOOKUPS = 10
#: Stop following includes well past the limit: the verdict is known, the rest is cost.
FOLLOW_LIMIT = 20
MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
NEEDS_ARGUMENT = frozenset({"include", "exists", "ip4", "ip6"})
TERM = re.compile(r"^([+\-~?]?)([a-z][a-z0-9_.\-]*)(?:([:/=])(.*))?$", re.IGNORECASE)


def spf_records(txts: list[str]) -> list[str]:
    """The TXT strings that are SPF records (`v=spf1` alone or followed by a space)."""
    return [t for t in txts if t.strip().lower() == "v=spf1" or t.strip().lower().startswith("v=spf1 ")]


@dataclass
class SpfRecord:
    text: str
    lookup_terms: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, domain or "")
    all_qualifier: str | None = None  # "+", "-", "~", "?" or None when there is no `all`
    redirect: str | None = None
    errors: list[str] = field(default_factory=list)


def parse_spf(text: str) -> SpfRecord:
    record = SpfRecord(text=text)
    for term in text.split()[1:]:
        match = TERM.match(term)
        if not match:
            record.errors.append(f"cannot read the term {term!r}")
            continue
        qualifier, name, separator, argument = match.groups()
        name = name.lower()
        if separator == "=":
            if qualifier:
                record.errors.append(f"a modifier takes no qualifier: {term!r}")
            elif name == "redirect":
                if record.redirect is not None:
                    record.errors.append("redirect appears twice")
                record.redirect = argument or ""
                if not argument:
                    record.errors.append("redirect= has no domain")
            continue  # exp= and unknown modifiers are allowed and ignored
        if name not in MECHANISMS:
            record.errors.append(f"unknown mechanism {term!r}")
            continue
        if name in NEEDS_ARGUMENT and (separator != ":" or not argument):
            record.errors.append(f"{name} needs a value: {term!r}")
            continue
        if name in ("ip4", "ip6"):
            try:
                network = ipaddress.ip_network(argument, strict=False)
            except ValueError:
                record.errors.append(f"{term!r} is not a valid address or network")
                continue
            if network.version != int(name[-1]):
                record.errors.append(f"{term!r} is the wrong address family")
            continue
        if name == "all":
            if separator:
                record.errors.append(f"all takes no value: {term!r}")
            record.all_qualifier = qualifier or "+"
            continue
        domain = argument if separator == ":" else ""
        record.lookup_terms.append((name, domain))
    return record


@dataclass
class SpfEvaluation:
    """What following the record through its includes and redirects found."""

    lookups: int = 0
    trail: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def evaluate_spf(domain: str, record: SpfRecord, fetch_txt: Callable[[str], list[str]]) -> SpfEvaluation:
    """Count the look-ups of `domain`'s record recursively; `fetch_txt` may raise DnsUnavailable."""
    result = SpfEvaluation()
    _follow(domain, record, fetch_txt, result, stack=(domain.lower(),))
    return result


def _follow(
    domain: str,
    record: SpfRecord,
    fetch_txt: Callable[[str], list[str]],
    result: SpfEvaluation,
    *,
    stack: tuple[str, ...],
) -> None:
    targets: list[tuple[str, str]] = [(m, d) for m, d in record.lookup_terms if m == "include"]
    result.lookups += len(record.lookup_terms)
    if record.redirect and record.all_qualifier is None:  # redirect is ignored when `all` is present
        result.lookups += 1
        targets.append(("redirect", record.redirect))
    for kind, target in targets:
        if result.lookups > FOLLOW_LIMIT:
            return
        target = target.rstrip(".").lower()
        if "%" in target:  # a macro: expanded per message, cannot be followed here
            result.trail.append(f"{domain} → {kind}:{target} (macro, not followed)")
            continue
        if target in stack:
            result.errors.append(f"{kind}:{target} loops back to a record already being evaluated")
            continue
        before = result.lookups
        found = spf_records(fetch_txt(target))
        if not found:
            result.errors.append(f"{kind}:{target} has no SPF record (a permanent error for receivers)")
            continue
        if len(found) > 1:
            result.errors.append(f"{kind}:{target} has {len(found)} SPF records")
            continue
        included = parse_spf(found[0])
        result.errors += [f"{target}: {error}" for error in included.errors]
        _follow(target, included, fetch_txt, result, stack=(*stack, target))
        result.trail.append(f"{domain} → {kind}:{target} ({result.lookups - before} look-ups inside)")
