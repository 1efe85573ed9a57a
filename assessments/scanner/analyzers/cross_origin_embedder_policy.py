"""cross-origin-embedder-policy: does the page only embed resources that opted in (isolation)?"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult
from .cross_origin_opener_policy import structured_token

NAME = "cross-origin-embedder-policy"
RESULTS = {
    "require-corp": "coep-implemented-with-require-corp",
    "credentialless": "coep-implemented-with-credentialless",
    "unsafe-none": "coep-implemented-with-unsafe-none",
}


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    values = response.header_values("cross-origin-embedder-policy") if response else []
    if not values:
        return TestResult(NAME, "coep-not-implemented", True)
    evidence = "\n".join(f"Cross-Origin-Embedder-Policy: {v[:1024]}" for v in values)
    if len(values) > 1:
        return TestResult(NAME, "coep-header-invalid", False, evidence)
    result = RESULTS.get(structured_token(values[0]), "coep-header-invalid")
    return TestResult(NAME, result, result != "coep-header-invalid", evidence)
