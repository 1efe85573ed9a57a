"""The report's monitoring page for a watched target: how the grade moved ("Grade D → B since
March 2026"), a grade and risk chart over the scans, and what changed since the previous scan
(new, regressed, fixed, improved, unchanged findings). Kept apart from the main report layout."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

from ..monitoring.diff import CHANGE_LABELS, GRADE_ORDER

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle

    from ..monitoring.diff import FindingsDiff
    from ..monitoring.selectors import MonitoringSummary

BRAND = colors.HexColor("#0b3d91")
RISK = colors.HexColor("#d9480f")
#: At most this many scans in the chart and the table (the most recent ones).
MAX_POINTS = 24


def _history_chart(summary: MonitoringSummary) -> Drawing:
    """Grade (as a rank: higher is better) and risk score per scan, side by side."""
    points = summary.history[-MAX_POINTS:]
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 12 * mm, 150 * mm, 40 * mm
    chart.data = [
        [round(p.grade_rank * 100 / (len(GRADE_ORDER) - 1)) for p in points],
        [p.risk_score or 0 for p in points],
    ]
    chart.categoryAxis.categoryNames = [
        f"{timezone.localtime(p.completed_at):%d %b} {p.grade or '–'}" for p in points
    ]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = BRAND
    chart.bars[1].fillColor = RISK
    drawing.add(chart)
    drawing.add(
        String(
            15 * mm,
            57 * mm,
            "Grade (blue, F = 0 … A+ = 100) and risk (orange) per scan",
            fontSize=9,
            fillColor=BRAND,
        )
    )
    return drawing


def _table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), BRAND),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table


def monitoring_story(summary: MonitoringSummary | None, styles: dict[str, ParagraphStyle]) -> list[object]:
    """Flowables of the monitoring page; nothing for a scan of a target nobody watches."""
    if summary is None:
        return []
    p = lambda text, style: Paragraph(escape(text), styles[style])  # noqa: E731
    story: list[object] = [
        p(f"Monitoring of {summary.host}", "h1"),
        p(summary.headline, "h2"),
        p(
            (
                f"Re-scanned every {summary.interval_days} day(s)."
                if summary.watched
                else "No longer re-scanned."
            )
            + " Each scan is kept; this page compares this scan with the previous one.",
            "body",
        ),
    ]
    if len(summary.history) > 1:
        story.append(_history_chart(summary))
    story += [_history_table(summary), Spacer(1, 5 * mm)]

    diff = summary.diff
    if diff is None:
        story.append(p("This is the first completed scan of the target: nothing to compare yet.", "body"))
    else:
        story += _changes_story(diff, styles)
    story.append(PageBreak())
    return story


def _history_table(summary: MonitoringSummary) -> Table:
    """The last MAX_POINTS scans of the target: when, grade and risk."""
    rows: list[list[object]] = [["Scan", "Grade", "Risk"]]
    for point in summary.history[-MAX_POINTS:]:
        when = f"{timezone.localtime(point.completed_at):%d %B %Y %H:%M}"
        rows.append([when, point.grade or "–", "–" if point.risk_score is None else str(point.risk_score)])
    return _table(rows, [60 * mm, 25 * mm, 25 * mm])


def _changes_story(diff: FindingsDiff, styles: dict[str, ParagraphStyle]) -> list[object]:
    """What changed since the previous scan: the grade and risk line, then one row per finding."""
    counts = diff.counts
    summary_line = (
        f"Grade {diff.previous_grade or '–'} → {diff.current_grade or '–'}, risk "
        f"{diff.previous_risk} → {diff.current_risk}. " + ", ".join(f"{counts[c]} {c}" for c in CHANGE_LABELS)
    )
    changes: list[list[object]] = [["Change", "Severity", "Finding"]]
    for change in diff.changes:
        state = change.shown
        severity = state.severity
        if change.previous and change.current and change.previous.severity != change.current.severity:
            severity = f"{change.previous.severity} → {change.current.severity}"
        changes.append(
            [
                CHANGE_LABELS[change.change],
                severity,
                Paragraph(
                    f"{escape(state.title)} <font size=6>({escape(state.check_id)})</font>",
                    styles["small"],
                ),
            ]
        )
    if len(changes) == 1:
        changes.append(["–", "–", "No findings in either scan"])
    return [
        Paragraph(escape("Changes since the previous scan"), styles["h2"]),
        Paragraph(escape(summary_line), styles["body"]),
        _table(changes, [48 * mm, 30 * mm, 102 * mm]),
    ]
