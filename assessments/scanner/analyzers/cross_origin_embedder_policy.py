"""cross-origin-embedder-policy: does the page only embed resources that opted in (isolation)?"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult
from .single_token_header import single_token_result

NAME = "cross-origin-embedder-policy"
RESULTS = {
    "require-corp": "coep-implemented-with-require-corp",
    "credentialless": "coep-implemented-with-credentialless",
    "unsafe-none": "coep-implemented-with-unsafe-none",
}


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    return single_token_result(
        test=NAME,
        header="Cross-Origin-Embedder-Policy",
        prefix="coep",
        values=response.header_values("cross-origin-embedder-policy") if response else [],
        results=RESULTS,
    )
