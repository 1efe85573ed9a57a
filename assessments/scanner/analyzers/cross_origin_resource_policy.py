"""cross-origin-resource-policy: may other sites embed this response (Spectre-style leaks)?

Only the header counts (browsers ignore a `<meta http-equiv>` naming it); the token is compared
case-insensitively, and the header sent twice reads "same-origin, same-origin": invalid.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult
from .single_token_header import single_token_result

NAME = "cross-origin-resource-policy"
RESULTS = {
    "same-site": "corp-implemented-with-same-site",
    "same-origin": "corp-implemented-with-same-origin",
    "cross-origin": "corp-implemented-with-cross-origin",
}


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    value = response.header("cross-origin-resource-policy") if response is not None else None
    return single_token_result(
        test=NAME,
        header="Cross-Origin-Resource-Policy",
        prefix="corp",
        values=[value] if value else [],
        results=RESULTS,
        token=lambda v: v[:256].strip().lower(),
        evidence_limit=256,
    )
