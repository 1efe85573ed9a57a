"""subresource-integrity: are scripts from other sites pinned by hash, and loaded over HTTPS?

Scripts from the page's own registrable domain need no SRI; foreign ones do. A protocol-relative
`//cdn…/x.js` counts as foreign and insecure, as in the Observatory. Only a page served as
text/html or application/xhtml+xml is read; one that cannot be parsed is `html-not-parseable`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from leads.domains import registrable_domain

from ..retriever import Retrieval
from . import TestResult, only_if_worse

NAME = "subresource-integrity"
GOODNESS = [
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
    "sri-not-implemented-response-not-html",
]
PASSING = frozenset(
    {
        "sri-implemented-and-all-scripts-loaded-securely",
        "sri-implemented-and-external-scripts-loaded-securely",
        "sri-not-implemented-response-not-html",
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
        "sri-not-implemented-but-no-scripts-loaded",
    }
)
RELATIVE_PROTOCOL = re.compile(r"^//[^/]")
FULL_URL = re.compile(r"^https?://", re.IGNORECASE)


def _origin_and_scheme(src: str, site_domain: str, session_https: bool) -> tuple[bool, bool]:
    """(secure origin, secure scheme) of a script's src, as the Observatory judges them: a
    relative URL is same-origin and as secure as the session; a protocol-relative one is never a
    secure origin; a full URL is same-site when its registrable domain is the page's."""
    relative_protocol = bool(RELATIVE_PROTOCOL.match(src))
    full_url = bool(FULL_URL.match(src))
    relative_origin = not relative_protocol and not full_url
    if relative_protocol or relative_origin:
        same_site = True
    else:
        host = urlsplit(src).hostname or ""
        same_site = registrable_domain(host) == site_domain
    secure_origin = relative_origin or (same_site and not relative_protocol)
    scheme = urlsplit(src).scheme.lower() if full_url else None
    secure_scheme = scheme == "https" or (relative_origin and session_https)
    return secure_origin, secure_scheme


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    if response is None:
        return TestResult(NAME, "sri-not-implemented-but-no-scripts-loaded", True)
    if not response.is_html:
        return TestResult(NAME, "sri-not-implemented-response-not-html", True)
    if not response.html.parseable:
        return TestResult(
            NAME, "html-not-parseable", False, evidence="The page says it is HTML but cannot be parsed."
        )
    scripts = response.html.scripts
    # Registrable domains, as the Observatory compares them: an IP address or a bare host name
    # has none, so two such hosts compare equal.
    site_domain = registrable_domain(retrieval.host)
    session_https = retrieval.https is not None  # the graded session began on https://
    result: str | None = None
    foreign = False
    external: dict[str, dict[str, str | None]] = {}
    for script in scripts:
        if not script.src:
            continue
        src = script.src.strip()
        secure_origin, secure_scheme = _origin_and_scheme(src, site_domain, session_https)
        if not secure_origin:
            foreign = True
            external[src[:512]] = {"integrity": script.integrity, "crossorigin": script.crossorigin}
            if script.integrity and not secure_scheme:
                result = only_if_worse(
                    "sri-implemented-but-external-scripts-not-loaded-securely", result, GOODNESS
                )
            elif not script.integrity and secure_scheme:
                result = only_if_worse(
                    "sri-not-implemented-but-external-scripts-loaded-securely", result, GOODNESS
                )
            elif not script.integrity:
                result = only_if_worse(
                    "sri-not-implemented-and-external-scripts-not-loaded-securely", result, GOODNESS
                )
        elif script.integrity and secure_scheme and result is None:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if not scripts:
        result = "sri-not-implemented-but-no-scripts-loaded"
    elif result is None:
        result = (
            "sri-implemented-and-external-scripts-loaded-securely"
            if foreign
            else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
        )
    evidence = "\n".join(
        f'<script src="{src}"{" integrity" if meta["integrity"] else ""}>' for src, meta in external.items()
    )[:2000]
    return TestResult(NAME, result, result in PASSING, evidence=evidence, data={"external_scripts": external})
