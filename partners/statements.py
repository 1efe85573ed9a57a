"""Monthly partner statements as CSV and PDF: what the partner earned in one month.

Partner and company names are free text typed by people: every value that reaches the PDF goes
through reportlab's `escape`, and every CSV cell through the lead exports' `spreadsheet_safe`
(a leading = + - @ tab or CR is quoted, so no cell opens as a formula)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from leads.resources import spreadsheet_safe

from .models import Commission, CommissionStatus, Partner
from .selectors import partner_statement_commissions

HEADER = ["Date", "Company", "Deal value", "Rate", "Commission", "Status", "Approved", "Paid"]


@dataclass(frozen=True)
class Statement:
    partner: Partner
    month: date
    commissions: list[Commission]

    @property
    def totals(self) -> dict[str, Decimal]:
        totals = {status.value: Decimal("0.00") for status in CommissionStatus}
        for commission in self.commissions:
            totals[commission.status] += commission.amount
        return totals

    @property
    def filename_stem(self) -> str:
        return f"statement-{self.partner.referral_code.lower()}-{self.month:%Y-%m}"

    def rows(self) -> list[list[str]]:
        return [
            [
                f"{c.created_at:%Y-%m-%d}",
                c.company_label or "—",
                f"{c.deal_value:,.2f}",
                f"{c.rate * 100:g} %",
                f"{c.amount:,.2f}",
                CommissionStatus(c.status).label,
                f"{c.approved_at:%Y-%m-%d}" if c.approved_at else "",
                f"{c.paid_at:%Y-%m-%d}" if c.paid_at else "",
            ]
            for c in self.commissions
        ]


def last_complete_month(today: date) -> date:
    """The first day of the month before `today`'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def statement_default_month(
    *, today: date, latest_commission: datetime | None, last_month_count: int
) -> date:
    """The month a partner's statement link opens: the last complete month when the partner
    earned in it; otherwise the most recent month with a commission (the current one included);
    the last complete month when there is none at all.

    Why not always "last month": a partner paid every few months got a link to an empty
    statement (the demo partner's referral closed six weeks ago: "Statement" opened nothing)."""
    last_month = last_complete_month(today)
    if last_month_count or latest_commission is None:
        return last_month
    return timezone.localdate(latest_commission).replace(day=1)


def statement_for(*, partner: Partner, month: date) -> Statement:
    return Statement(
        partner=partner,
        month=month.replace(day=1),
        commissions=list(partner_statement_commissions(partner=partner, month=month)),
    )


def statement_csv(statement: Statement) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [f"Commission statement {statement.month:%B %Y}", spreadsheet_safe(statement.partner.name)]
    )
    writer.writerow(HEADER)
    for row in statement.rows():
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    for status, total in statement.totals.items():
        writer.writerow([f"Total {status}", "", "", "", f"{total:,.2f}"])
    return out.getvalue().encode("utf-8")


def statement_pdf(statement: Statement) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Commission statement {statement.month:%B %Y}",
        author="Enterprise Scanner",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
    )
    story = [
        Paragraph(f"Commission statement — {statement.month:%B %Y}", styles["Title"]),
        Paragraph(
            f"{escape(statement.partner.name)} (referral code {escape(statement.partner.referral_code)})",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    if statement.commissions:
        table = Table([HEADER, *statement.rows()], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
                    ("ALIGN", (2, 1), (4, -1), "RIGHT"),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9ca3af")),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph("No commissions were earned this month.", styles["Normal"]))
    story.append(Spacer(1, 6 * mm))
    for status, total in statement.totals.items():
        story.append(
            Paragraph(f"Total {CommissionStatus(status).label.lower()}: {total:,.2f}", styles["Normal"])
        )
    doc.build(story)
    return buffer.getvalue()


def statement_download(statement: Statement, kind: str) -> HttpResponse:
    """The statement as a file download (`kind` "csv" or "pdf"), as the admin and the portal serve it."""
    if kind == "pdf":
        response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    else:
        response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{statement.filename_stem}.{kind}"'
    return response
