"""strict-transport-security: does the HTTPS site tell browsers never to use plain HTTP again?

Needs a working HTTPS site with a valid certificate; six months (15552000 s, the Observatory's
accepted value) is the minimum for a pass. Preloaded hosts pass whatever the header says.
"""

from __future__ import annotations

from ..retriever import Retrieval
from . import TestResult
from .hsts_preload import is_preloaded

NAME = "strict-transport-security"
SIX_MONTHS = 15_552_000


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.https
    data: dict[str, object] = {"max_age": None, "include_subdomains": False, "preload": False}
    evidence = ""
    if response is None:
        result = "hsts-not-implemented-no-https"
    elif not response.verified:
        result = "hsts-invalid-cert"
    elif values := response.header_values("strict-transport-security"):
        header = values[0][:1024]
        evidence = f"Strict-Transport-Security: {header}"
        result = "hsts-header-invalid"
        if "," not in header:
            for parameter in (p.strip().lower() for p in header.split(";")):
                if parameter.startswith("max-age="):
                    digits = parameter[8:128].strip().strip('"')
                    data["max_age"] = int(digits) if digits.isdigit() else None
                elif parameter == "includesubdomains":
                    data["include_subdomains"] = True
                elif parameter == "preload":
                    data["preload"] = True
            max_age = data["max_age"]
            if isinstance(max_age, int):
                result = (
                    "hsts-implemented-max-age-less-than-six-months"
                    if max_age < SIX_MONTHS
                    else "hsts-implemented-max-age-at-least-six-months"
                )
    else:
        result = "hsts-not-implemented"
    if response is not None and is_preloaded(retrieval.host):
        result = "hsts-preloaded"
    passed = result in ("hsts-implemented-max-age-at-least-six-months", "hsts-preloaded")
    return TestResult(NAME, result, passed, evidence=evidence, data=data)
