"""Render an assessment as a branded PDF: cover, summary, charts, findings, compliance, ROI, next steps.

Everything that came from the scanned site or the requester is escaped before it reaches
reportlab's paragraph mark-up. The look is in `layout`, the sections in `sections` (and
`tls_section`, `dns_section`, `monitoring`); this module puts them in order and builds the file.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate

from . import sections
from .dns_section import pdf_section as dns_pdf_section
from .layout import SEVERITIES, styles, table
from .monitoring import monitoring_story
from .tls_section import tls_story

if TYPE_CHECKING:
    from ..models import Finding, RoiCalculation, SecurityAssessment
    from ..monitoring.selectors import MonitoringSummary


def render_report(
    *,
    assessment: SecurityAssessment,
    findings: list[Finding],
    roi: RoiCalculation | None = None,
    monitoring: MonitoringSummary | None = None,
) -> bytes:
    """The report as PDF bytes. `findings` in any order; they are sorted by severity here. With
    `monitoring` (a watched target's scan) a page of grade history and changes follows the summary."""
    s = styles()
    lead = assessment.lead
    company = (lead.company.name if lead.company else "") or lead.company_name or assessment.target_host
    findings = sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.score_modifier, f.check_id))
    counts = Counter(f.severity for f in findings)
    generated = timezone.localtime(assessment.completed_at or timezone.now())
    results = assessment.results or {}
    story: list[object] = sections.cover(assessment=assessment, company=company, generated=generated, s=s)
    story += sections.executive_summary(assessment=assessment, findings=findings, counts=counts, s=s)
    story += tls_story(results, s)
    story.append(PageBreak())
    story += dns_pdf_section(results, findings, s, table)
    story += monitoring_story(monitoring, s)
    story += sections.findings_section(findings=findings, s=s)
    story += sections.compliance_section(findings=findings, s=s)
    story += sections.roi_section(roi=roi, s=s)
    story += sections.next_steps(s=s)
    return _build(story, target_host=assessment.target_host, grade=assessment.grade)


def _build(story: list[object], *, target_host: str, grade: str) -> bytes:
    """Lay the story out on A4 with the confidential footer and page number on every page."""
    buffer = io.BytesIO()

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 10 * mm, f"Enterprise Scanner · {target_host} · confidential")
        canvas.drawRightString(195 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"Security assessment of {target_host}",
        author="Enterprise Scanner",
        subject=f"Grade {grade}",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
