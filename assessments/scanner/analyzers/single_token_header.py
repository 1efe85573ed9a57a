"""The shape shared by the cross-origin isolation headers (COEP, COOP, CORP): one header whose
value is a single token from a fixed list. Absent passes (the browser default applies), a known
token passes with its own result, anything else — or the header sent twice — is invalid."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from . import TestResult


def structured_token(value: str) -> str:
    """A structured-field token without its parameters (`same-origin; report-to="x"`)."""
    return value[:1024].split(";", 1)[0].strip()


def single_token_result(
    *,
    test: str,
    header: str,
    prefix: str,
    values: Sequence[str],
    results: Mapping[str, str],
    token: Callable[[str], str] = structured_token,
    evidence_limit: int = 1024,
) -> TestResult:
    """The verdict for `values` of `header` (as displayed, e.g. `Cross-Origin-Opener-Policy`);
    result names are `<prefix>-not-implemented`, `<prefix>-header-invalid` or one of `results`."""
    if not values:
        return TestResult(test, f"{prefix}-not-implemented", True)
    invalid = f"{prefix}-header-invalid"
    evidence = "\n".join(f"{header}: {value[:evidence_limit]}" for value in values)
    if len(values) > 1:
        return TestResult(test, invalid, False, evidence)
    result = results.get(token(values[0]), invalid)
    return TestResult(test, result, result != invalid, evidence)
