"""cross-origin-opener-policy: are windows this page opens (or that open it) isolated from it?

The value is a structured-field token (parameters such as `report-to` are allowed); more than one
header is invalid.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult

NAME = "cross-origin-opener-policy"
RESULTS = {
    "same-origin": "coop-implemented-with-same-origin",
    "same-origin-allow-popups": "coop-implemented-with-same-origin-allow-popups",
    "noopener-allow-popups": "coop-implemented-with-noopener-allow-popups",
    "unsafe-none": "coop-implemented-with-unsafe-none",
}


def structured_token(value: str) -> str:
    return value[:1024].split(";", 1)[0].strip()


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    values = response.header_values("cross-origin-opener-policy") if response else []
    if not values:
        return TestResult(NAME, "coop-not-implemented", True)
    evidence = "\n".join(f"Cross-Origin-Opener-Policy: {v[:1024]}" for v in values)
    if len(values) > 1:
        return TestResult(NAME, "coop-header-invalid", False, evidence)
    result = RESULTS.get(structured_token(values[0]), "coop-header-invalid")
    return TestResult(NAME, result, result != "coop-header-invalid", evidence)
