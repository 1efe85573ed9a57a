"""cookies: are cookies Secure, session cookies HttpOnly, and cross-site sends limited (SameSite)?

The cookies judged are those a browser's jar holds after loading the graded page: every cookie set
along the graded session's redirect chain (the HTTPS one when HTTPS answers — cookies a plain-HTTP
redirect sets belong to another session and are not graded, as in the Observatory). As a browser
(and the Observatory's jar) does, a cookie is dropped when it breaks its name prefix's rules
(`__Secure-` needs Secure; `__Host-` needs Secure, no Domain and Path=/), when its Domain does
not cover the host that set it or is a public suffix; a later cookie with the same name, domain
and path replaces an earlier one. The worst finding wins.
Session cookies are those whose name contains "login" or "sess", anti-CSRF ones contain "csrf"
(the Observatory's heuristics). A missing Secure flag hurts less when HSTS keeps the browser off
plain HTTP. A malformed SameSite is read from the graded page's own Set-Cookie headers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from leads.domains import registrable_domain

from ..retriever import Retrieval, SetCookie
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
SAMESITE_VALUES = ("lax", "strict", "none")


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None  # lax/strict/none; None when absent or not one of those
    samesite_invalid: bool
    domain: str | None = None  # the Domain attribute, without a leading dot
    path: str | None = None  # the Path attribute when it starts with "/"


def parse_set_cookie(header: str) -> Cookie | None:
    parts = [part.strip() for part in header.split(";")]
    name, sep, _ = parts[0].partition("=")
    if not sep or not name.strip():
        return None
    secure = httponly = invalid = False
    samesite: str | None = None
    domain: str | None = None
    path: str | None = None
    for attribute in parts[1:]:
        key, _, value = attribute.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key == "secure":
            secure = True
        elif key == "httponly":
            httponly = True
        elif key == "samesite":
            samesite = value.lower() if value.lower() in SAMESITE_VALUES else None
            invalid = samesite is None
        elif key == "domain" and value:
            domain = value.lstrip(".").lower()
        elif key == "path":
            path = value if value.startswith("/") else None
    return Cookie(name.strip(), secure, httponly, samesite, invalid, domain, path)


def samesite_malformed(header: str) -> bool:
    """A SameSite attribute with no value or an unknown one (read as the Observatory splits it)."""
    for part in header.strip().split(";"):
        key, *rest = part.strip().split("=")
        if key.strip().lower() == "samesite":
            value = rest[0] if rest else ""
            if not value or value.strip().lower() not in SAMESITE_VALUES:
                return True
    return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _default_path(url_path: str) -> str:
    """RFC 6265 §5.1.4: the request path up to (not including) its last "/"."""
    if not url_path.startswith("/") or url_path.count("/") == 1:
        return "/"
    return url_path[: url_path.rindex("/")]


def _accepted(cookie: Cookie, url: str) -> tuple[str, str] | None:
    """The (domain, path) a jar stores `cookie` under when `url` sets it, or None if dropped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if cookie.domain is not None:
        domain = cookie.domain
        if not registrable_domain(domain) and domain != "localhost" and ":" not in domain:
            return None  # Domain=com (a public suffix) or an IPv4 address: refused, as tough-cookie does
        if not (host == domain or (host.endswith("." + domain) and not _is_ip(host))):
            return None  # Domain=other.example: not this host's to set
    path = cookie.path or _default_path(parts.path or "/")
    if cookie.name.startswith("__Secure-") and not cookie.secure:
        return None
    if cookie.name.startswith("__Host-") and not (cookie.secure and cookie.domain is None and path == "/"):
        return None
    return (cookie.domain or host, path)


def cookie_jar(set_cookies: list[SetCookie]) -> list[Cookie]:
    """The cookies a browser keeps from `set_cookies`, in the order first stored."""
    jar: dict[tuple[str, str, str], Cookie] = {}
    for item in set_cookies:
        cookie = parse_set_cookie(item.header)
        if cookie is None or cookie.name in IGNORED:
            continue
        where = _accepted(cookie, item.url)
        if where is not None:
            jar[(*where, cookie.name)] = cookie
    return list(jar.values())


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    if response is None:
        return TestResult(NAME, "cookies-not-found", True)
    jar = cookie_jar(response.chain_cookies)
    raw_headers = [item.header for item in response.chain_cookies]
    hsts = strict_transport_security.analyze(retrieval).passed
    result: str | None = None
    if any(samesite_malformed(header) for header in response.set_cookies):
        result = "cookies-samesite-flag-invalid"
    if not jar:
        return TestResult(NAME, "cookies-not-found", True)

    missing_samesite = False
    for cookie in jar:
        lower = cookie.name.lower()
        session = "login" in lower or "sess" in lower
        anticsrf = "csrf" in lower
        if not cookie.secure and cookie.samesite == "none":
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
    data = {c.name: {"secure": c.secure, "httponly": c.httponly, "samesite": c.samesite} for c in jar}
    return TestResult(NAME, result, passed, evidence="\n".join(raw_headers)[:2000], data=data)
