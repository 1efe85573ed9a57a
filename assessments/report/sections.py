"""The report's own sections, in reading order: cover, executive summary, findings, compliance
mapping, what a breach would cost, next steps. Each returns its flowables; the TLS, DNS and
monitoring sections live in their own modules. Text from the site or the requester is escaped."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Preformatted, Spacer

from ..roi import roi_report_figures
from ..scanner import compliance
from .layout import (
    CONTACT,
    SEVERITIES,
    SEVERITY_COLOURS,
    grade_colour,
    para,
    score_chart,
    severity_chart,
    table,
)

if TYPE_CHECKING:
    from datetime import datetime

    from ..models import Finding, RoiCalculation, SecurityAssessment

Styles = dict[str, ParagraphStyle]


def cover(*, assessment: SecurityAssessment, company: str, generated: datetime, s: Styles) -> list[object]:
    """Title page: who it is for, the target, the date and the overall grade, large."""
    return [
        Spacer(1, 30 * mm),
        para("Website Security Assessment", s["title"]),
        Spacer(1, 6 * mm),
        para(f"Prepared for {company}", s["h2"]),
        para(f"Target: {assessment.target_url}", s["body"]),
        para(f"Date: {generated:%d %B %Y}", s["body"]),
        Spacer(1, 15 * mm),
        para("Overall grade", s["h2"]),
        Paragraph(
            f'<font color="{grade_colour(assessment.grade).hexval()}">{escape(assessment.grade or "–")}</font>',
            s["grade"],
        ),
        para(
            f"Header score {assessment.observatory_score} (Mozilla HTTP Observatory method) · "
            f"risk score {assessment.risk_score}/100",
            s["body"],
        ),
        Spacer(1, 30 * mm),
        para(CONTACT, s["small"]),
        PageBreak(),
    ]


def _summary_text(*, assessment: SecurityAssessment, findings: list[Finding], counts: Counter[str]) -> str:
    results = assessment.results or {}
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
    return summary


def executive_summary(
    *, assessment: SecurityAssessment, findings: list[Finding], counts: Counter[str], s: Styles
) -> list[object]:
    """What we looked at and found, what to fix first, the score and severity charts."""
    story: list[object] = [
        para("Executive summary", s["h1"]),
        para(_summary_text(assessment=assessment, findings=findings, counts=counts), s["body"]),
    ]
    worst = [f for f in findings if f.severity in ("critical", "high")]
    if worst:
        story.append(para("Fix first:", s["h2"]))
        story += [para(f"• [{f.severity.upper()}] {f.title}", s["body"]) for f in worst[:8]]
    else:
        story.append(para("No critical or high-severity issues were found.", s["body"]))
    story += [Spacer(1, 4 * mm), score_chart(assessment.observatory_score or 0, assessment.risk_score or 0)]
    story += [severity_chart(counts)]
    breakdown = [["Severity", "Findings"]] + [[sev.title(), str(counts.get(sev, 0))] for sev in SEVERITIES]
    story += [table(breakdown, [40 * mm, 25 * mm])]
    return story


def _finding_block(finding: Finding, s: Styles) -> list[object]:
    """One finding: severity and title, why it matters, evidence, the fix, its compliance refs."""
    block: list[object] = [
        Paragraph(
            f'<font color="{SEVERITY_COLOURS[finding.severity].hexval()}"><b>[{finding.severity.upper()}]</b></font> '
            f"<b>{escape(finding.title)}</b> <font size=7>({escape(finding.check_id)})</font>",
            s["h2"],
        ),
        para(f"Why it matters: {finding.description}", s["body"]),
    ]
    if finding.evidence:
        block += [
            para("Evidence:", s["body"]),
            Preformatted(finding.evidence[:1200], s["code"], maxLineLength=110),
        ]
    block += [
        para("How to fix it:", s["body"]),
        Preformatted(finding.recommendation, s["code"], maxLineLength=110),
    ]
    if finding.compliance_refs:
        block.append(para("Compliance: " + ", ".join(finding.compliance_refs), s["small"]))
    return block


def findings_section(*, findings: list[Finding], s: Styles) -> list[object]:
    """Every finding with how to fix it, each kept on one page where it fits."""
    story: list[object] = [para("Findings and how to fix them", s["h1"])]
    if not findings:
        story.append(para("Nothing to fix: every check passed.", s["body"]))
    for finding in findings:
        story += [KeepTogether(_finding_block(finding, s)), Spacer(1, 3 * mm)]
    story.append(PageBreak())
    return story


def compliance_section(*, findings: list[Finding], s: Styles) -> list[object]:
    """A finding-by-framework table of the controls each finding concerns."""
    story: list[object] = [
        para("Compliance mapping", s["h1"]),
        para(
            "Each finding mapped to the controls it concerns (OWASP ASVS 5.0, PCI DSS 4.0.1, NIST CSF 2.0, "
            "ISO/IEC 27001:2022 Annex A, SOC 2 Trust Services Criteria). A mapping helps an auditor find the "
            "control; it is not by itself evidence of compliance.",
            s["body"],
        ),
    ]
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
    story += [table(rows, [50 * mm, 28 * mm, 24 * mm, 24 * mm, 24 * mm, 20 * mm]), Spacer(1, 6 * mm)]
    return story


def roi_section(*, roi: RoiCalculation | None, s: Styles) -> list[object]:
    """The lead's own ROI calculation where there is one, else the industry figures."""
    story: list[object] = [para("What a breach would cost", s["h1"])]
    out = roi_report_figures(roi.outputs) if roi is not None else None
    if out is None:  # no calculation, or one stored without these figures
        story.append(
            para(
                "The average data breach cost USD 4.44 million worldwide and USD 10.22 million in the United "
                "States; organisations that used security AI and automation extensively saved USD 1.9 million "
                "per breach (IBM Cost of a Data Breach Report 2025). Try our ROI calculator for your own figures.",
                s["body"],
            )
        )
        return story
    story.append(
        table(
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
    if out["sources"]:
        story.append(para("Sources: " + "; ".join(out["sources"]), s["small"]))
    return story


def next_steps(*, s: Styles) -> list[object]:
    """What to do now, and how to reach us."""
    return [
        para("Next steps", s["h1"]),
        para(
            "1. Fix the critical and high findings above; most are one line of web-server configuration.",
            s["body"],
        ),
        para("2. Re-run this assessment to confirm the grade improves.", s["body"]),
        para(
            "3. Talk to us about continuous monitoring of all your public sites, authenticated testing and "
            "compliance evidence for your auditors.",
            s["body"],
        ),
        Spacer(1, 6 * mm),
        para(CONTACT, s["body"]),
    ]
