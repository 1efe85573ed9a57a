"""cross-origin-resource-policy: may other sites embed this response (Spectre-style leaks)?

Unlike COEP and COOP, a `<meta http-equiv>` counts when the header is absent, and the token is
compared case-insensitively.
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
    value = None
    if response is not None:
        meta = response.html.http_equiv.get("cross-origin-resource-policy", [])
        value = response.header("cross-origin-resource-policy") or (meta[-1] if meta else None)
    return single_token_result(
        test=NAME,
        header="Cross-Origin-Resource-Policy",
        prefix="corp",
        values=[value] if value else [],
        results=RESULTS,
        token=lambda v: v[:256].strip().lower(),
        evidence_limit=256,
    )
