"""What changed between two consecutive completed scans of the same target (pure; no database).

A finding is matched to its predecessor by what it is about, not by its exact id: for the
Observatory's tests that is the test (`csp-implemented-unsafe-inline` after `csp-not-implemented`
is the same problem getting better or worse), for every other check its check id. Of a matched
pair the severity decides: worse is *regressed*, better *improved*, the same *unchanged*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..models import Grade

#: Severity from least to most severe.
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
#: Grades from best to worst (A+ … F).
GRADE_ORDER: tuple[str, ...] = tuple(Grade.values)

NEW, FIXED, REGRESSED, IMPROVED, UNCHANGED = "new", "fixed", "regressed", "improved", "unchanged"
CHANGE_LABELS = {
    NEW: "New",
    REGRESSED: "Regressed (severity got worse)",
    FIXED: "Fixed",
    IMPROVED: "Improved (severity went down)",
    UNCHANGED: "Unchanged",
}


class FindingLike(Protocol):
    check_id: str
    title: str
    severity: str


@dataclass(frozen=True)
class FindingState:
    key: str
    check_id: str
    title: str
    severity: str


@dataclass(frozen=True)
class FindingChange:
    change: str
    current: FindingState | None
    previous: FindingState | None

    @property
    def shown(self) -> FindingState:
        """The finding as it is now, or as it was for a fixed one."""
        return self.current or self.previous  # type: ignore[return-value]


@dataclass(frozen=True)
class FindingsDiff:
    previous_grade: str
    current_grade: str
    previous_risk: int | None
    current_risk: int | None
    changes: list[FindingChange] = field(default_factory=list)

    def of(self, change: str) -> list[FindingChange]:
        return [c for c in self.changes if c.change == change]

    @property
    def counts(self) -> dict[str, int]:
        return {change: len(self.of(change)) for change in CHANGE_LABELS}

    @property
    def grade_dropped(self) -> bool:
        return grade_is_worse(self.current_grade, than=self.previous_grade)

    @property
    def new_critical(self) -> list[FindingChange]:
        """Critical findings that were not critical (or not there) in the previous scan."""
        return [
            c
            for c in self.changes
            if c.change in (NEW, REGRESSED) and c.current is not None and c.current.severity == "critical"
        ]

    @property
    def got_worse(self) -> bool:
        """What alerts sales: the grade dropped or a critical finding appeared."""
        return self.grade_dropped or bool(self.new_critical)


def grade_is_worse(grade: str, *, than: str) -> bool:
    """True when `grade` is a worse grade than `than` (unknown or empty grades never are)."""
    if grade not in GRADE_ORDER or than not in GRADE_ORDER:
        return False
    return GRADE_ORDER.index(grade) > GRADE_ORDER.index(than)


def finding_key(check_id: str, results: Mapping[str, Any] | None) -> str:
    """The Observatory test a finding is the result of (from the scan's stored results), or its id."""
    for test, outcome in ((results or {}).get("tests") or {}).items():
        if isinstance(outcome, Mapping) and outcome.get("result") == check_id:
            return f"test:{test}"
    return check_id


def _states(findings: Iterable[FindingLike], results: Mapping[str, Any] | None) -> dict[str, FindingState]:
    states: dict[str, FindingState] = {}
    for finding in findings:
        key = finding_key(finding.check_id, results)
        state = FindingState(
            key=key, check_id=finding.check_id, title=finding.title, severity=finding.severity
        )
        kept = states.get(key)
        if kept is None or SEVERITY_RANK.get(state.severity, 0) > SEVERITY_RANK.get(kept.severity, 0):
            states[key] = state
    return states


def diff_findings(
    *,
    previous: Iterable[FindingLike],
    previous_results: Mapping[str, Any] | None,
    current: Iterable[FindingLike],
    current_results: Mapping[str, Any] | None,
    previous_grade: str = "",
    current_grade: str = "",
    previous_risk: int | None = None,
    current_risk: int | None = None,
) -> FindingsDiff:
    """The changes from the `previous` scan's findings to the `current` one's, most severe first."""
    before = _states(previous, previous_results)
    after = _states(current, current_results)
    changes: list[FindingChange] = []
    for key, now in after.items():
        was = before.get(key)
        if was is None:
            change = NEW
        else:
            delta = SEVERITY_RANK.get(now.severity, 0) - SEVERITY_RANK.get(was.severity, 0)
            change = REGRESSED if delta > 0 else IMPROVED if delta < 0 else UNCHANGED
        changes.append(FindingChange(change=change, current=now, previous=was))
    changes += [
        FindingChange(change=FIXED, current=None, previous=was)
        for key, was in before.items()
        if key not in after
    ]
    order = list(CHANGE_LABELS)
    changes.sort(
        key=lambda c: (order.index(c.change), -SEVERITY_RANK.get(c.shown.severity, 0), c.shown.check_id)
    )
    return FindingsDiff(
        previous_grade=previous_grade,
        current_grade=current_grade,
        previous_risk=previous_risk,
        current_risk=current_risk,
        changes=changes,
    )
