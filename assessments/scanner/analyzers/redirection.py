"""redirection: does http:// send visitors to https:// — on the same host first, so HSTS sticks?"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..retriever import Retrieval
from . import TestResult
from .hsts_preload import is_preloaded

NAME = "redirection"


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.http
    route = retrieval.http_redirects
    evidence = " → ".join(f"{hop.url} ({hop.status})" for hop in route)[:2000]
    if response is None:
        result = "redirection-not-needed-no-http"
    elif not response.verified:
        result = "redirection-invalid-cert"
    else:
        parts = [urlsplit(hop.url) for hop in route]
        if parts and all(is_preloaded(p.hostname or "") for p in parts):
            result = "redirection-all-redirects-preloaded"
        elif len(route) == 1:
            result = "redirection-missing"
        elif parts[-1].scheme != "https":
            result = "redirection-not-to-https"
        elif parts[1].scheme == "http":
            result = "redirection-not-to-https-on-initial-redirection"
        elif (
            parts[0].scheme == "http"
            and parts[1].scheme == "https"
            and parts[0].hostname != parts[1].hostname
        ):
            result = "redirection-off-host-from-http"
        else:
            result = "redirection-to-https"
    passed = result in (
        "redirection-not-needed-no-http",
        "redirection-all-redirects-preloaded",
        "redirection-to-https",
    )
    return TestResult(NAME, result, passed, evidence=evidence, data={"route": [h.url for h in route]})
