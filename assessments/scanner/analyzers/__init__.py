"""The Mozilla HTTP Observatory's tests, re-implemented: one module per test.

Each `analyze(retrieval)` is a pure function of the retrieved responses and returns the
Observatory's result name for that test (e.g. `csp-not-implemented`), whether the test passed,
and the evidence seen. The score modifier of each result name lives in `grading.SCORE_MODIFIERS`.
Sources read (behaviour, not code): github.com/mdn/mdn-http-observatory, `src/analyzer/tests/*.js`
and `src/grader/charts.js`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..retriever import Retrieval


@dataclass(frozen=True)
class TestResult:
    """One test's verdict. `result` is the Observatory's stable result name."""

    test: str
    result: str
    passed: bool
    evidence: str = ""
    data: Any = None

    __test__ = False  # not a pytest test class


def only_if_worse(new: str, current: str | None, goodness: Sequence[str]) -> str:
    """The worse of two results, by position in `goodness` (later is worse)."""
    if current is None:
        return new

    def rank(result: str) -> int:
        return goodness.index(result) if result in goodness else -1

    return new if rank(new) > rank(current) else current


def all_tests() -> list[Callable[[Retrieval], TestResult]]:
    from . import (
        content_security_policy,
        cookies,
        cross_origin_embedder_policy,
        cross_origin_opener_policy,
        cross_origin_resource_policy,
        cross_origin_resource_sharing,
        redirection,
        referrer_policy,
        strict_transport_security,
        subresource_integrity,
        x_content_type_options,
        x_frame_options,
    )

    return [
        content_security_policy.analyze,
        cookies.analyze,
        cross_origin_resource_sharing.analyze,
        redirection.analyze,
        referrer_policy.analyze,
        strict_transport_security.analyze,
        subresource_integrity.analyze,
        x_content_type_options.analyze,
        x_frame_options.analyze,
        cross_origin_resource_policy.analyze,
        cross_origin_opener_policy.analyze,
        cross_origin_embedder_policy.analyze,
    ]
