"""A watched target's grade and risk over its completed scans, and the one line that sums it up
("Grade D → B since March 2026"), for the admin chart and the PDF (pure; no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .diff import GRADE_ORDER


@dataclass(frozen=True)
class HistoryPoint:
    assessment_id: str
    completed_at: datetime
    grade: str
    risk_score: int | None

    @property
    def grade_rank(self) -> int:
        """0 for F … 12 for A+: higher is better, so a bar chart of it rises as the site improves."""
        if self.grade not in GRADE_ORDER:
            return 0
        return len(GRADE_ORDER) - 1 - GRADE_ORDER.index(self.grade)


def history_headline(points: list[HistoryPoint]) -> str:
    """How the grade moved from the first scan to the latest, e.g. "Grade D → B since March 2026"."""
    if not points:
        return "No completed scan yet."
    first, last = points[0], points[-1]
    since = f"{timezone.localtime(first.completed_at):%B %Y}"
    if len(points) == 1:
        return f"Grade {last.grade or '–'}: first scan, {since}"
    if first.grade == last.grade:
        return f"Grade {last.grade or '–'} unchanged since {since} ({len(points)} scans)"
    return f"Grade {first.grade or '–'} → {last.grade or '–'} since {since} ({len(points)} scans)"
