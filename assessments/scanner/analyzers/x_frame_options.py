"""x-frame-options: can other sites frame this page (clickjacking)?

CSP `frame-ancestors` (header only: browsers ignore it in `<meta>`) supersedes X-Frame-Options.
The header sent twice reads as "DENY, DENY": invalid, as in the Observatory.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult, content_security_policy

NAME = "x-frame-options"


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    if response is None:
        return TestResult(NAME, "x-frame-options-not-implemented", False)
    header = response.header("x-frame-options")
    evidence = ""
    if header:
        evidence = f"X-Frame-Options: {header[:1024]}"
        value = header[:1024].strip().lower()
        if value in ("deny", "sameorigin"):
            result = "x-frame-options-sameorigin-or-deny"
        elif value.startswith("allow-from"):
            result = "x-frame-options-allow-from-origin"
        else:
            result = "x-frame-options-header-invalid"
    else:
        result = "x-frame-options-not-implemented"
    ancestors = content_security_policy.frame_ancestors(response)
    if ancestors:
        result = "x-frame-options-implemented-via-csp"
        evidence = "Content-Security-Policy: frame-ancestors " + " ".join(sorted(ancestors))
    passed = result in (
        "x-frame-options-allow-from-origin",
        "x-frame-options-sameorigin-or-deny",
        "x-frame-options-implemented-via-csp",
    )
    return TestResult(NAME, result, passed, evidence)
