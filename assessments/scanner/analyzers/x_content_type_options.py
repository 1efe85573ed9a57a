"""x-content-type-options: `nosniff` stops browsers running an upload as script or style.

The header sent twice reads "nosniff, nosniff": invalid, as in the Observatory.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult

NAME = "x-content-type-options"


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    header = response.header("x-content-type-options") if response else None
    if not header:
        return TestResult(NAME, "x-content-type-options-not-implemented", False)
    evidence = f"X-Content-Type-Options: {header[:256]}"
    if header[:256].strip().lower() == "nosniff":
        return TestResult(NAME, "x-content-type-options-nosniff", True, evidence)
    return TestResult(NAME, "x-content-type-options-header-invalid", False, evidence)
