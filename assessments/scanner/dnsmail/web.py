"""The web family: the site's `/.well-known/security.txt` (RFC 9116), judged from the document
fetched beside the DNS lookups.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .domain_report import DomainReport
from .fetch import FetchFailed
from .securitytxt import parse_security_txt

SECURITY_TXT_PATH = "/.well-known/security.txt"


def judge_security_txt(report: DomainReport, fetched: Any, *, now: datetime) -> None:
    """Findings for a missing, invalid or expired security.txt."""
    url_host = report.host
    if isinstance(fetched, FetchFailed):
        if not fetched.missing:
            report.unchecked["security.txt"] = str(fetched)
            return
        report.facts["security_txt"] = {"found": False}
        report.hits.append(("security-txt-missing", f"Not served over HTTPS: {fetched}"))
        return
    if fetched.status != 200 or fetched.content_type != "text/plain" or not fetched.verified:
        why = (
            f"HTTP {fetched.status}"
            if fetched.status != 200
            else f"Content-Type {fetched.content_type or '(none)'}, not text/plain"
            if fetched.content_type != "text/plain"
            else "served with an invalid certificate"
        )
        report.facts["security_txt"] = {"found": False, "url": fetched.url}
        report.hits.append(
            ("security-txt-missing", f"https://{url_host}{SECURITY_TXT_PATH} → {fetched.url}: {why}")
        )
        return
    parsed = parse_security_txt(fetched.body[:65536])
    report.facts["security_txt"] = {
        "found": True,
        "url": fetched.url,
        "contacts": parsed.contacts,
        "expires": parsed.expires.isoformat() if parsed.expires else None,
        "signed": parsed.signed,
        "errors": parsed.errors,
    }
    if parsed.errors:
        report.hits.append(("security-txt-invalid", f"{fetched.url}: " + "; ".join(parsed.errors)))
    elif parsed.expires is not None and parsed.expires <= now:
        report.hits.append(
            ("security-txt-expired", f"{fetched.url}: Expires {parsed.expires.isoformat()} has passed")
        )
