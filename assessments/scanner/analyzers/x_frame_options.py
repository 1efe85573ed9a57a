"""x-frame-options: can other sites frame this page (clickjacking)?

CSP `frame-ancestors` (header only: browsers ignore it in `<meta>`) supersedes X-Frame-Options.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult
from .csp_parser import CspInvalid, parse_policies, split_policies

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
    try:
        csp = parse_policies(split_policies(response.header_values("content-security-policy")))
    except CspInvalid:
        csp = None
    if csp is not None and csp.get("frame-ancestors"):
        result = "x-frame-options-implemented-via-csp"
        evidence = "Content-Security-Policy: frame-ancestors " + " ".join(
            sorted(csp.get("frame-ancestors") or ())
        )
    passed = result in (
        "x-frame-options-allow-from-origin",
        "x-frame-options-sameorigin-or-deny",
        "x-frame-options-implemented-via-csp",
    )
    return TestResult(NAME, result, passed, evidence)
