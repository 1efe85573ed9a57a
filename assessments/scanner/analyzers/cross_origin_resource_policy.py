"""cross-origin-resource-policy: may other sites embed this response (Spectre-style leaks)?"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult

NAME = "cross-origin-resource-policy"
RESULTS = {
    "same-site": "corp-implemented-with-same-site",
    "same-origin": "corp-implemented-with-same-origin",
    "cross-origin": "corp-implemented-with-cross-origin",
}


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    if response is None:
        return TestResult(NAME, "corp-not-implemented", True)
    header = response.header("cross-origin-resource-policy")
    meta = response.html.http_equiv.get("cross-origin-resource-policy", [])
    value = header if header else (meta[-1] if meta else None)
    if not value:
        return TestResult(NAME, "corp-not-implemented", True)
    policy = value[:256].strip().lower()
    result = RESULTS.get(policy, "corp-header-invalid")
    return TestResult(
        NAME, result, result != "corp-header-invalid", f"Cross-Origin-Resource-Policy: {value[:256]}"
    )
