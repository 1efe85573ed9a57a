"""cookies: are cookies Secure, session cookies HttpOnly, and cross-site sends limited (SameSite)?

Every cookie set anywhere in the HTTPS and HTTP fetches is judged; the worst finding wins.
Session cookies are those whose name contains "login" or "sess", anti-CSRF ones contain "csrf"
(the Observatory's heuristics). A missing Secure flag hurts less when HSTS keeps the browser off
plain HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..retriever import Retrieval
from . import TestResult, only_if_worse, strict_transport_security

NAME = "cookies"
IGNORED = frozenset({"heroku-session-affinity"})
GOODNESS = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None  # as written; None when absent
    samesite_invalid: bool


def parse_set_cookie(header: str) -> Cookie | None:
    parts = [part.strip() for part in header.split(";")]
    name, sep, _ = parts[0].partition("=")
    if not sep or not name.strip():
        return None
    secure = httponly = invalid = False
    samesite: str | None = None
    for attribute in parts[1:]:
        key, has_value, value = attribute.partition("=")
        key = key.strip().lower()
        if key == "secure":
            secure = True
        elif key == "httponly":
            httponly = True
        elif key == "samesite":
            samesite = value.strip()
            if not has_value or samesite.lower() not in ("lax", "strict", "none"):
                invalid = True
    return Cookie(name.strip(), secure, httponly, samesite or None, invalid)


def analyze(retrieval: Retrieval) -> TestResult:
    jar: dict[str, Cookie] = {}
    raw_headers: list[str] = []
    for response in (retrieval.http, retrieval.https):  # later (HTTPS) settings win, like a jar
        if response is None:
            continue
        for header in response.set_cookies:
            raw_headers.append(header)
            cookie = parse_set_cookie(header)
            if cookie is not None and cookie.name not in IGNORED:
                jar[cookie.name] = cookie
    hsts = strict_transport_security.analyze(retrieval).passed
    result: str | None = None
    for cookie in jar.values():
        if cookie.samesite_invalid:
            result = only_if_worse("cookies-samesite-flag-invalid", result, GOODNESS)
    if not jar:
        return TestResult(NAME, "cookies-not-found", True)

    missing_samesite = False
    for cookie in jar.values():
        lower = cookie.name.lower()
        session = "login" in lower or "sess" in lower
        anticsrf = "csrf" in lower
        if not cookie.secure and (cookie.samesite or "").lower() == "none":
            result = only_if_worse("cookies-samesite-flag-invalid", result, GOODNESS)
        if not cookie.secure:
            result = only_if_worse(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-without-secure-flag",
                result,
                GOODNESS,
            )
        if anticsrf and not cookie.samesite:
            result = only_if_worse("cookies-anticsrf-without-samesite-flag", result, GOODNESS)
        if session and not cookie.secure:
            result = only_if_worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-session-without-secure-flag",
                result,
                GOODNESS,
            )
        if session and not cookie.httponly:
            result = only_if_worse("cookies-session-without-httponly-flag", result, GOODNESS)
        missing_samesite = missing_samesite or not cookie.samesite
    if result is None:
        result = (
            "cookies-secure-with-httponly-sessions"
            if missing_samesite
            else "cookies-secure-with-httponly-sessions-and-samesite"
        )
    passed = result in (
        "cookies-secure-with-httponly-sessions",
        "cookies-secure-with-httponly-sessions-and-samesite",
    )
    data = {
        c.name: {"secure": c.secure, "httponly": c.httponly, "samesite": c.samesite} for c in jar.values()
    }
    return TestResult(NAME, result, passed, evidence="\n".join(raw_headers)[:2000], data=data)
