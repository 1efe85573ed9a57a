"""referrer-policy: do links to other sites leak the page's full URL?

Header and `<meta name="referrer">` (the last one on an HTML page) are read together; the last
recognised value wins. A `<meta http-equiv="Referrer-Policy">` does not count: browsers ignore it.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult

NAME = "referrer-policy"
PRIVATE = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
UNSAFE = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    if response is None:
        return TestResult(NAME, "referrer-policy-not-implemented", True)
    meta = response.html.referrer if response.is_html else None
    values = response.header_values("referrer-policy") + ([meta] if meta else [])
    if not values:
        return TestResult(NAME, "referrer-policy-not-implemented", True)
    joined = ", ".join(values)
    known = [v.strip().lower() for v in joined.split(",") if v.strip().lower() in PRIVATE + UNSAFE]
    policy = known[-1] if known else ""
    if policy in PRIVATE:
        result = "referrer-policy-private"
    elif policy in UNSAFE:
        result = "referrer-policy-unsafe"
    else:
        result = "referrer-policy-header-invalid"
    return TestResult(
        NAME, result, result == "referrer-policy-private", evidence=f"Referrer-Policy: {joined[:512]}"
    )
