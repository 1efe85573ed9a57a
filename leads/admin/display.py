"""The lead queue's computed columns and read-only fields (score badge, name, company,
follow-up due, score breakdown), as a mixin so `list_display` keeps naming them as strings."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from enterprise_scanner.admin_format import truncated

from ..models import Lead
from .dates import local_day_bounds

SCORE_COLOURS = {"hot": ("#b91c1c", "#fff"), "warm": ("#d97706", "#fff"), "cold": ("#e5e7eb", "#374151")}


class LeadDisplayMixin:
    """Columns of the lead changelist and the "Why this score" field of the change page."""

    @admin.display(description="Score", ordering="score")
    def score_badge(self, obj: Lead) -> str:
        band = "hot" if obj.score >= 80 else "warm" if obj.score >= 50 else "cold"
        background, colour = SCORE_COLOURS[band]
        return format_html(
            '<span class="crm-score crm-score-{}" title="{}" style="display:inline-block;min-width:2.2em;'
            'text-align:center;border-radius:9px;padding:1px 6px;font-weight:bold;background:{};color:{}">'
            "{}</span>",
            band,
            band.capitalize(),
            background,
            colour,
            obj.score,
        )

    @admin.display(description="Name", ordering="last_name")
    def lead_name(self, obj: Lead) -> str:
        if obj.full_name:
            return format_html(
                '<span class="es-truncate" style="--es-truncate:10rem" title="{}">{}</span><br>'
                '<span class="quiet es-quiet es-truncate" style="--es-truncate:10rem" title="{}">{}</span>',
                obj.full_name,
                obj.full_name,
                obj.email,
                obj.email,
            )
        return truncated(obj.email, width="10rem")

    @admin.display(description="Job title", ordering="job_title")
    def job_title_display(self, obj: Lead) -> str:
        """One line, cut with the full title in a tooltip (titles wrapped to four lines)."""
        return truncated(obj.job_title, width="8.5rem")

    @admin.display(description="Created", ordering="created_at")
    def created_display(self, obj: Lead) -> str:
        local = timezone.localtime(obj.created_at)
        return format_html(
            '<span class="es-num" title="{}">{}</span>', f"{local:%Y-%m-%d %H:%M}", f"{local:%-d %b}"
        )

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj: Lead) -> str:
        return obj.full_name

    @admin.display(description="Company", ordering="company__name")
    def company_display(self, obj: Lead) -> str:
        company = obj.company
        if company is None:
            return truncated(obj.company_name, width="9rem") if obj.company_name else "–"
        if company.fortune_rank:
            return format_html(
                '<span class="es-truncate" style="--es-truncate:7.5rem" title="{}">{}</span> '
                '<span class="crm-f500" style="font-size:.75em;background:#1d4ed8;color:#fff;white-space:nowrap;'
                'border-radius:4px;padding:0 4px">F500 #{}</span>',
                company.name,
                company.name,
                company.fortune_rank,
            )
        return truncated(company.name, width="9rem")

    @admin.display(description="Next follow-up", ordering="next_follow_up_at")
    def follow_up_display(self, obj: Lead) -> str:
        at = obj.next_follow_up_at
        if at is None:
            return "–"
        local = timezone.localtime(at)
        # Short: the year only when it is not this one ("5 Dec 17:00"); the full date on hover.
        text = f"{local:%-d %b %H:%M}" if local.year == timezone.localdate().year else f"{local:%-d %b %Y}"
        full = f"{local:%Y-%m-%d %H:%M}"
        start_today, start_tomorrow = local_day_bounds(timezone.localdate())
        if at < start_today:
            return format_html(
                '<strong class="crm-overdue" style="color:#dc2626;white-space:nowrap" title="{}">{}<br>(overdue)</strong>',
                full,
                text,
            )
        if at < start_tomorrow:
            return format_html(
                '<strong class="crm-due-today" style="color:#d97706;white-space:nowrap" title="{}">{}<br>(today)</strong>',
                full,
                text,
            )
        return format_html('<span style="white-space:nowrap" title="{}">{}</span>', full, text)

    @admin.display(description="Why this score")
    def why_this_score(self, obj: Lead) -> str:
        """The stored breakdown as a sales rep reads it: each factor with its points (the same
        reading as the record page's score card, `change_page.score_explanation`)."""
        from .change_page import score_explanation  # change_page imports the other apps' models

        explained = score_explanation(obj)
        if explained["state"] == "unexplained":
            return f"Score {obj.score}: no breakdown stored (imported or scored before breakdowns were kept)."
        if explained["state"] == "unscored":
            return "Not scored yet."
        rows = [
            (section["title"], part["signed"], part["label"])
            for section in explained["sections"]
            for part in section["parts"]
        ]
        items = format_html_join("", "<li><strong>{}</strong> {} — {}</li>", rows)
        flags = ", ".join(explained["flags"]) or "none"
        return format_html("<ul style='margin:0;padding-left:1.2em'>{}</ul><p>Flags: {}</p>", items, flags)
