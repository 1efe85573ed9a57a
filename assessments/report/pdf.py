"""Render an assessment as a branded PDF: cover, summary, charts, findings, compliance, ROI, next steps.

Everything that came from the scanned site or the requester is escaped before it reaches
reportlab's paragraph mark-up.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..scanner import compliance
from .dns_section import pdf_section as dns_pdf_section
from .monitoring import monitoring_story
from .tls_section import tls_story

if TYPE_CHECKING:
    from ..models import Finding, RoiCalculation, SecurityAssessment
    from ..monitoring.selectors import MonitoringSummary

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


def _styles() -> dict[str, ParagraphStyle]:
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


def _grade_colour(grade: str) -> colors.Color:
    if grade.startswith("A"):
        return SEVERITY_COLOURS["low"]
    if grade.startswith(("B", "C")):
        return SEVERITY_COLOURS["medium"]
    return SEVERITY_COLOURS["critical"]


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _severity_chart(counts: Counter[str]) -> Drawing:
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


def _score_chart(score: int, risk: int) -> Drawing:
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


def _table(rows: list[list[object]], widths: list[float], header_colour: colors.Color = BRAND) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
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
    return table


def render_report(
    *,
    assessment: SecurityAssessment,
    findings: list[Finding],
    roi: RoiCalculation | None = None,
    monitoring: MonitoringSummary | None = None,
) -> bytes:
    """The report as PDF bytes. `findings` in any order; they are sorted by severity here. With
    `monitoring` (a watched target's scan) a page of grade history and changes follows the summary."""
    s = _styles()
    lead = assessment.lead
    company = (lead.company.name if lead.company else "") or lead.company_name or assessment.target_host
    findings = sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.score_modifier, f.check_id))
    counts = Counter(f.severity for f in findings)
    generated = timezone.localtime(assessment.completed_at or timezone.now())
    results = assessment.results or {}
    story: list[object] = []

    # Cover
    story += [
        Spacer(1, 30 * mm),
        _p("Website Security Assessment", s["title"]),
        Spacer(1, 6 * mm),
        _p(f"Prepared for {company}", s["h2"]),
        _p(f"Target: {assessment.target_url}", s["body"]),
        _p(f"Date: {generated:%d %B %Y}", s["body"]),
        Spacer(1, 15 * mm),
        _p("Overall grade", s["h2"]),
        Paragraph(
            f'<font color="{_grade_colour(assessment.grade).hexval()}">{escape(assessment.grade or "–")}</font>',
            s["grade"],
        ),
        _p(
            f"Header score {assessment.observatory_score} (Mozilla HTTP Observatory method) · "
            f"risk score {assessment.risk_score}/100",
            s["body"],
        ),
        Spacer(1, 30 * mm),
        _p(CONTACT, s["small"]),
        PageBreak(),
    ]

    # Executive summary
    worst = [f for f in findings if f.severity in ("critical", "high")]
    summary = (
        f"We examined {assessment.target_host} from the outside, as any visitor or attacker can: its HTTPS and "
        f"HTTP responses, redirects, security headers, cookies, scripts, TLS protocol versions, cipher suites, "
        f"forward secrecy, certificate and chain. "
        f"The site earns grade {assessment.grade} with a risk score of {assessment.risk_score} out of 100. "
        f"We found {len(findings)} issue(s): {counts.get('critical', 0)} critical, {counts.get('high', 0)} high, "
        f"{counts.get('medium', 0)} medium, {counts.get('low', 0)} low and {counts.get('info', 0)} informational."
    )
    if results.get("grade_cap"):
        summary += f" TLS problems cap the grade at {results['grade_cap']} whatever the headers score."
    story += [_p("Executive summary", s["h1"]), _p(summary, s["body"])]
    if worst:
        story.append(_p("Fix first:", s["h2"]))
        story += [_p(f"• [{f.severity.upper()}] {f.title}", s["body"]) for f in worst[:8]]
    else:
        story.append(_p("No critical or high-severity issues were found.", s["body"]))
    story += [Spacer(1, 4 * mm), _score_chart(assessment.observatory_score or 0, assessment.risk_score or 0)]
    story += [_severity_chart(counts)]
    breakdown = [["Severity", "Findings"]] + [[sev.title(), str(counts.get(sev, 0))] for sev in SEVERITIES]
    story += [_table(breakdown, [40 * mm, 25 * mm])]
    story += tls_story(results, s)
    story.append(PageBreak())
    story += dns_pdf_section(results, findings, s, _table)
    story += monitoring_story(monitoring, s)

    # Findings
    story.append(_p("Findings and how to fix them", s["h1"]))
    if not findings:
        story.append(_p("Nothing to fix: every check passed.", s["body"]))
    for finding in findings:
        block = [
            Paragraph(
                f'<font color="{SEVERITY_COLOURS[finding.severity].hexval()}"><b>[{finding.severity.upper()}]</b></font> '
                f"<b>{escape(finding.title)}</b> <font size=7>({escape(finding.check_id)})</font>",
                s["h2"],
            ),
            _p(f"Why it matters: {finding.description}", s["body"]),
        ]
        if finding.evidence:
            block += [
                _p("Evidence:", s["body"]),
                Preformatted(finding.evidence[:1200], s["code"], maxLineLength=110),
            ]
        block += [
            _p("How to fix it:", s["body"]),
            Preformatted(finding.recommendation, s["code"], maxLineLength=110),
        ]
        if finding.compliance_refs:
            block.append(_p("Compliance: " + ", ".join(finding.compliance_refs), s["small"]))
        story += [KeepTogether(block), Spacer(1, 3 * mm)]
    story.append(PageBreak())

    # Compliance table
    story.append(_p("Compliance mapping", s["h1"]))
    story.append(
        _p(
            "Each finding mapped to the controls it concerns (OWASP ASVS 5.0, PCI DSS 4.0.1, NIST CSF 2.0, "
            "ISO/IEC 27001:2022 Annex A, SOC 2 Trust Services Criteria). A mapping helps an auditor find the "
            "control; it is not by itself evidence of compliance.",
            s["body"],
        )
    )
    rows: list[list[object]] = [["Finding", *compliance.FRAMEWORKS]]
    for finding in findings:
        refs = finding.compliance_refs
        row: list[object] = [Paragraph(escape(finding.title), s["small"])]
        for framework in compliance.FRAMEWORKS:
            controls = [r[len(framework) + 1 :] for r in refs if r.startswith(framework + " ")]
            row.append(Paragraph(escape(", ".join(controls)), s["small"]))
        rows.append(row)
    if len(rows) == 1:
        rows.append([Paragraph("No findings", s["small"]), "", "", "", "", ""])
    story += [_table(rows, [50 * mm, 28 * mm, 24 * mm, 24 * mm, 24 * mm, 20 * mm]), Spacer(1, 6 * mm)]

    # ROI
    story.append(_p("What a breach would cost", s["h1"]))
    if roi is not None:
        out = roi.outputs
        story.append(
            _table(
                [
                    ["Figure", "Estimate (USD)"],
                    ["Estimated cost of one breach", f"${out['estimated_breach_cost']:,}"],
                    ["Annual likelihood (model assumption)", f"{out['annual_breach_likelihood']:.0%}"],
                    ["Expected annual exposure", f"${out['expected_annual_exposure']:,}"],
                    ["Potential annual savings", f"${out['potential_annual_savings']:,}"],
                ],
                [90 * mm, 50 * mm],
            )
        )
        story.append(_p("Sources: " + "; ".join(out.get("sources", [])), s["small"]))
    else:
        story.append(
            _p(
                "The average data breach cost USD 4.44 million worldwide and USD 10.22 million in the United "
                "States; organisations that used security AI and automation extensively saved USD 1.9 million "
                "per breach (IBM Cost of a Data Breach Report 2025). Try our ROI calculator for your own figures.",
                s["body"],
            )
        )

    # Next steps
    story += [
        _p("Next steps", s["h1"]),
        _p(
            "1. Fix the critical and high findings above; most are one line of web-server configuration.",
            s["body"],
        ),
        _p("2. Re-run this assessment to confirm the grade improves.", s["body"]),
        _p(
            "3. Talk to us about continuous monitoring of all your public sites, authenticated testing and "
            "compliance evidence for your auditors.",
            s["body"],
        ),
        Spacer(1, 6 * mm),
        _p(CONTACT, s["body"]),
    ]

    buffer = io.BytesIO()

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 10 * mm, f"Enterprise Scanner · {assessment.target_host} · confidential")
        canvas.drawRightString(195 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"Security assessment of {assessment.target_host}",
        author="Enterprise Scanner",
        subject=f"Grade {assessment.grade}",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
