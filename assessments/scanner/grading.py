"""Scoring and grades, as the Mozilla HTTP Observatory computes them (algorithm version 4+).

Every site starts at 100 and each test's result adds its modifier. Bonuses (positive modifiers)
count only when the score with penalties alone is at least 90, so a site cannot buy back a
missing CSP with a referrer policy. The score never goes below 0 and has no maximum; the grade
uses the score rounded down to a multiple of 5 (anything over 100 is A+).

Sources: github.com/mdn/mdn-http-observatory `src/grader/charts.js` (SCORE_TABLE, GRADE_CHART,
MINIMUM_SCORE_FOR_EXTRA_CREDIT) and `src/scanner/index.js` (the bonus rule). The COOP and COEP
tests are newer than the score table we read: they report pass/fail and are scored 0 here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .analyzers import TestResult

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90

SCORE_MODIFIERS: dict[str, int] = {
    # content-security-policy
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-but-duplicate-directives": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "csp-not-implemented-but-reporting-enabled": -25,
    # cookies
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    # cross-origin-resource-sharing
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    # redirection
    "redirection-all-redirects-preloaded": 0,
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "redirection-invalid-cert": -20,
    # referrer-policy
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    # strict-transport-security
    "hsts-preloaded": 5,
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "hsts-not-implemented-no-https": -20,
    "hsts-invalid-cert": -20,
    # subresource-integrity
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "html-not-parseable": -20,
    # x-content-type-options
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    # x-frame-options
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    # cross-origin-resource-policy
    "corp-implemented-with-same-origin": 10,
    "corp-implemented-with-same-site": 10,
    "corp-implemented-with-cross-origin": 0,
    "corp-not-implemented": 0,
    "corp-header-invalid": -5,
    # cross-origin-opener-policy and cross-origin-embedder-policy (not in the score table read)
    "coop-implemented-with-same-origin": 0,
    "coop-implemented-with-same-origin-allow-popups": 0,
    "coop-implemented-with-noopener-allow-popups": 0,
    "coop-implemented-with-unsafe-none": 0,
    "coop-not-implemented": 0,
    "coop-header-invalid": 0,
    "coep-implemented-with-require-corp": 0,
    "coep-implemented-with-credentialless": 0,
    "coep-implemented-with-unsafe-none": 0,
    "coep-not-implemented": 0,
    "coep-header-invalid": 0,
}

#: (lowest score, grade), best first: the Observatory's GRADE_CHART.
GRADE_BOUNDARIES: tuple[tuple[int, str], ...] = (
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
    (0, "F"),
)
GRADE_ORDER = [grade for _, grade in GRADE_BOUNDARIES]


def modifier(result: str) -> int:
    return SCORE_MODIFIERS[result]


def grade_for_score(score: int) -> str:
    score = max(score, 0)
    rounded = min(score - score % 5, 100)
    for lowest, grade in GRADE_BOUNDARIES:
        if rounded >= lowest:
            return grade
    return "F"  # pragma: no cover - 0 is the last boundary


def cap_grade(grade: str, cap: str | None) -> str:
    """The worse of `grade` and `cap` (SSL Labs-style: a TLS problem limits the grade)."""
    if cap is None:
        return grade
    return grade if GRADE_ORDER.index(grade) >= GRADE_ORDER.index(cap) else cap


@dataclass(frozen=True)
class Score:
    score: int
    grade: str
    tests_passed: int
    tests_failed: int


def score_results(results: Iterable[TestResult]) -> Score:
    results = list(results)
    with_bonus = uncurved = 100
    for result in results:
        value = modifier(result.result)
        with_bonus += value
        if value < 0:
            uncurved += value
    score = max(with_bonus if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else uncurved, 0)
    passed = sum(1 for r in results if r.passed)
    return Score(
        score=score, grade=grade_for_score(score), tests_passed=passed, tests_failed=len(results) - passed
    )
