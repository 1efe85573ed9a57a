"""The report's look, shared by its sections: brand and severity colours, paragraph styles, the
table style and the two summary charts."""

from __future__ import annotations

from collections import Counter
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

BRAND = colors.HexColor("#0b3d91")
SEVERITY_COLOURS = {
    "critical": colors.HexColor("#8b0000"),
    "high": colors.HexColor("#d9480f"),
    "medium": colors.HexColor("#e6a700"),
    "low": colors.HexColor("#2b8a3e"),
    "info": colors.HexColor("#495057"),
}
SEVERITIES = ("critical", "high", "medium", "low", "info")
CONTACT = (
    "Enterprise Scanner · security@enterprisescanner.com · +1 (800) 555-0199 · www.enterprisescanner.com"
)


def styles() -> dict[str, ParagraphStyle]:
    """The report's paragraph styles by role; the TLS, DNS and monitoring sections use them too."""
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], textColor=BRAND, fontSize=26, leading=32),
        "grade": ParagraphStyle("grade", parent=base["Title"], fontSize=72, leading=80, alignment=TA_CENTER),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], textColor=BRAND),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], textColor=BRAND),
        "body": base["BodyText"],
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
        "code": ParagraphStyle("code", parent=base["Code"], fontSize=7, leading=9),
    }


def grade_colour(grade: str) -> colors.Color:
    """Green for an A, amber for B and C, red below."""
    if grade.startswith("A"):
        return SEVERITY_COLOURS["low"]
    if grade.startswith(("B", "C")):
        return SEVERITY_COLOURS["medium"]
    return SEVERITY_COLOURS["critical"]


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: escaped (it may come from the scanned site), line breaks kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def severity_chart(counts: Counter[str]) -> Drawing:
    """Bar chart of the findings per severity, in the severity colours."""
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 10 * mm, 145 * mm, 42 * mm
    chart.data = [[counts.get(s, 0) for s in SEVERITIES]]
    chart.categoryAxis.categoryNames = [s.title() for s in SEVERITIES]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(4, max(chart.data[0]) + 1)
    chart.valueAxis.valueStep = max(1, chart.valueAxis.valueMax // 4)
    chart.bars.strokeColor = None
    for index, severity in enumerate(SEVERITIES):
        chart.bars[(0, index)].fillColor = SEVERITY_COLOURS[severity]
    drawing.add(chart)
    drawing.add(String(15 * mm, 55 * mm, "Findings by severity", fontSize=10, fillColor=BRAND))
    return drawing


def score_chart(score: int, risk: int) -> Drawing:
    """Header score next to risk score (a negative header score is drawn as 0)."""
    drawing = Drawing(170 * mm, 40 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45 * mm, 5 * mm, 115 * mm, 26 * mm
    chart.data = [[max(score, 0), risk]]
    chart.categoryAxis.categoryNames = ["Header score (100 = baseline)", "Risk (0 = none, 100 = severe)"]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(140, score)
    chart.valueAxis.valueStep = 20
    chart.bars[(0, 0)].fillColor = BRAND
    chart.bars[(0, 1)].fillColor = SEVERITY_COLOURS["high"]
    drawing.add(chart)
    return drawing


def table(rows: list[list[object]], widths: list[float], header_colour: colors.Color = BRAND) -> Table:
    """A table with a brand-coloured header row repeated on each page and banded rows."""
    grid = Table(rows, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), header_colour),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f3f5")]),
            ]
        )
    )
    return grid
