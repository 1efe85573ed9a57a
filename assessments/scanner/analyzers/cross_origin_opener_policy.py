"""cross-origin-opener-policy: are windows this page opens (or that open it) isolated from it?

The value is a structured-field token (parameters such as `report-to` are allowed); more than one
header is invalid.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult
from .single_token_header import single_token_result

NAME = "cross-origin-opener-policy"
RESULTS = {
    "same-origin": "coop-implemented-with-same-origin",
    "same-origin-allow-popups": "coop-implemented-with-same-origin-allow-popups",
    "noopener-allow-popups": "coop-implemented-with-noopener-allow-popups",
    "unsafe-none": "coop-implemented-with-unsafe-none",
}


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    return single_token_result(
        test=NAME,
        header="Cross-Origin-Opener-Policy",
        prefix="coop",
        values=response.header_values("cross-origin-opener-policy") if response else [],
        results=RESULTS,
    )
