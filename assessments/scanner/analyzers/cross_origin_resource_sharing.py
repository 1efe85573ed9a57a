"""cross-origin-resource-sharing: may other sites read this page with the visitor's cookies?

Sent once more with a foreign Origin: reflecting that origin together with
`Access-Control-Allow-Credentials: true` lets any site act as the logged-in visitor.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult

NAME = "cross-origin-resource-sharing"


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.cors
    acao = response.header("access-control-allow-origin") if response else None
    if response is None or not acao:
        return TestResult(NAME, "cross-origin-resource-sharing-not-implemented", True)
    value = acao[:256].strip().lower()
    credentials = (response.header("access-control-allow-credentials") or "").strip().lower()
    evidence = f"Access-Control-Allow-Origin: {acao[:256]}"
    if credentials:
        evidence += f"\nAccess-Control-Allow-Credentials: {credentials}"
    if value == "*":
        return TestResult(
            NAME, "cross-origin-resource-sharing-implemented-with-public-access", True, evidence
        )
    if acao.strip() == retrieval.cors_origin and credentials == "true":
        return TestResult(
            NAME, "cross-origin-resource-sharing-implemented-with-universal-access", False, evidence
        )
    return TestResult(
        NAME, "cross-origin-resource-sharing-implemented-with-restricted-access", True, evidence
    )
