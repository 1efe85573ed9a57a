"""strict-transport-security: does the HTTPS site tell browsers never to use plain HTTP again?

Needs a working HTTPS site with a valid certificate; six months (15552000 s, the Observatory's
accepted value) is the minimum for a pass. Preloaded hosts pass whatever the header says.
The header sent twice reads "max-age=…, max-age=…", which is invalid (a comma never belongs in
one), as in the Observatory. A max-age that is not a number (`max-age=abc`) is invalid here; the
Observatory reads it as NaN and passes it — a documented departure (docs/scanner-parity.md).
"""

from __future__ import annotations

import re

from ..retriever import Retrieval
from . import TestResult
from .hsts_preload import is_preloaded

NAME = "strict-transport-security"
SIX_MONTHS = 15_552_000
#: The leading integer of a max-age value, as JavaScript's parseInt reads it ("123abc" is 123).
LEADING_INTEGER = re.compile(r"[+-]?\d+")


def _max_age(value: str) -> int | None:
    match = LEADING_INTEGER.match(value.strip().strip('"').strip())
    return int(match.group()) if match else None


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.https
    data: dict[str, object] = {"max_age": None, "include_subdomains": False, "preload": False}
    evidence = ""
    if response is None:
        result = "hsts-not-implemented-no-https"
    elif not response.verified:
        result = "hsts-invalid-cert"
    elif (value := response.header("strict-transport-security")) is not None:
        header = value[:1024]
        evidence = f"Strict-Transport-Security: {header}"
        result = "hsts-header-invalid"
        has_max_age = False
        for parameter in (p.strip().lower() for p in header.split(";")):
            if parameter.startswith("max-age="):
                has_max_age = True
                data["max_age"] = _max_age(parameter[8:128])
            elif parameter == "includesubdomains":
                data["include_subdomains"] = True
            elif parameter == "preload":
                data["preload"] = True
        max_age = data["max_age"]
        if "," not in header and has_max_age and isinstance(max_age, int):
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
