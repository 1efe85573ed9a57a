"""Parsers for the tag-list and key-value records of e-mail security: DMARC (RFC 7489),
MTA-STS (RFC 8461: the `_mta-sts` TXT record and the HTTPS policy file) and TLS-RPT (RFC 8460).

Each returns what the record says and the errors a receiver would stop at; none touches the
network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DMARC_POLICIES = ("none", "quarantine", "reject")
MTA_STS_MODES = ("enforce", "testing", "none")
#: RFC 8461 §3.1: 1–32 letters and digits.
MTA_STS_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")


def tag_list(text: str) -> tuple[dict[str, str], list[str]]:
    """`k=v; k=v` as a dict (keys lower-cased) and the errors seen (repeats, parts without `=`)."""
    tags: dict[str, str] = {}
    errors: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            errors.append(f"cannot read {part!r}")
            continue
        if key in tags:
            errors.append(f"{key} appears twice")
        tags.setdefault(key, value.strip())
    return tags, errors


def records_with_version(txts: list[str], version: str) -> list[str]:
    """The TXT strings whose first tag is `v=<version>` (case-insensitive)."""
    wanted = f"v={version}".lower()
    return [t for t in txts if t.split(";", 1)[0].replace(" ", "").lower() == wanted]


@dataclass
class Dmarc:
    text: str
    policy: str | None = None
    subdomain_policy: str | None = None
    pct: int = 100
    rua: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_dmarc(text: str) -> Dmarc:
    tags, errors = tag_list(text)
    record = Dmarc(text=text, errors=errors)
    policy = tags.get("p", "").lower()
    if policy in DMARC_POLICIES:
        record.policy = policy
    elif "p" in tags:
        record.errors.append(f"p={tags['p']} is not none, quarantine or reject")
    else:
        record.errors.append("the required p= tag is missing")
    if "sp" in tags:
        if tags["sp"].lower() in DMARC_POLICIES:
            record.subdomain_policy = tags["sp"].lower()
        else:
            record.errors.append(f"sp={tags['sp']} is not none, quarantine or reject")
    if "pct" in tags:
        if tags["pct"].isdigit() and 0 <= int(tags["pct"]) <= 100:
            record.pct = int(tags["pct"])
        else:
            record.errors.append(f"pct={tags['pct']} is not a number from 0 to 100")
    record.rua = [uri.strip() for uri in tags.get("rua", "").split(",") if uri.strip()]
    bad = [uri for uri in record.rua if not uri.lower().startswith("mailto:")]
    if bad:
        record.errors.append(f"rua has addresses that are not mailto: URIs: {', '.join(bad)}")
    return record


@dataclass
class MtaStsRecord:
    text: str
    id: str = ""
    errors: list[str] = field(default_factory=list)


def parse_mta_sts_record(text: str) -> MtaStsRecord:
    tags, errors = tag_list(text)
    record = MtaStsRecord(text=text, id=tags.get("id", ""), errors=errors)
    if not MTA_STS_ID.match(record.id):
        record.errors.append("id= must be 1 to 32 letters or digits")
    return record


@dataclass
class MtaStsPolicy:
    text: str
    mode: str | None = None
    max_age: int | None = None
    mx: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_mta_sts_policy(text: str) -> MtaStsPolicy:
    """The policy file: `key: value` lines (CRLF or LF), version STSv1, mode, max_age, mx."""
    policy = MtaStsPolicy(text=text)
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            policy.errors.append(f"cannot read the line {line.strip()[:80]!r}")
            continue
        values.setdefault(key.strip().lower(), []).append(value.strip())
    if values.get("version") != ["STSv1"]:
        policy.errors.append("version: STSv1 must come exactly once")
    mode = (values.get("mode") or [""])[0].lower()
    if mode in MTA_STS_MODES:
        policy.mode = mode
    else:
        policy.errors.append(f"mode: {mode or '(missing)'} is not enforce, testing or none")
    max_age = (values.get("max_age") or [""])[0]
    if max_age.isdigit() and int(max_age) <= 31_557_600:
        policy.max_age = int(max_age)
    else:
        policy.errors.append(f"max_age: {max_age or '(missing)'} is not a number of seconds up to 31557600")
    policy.mx = [m.lower().rstrip(".") for m in values.get("mx", [])]
    if policy.mode in ("enforce", "testing") and not policy.mx:
        policy.errors.append("no mx: lines, so no mail server is allowed")
    return policy


def mx_matches(host: str, patterns: list[str]) -> bool:
    """RFC 8461 §4.1: an exact name, or `*.` matching exactly one leftmost label."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            head, _, rest = host.partition(".")
            if head and rest == pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


@dataclass
class TlsRpt:
    text: str
    rua: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_tls_rpt(text: str) -> TlsRpt:
    tags, errors = tag_list(text)
    record = TlsRpt(text=text, errors=errors)
    record.rua = [uri.strip() for uri in tags.get("rua", "").split(",") if uri.strip()]
    if not record.rua:
        record.errors.append("rua= (where reports go) is missing")
    bad = [uri for uri in record.rua if not uri.lower().startswith(("mailto:", "https:"))]
    if bad:
        record.errors.append(f"rua has addresses that are neither mailto: nor https: {', '.join(bad)}")
    return record
