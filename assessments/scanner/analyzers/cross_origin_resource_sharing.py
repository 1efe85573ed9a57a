"""cross-origin-resource-sharing: may other sites read this page with the visitor's cookies?

Read, as in the Observatory, from the answer to a CORS preflight (`OPTIONS` with a foreign Origin
and `Access-Control-Request-Method: GET`) sent where the graded page ended: a policy a site serves
only on preflights is found too. `*` is public access, any other Access-Control-Allow-Origin
restricted access.

Reflecting the probe's origin together with `Access-Control-Allow-Credentials: true` — on the
preflight or on a plain GET carrying that Origin — lets any site act as the logged-in visitor:
universal access. The Observatory never reports it (it compares the header with an attribute of
the request object real responses lack); we do — a documented departure (docs/scanner-parity.md).
"""

from __future__ import annotations

from ..retriever import FetchedResponse, Retrieval
from . import TestResult

NAME = "cross-origin-resource-sharing"


def _reflects_with_credentials(response: FetchedResponse | None, origin: str) -> bool:
    if response is None:
        return False
    acao = response.header("access-control-allow-origin")
    credentials = (response.header("access-control-allow-credentials") or "").strip().lower()
    return acao is not None and acao == origin and credentials == "true"


def _evidence(response: FetchedResponse) -> str:
    lines = [
        f"{name.title()}: {value[:256]}"
        for name in ("access-control-allow-origin", "access-control-allow-credentials")
        if (value := response.header(name))
    ]
    return "\n".join(lines)


def analyze(retrieval: Retrieval) -> TestResult:
    for probe in (retrieval.cors_preflight, retrieval.cors):
        if _reflects_with_credentials(probe, retrieval.cors_origin):
            assert probe is not None
            return TestResult(
                NAME,
                "cross-origin-resource-sharing-implemented-with-universal-access",
                False,
                _evidence(probe),
            )
    response = retrieval.cors_preflight
    acao = response.header("access-control-allow-origin") if response else None
    if response is None or not acao:
        return TestResult(NAME, "cross-origin-resource-sharing-not-implemented", True)
    if acao[:256].strip().lower() == "*":
        return TestResult(
            NAME, "cross-origin-resource-sharing-implemented-with-public-access", True, _evidence(response)
        )
    return TestResult(
        NAME, "cross-origin-resource-sharing-implemented-with-restricted-access", True, _evidence(response)
    )
