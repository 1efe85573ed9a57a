"""The Observatory's grade boundaries and its rule that bonuses count only from 90 up."""

from __future__ import annotations

import pytest

from assessments.scanner.analyzers import TestResult
from assessments.scanner.grading import cap_grade, grade_for_score, score_results

BOUNDARIES = [
    (150, "A+"), (100, "A+"), (99, "A"), (90, "A"), (89, "A-"), (85, "A-"), (84, "B+"), (80, "B+"),
    (79, "B"), (70, "B"), (69, "B-"), (65, "B-"), (64, "C+"), (60, "C+"), (59, "C"), (50, "C"),
    (49, "C-"), (45, "C-"), (44, "D+"), (40, "D+"), (39, "D"), (30, "D"), (29, "D-"), (25, "D-"),
    (24, "F"), (0, "F"), (-30, "F"),
]  # fmt: skip


@pytest.mark.parametrize(("score", "grade"), BOUNDARIES)
def test_grade_boundaries(score: int, grade: str) -> None:
    assert grade_for_score(score) == grade


def results(*names: str) -> list[TestResult]:
    return [TestResult("t", name, True) for name in names]


def test_bonuses_count_when_penalties_leave_at_least_90() -> None:
    # -10 (unsafe-eval) leaves 90: the +10 CORP bonus and +5 referrer bonus apply → 105, A+.
    score = score_results(
        results(
            "csp-implemented-with-unsafe-eval", "corp-implemented-with-same-origin", "referrer-policy-private"
        )
    )
    assert (score.score, score.grade) == (105, "A+")


def test_bonuses_ignored_below_90() -> None:
    # -15 leaves 85: the +10 bonus is not applied, so the site stays at A-.
    score = score_results(
        results(
            "x-content-type-options-not-implemented",
            "hsts-implemented-max-age-less-than-six-months",
            "corp-implemented-with-same-origin",
        )
    )
    assert (score.score, score.grade) == (85, "A-")


def test_score_never_below_zero() -> None:
    score = score_results(
        results(
            "csp-not-implemented",
            "cookies-session-without-secure-flag",
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
        )
    )
    assert (score.score, score.grade) == (0, "F")


def test_tls_caps_lower_the_grade_only() -> None:
    assert cap_grade("A+", "B") == "B"
    assert cap_grade("C", "B") == "C"
    assert cap_grade("A", None) == "A"
    assert cap_grade("A+", "F") == "F"
