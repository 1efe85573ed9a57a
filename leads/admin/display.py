"""The lead queue's computed columns and read-only fields (score badge, name, company,
follow-up due, score breakdown), as a mixin so `list_display` keeps naming them as strings."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

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
            return format_html('{}<br><span class="quiet">{}</span>', obj.full_name, obj.email)
        return obj.email

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj: Lead) -> str:
        return obj.full_name

    @admin.display(description="Company", ordering="company__name")
    def company_display(self, obj: Lead) -> str:
        company = obj.company
        if company is None:
            return obj.company_name or "–"
        if company.fortune_rank:
            return format_html(
                '{} <span class="crm-f500" style="font-size:.85em;background:#1d4ed8;color:#fff;'
                'border-radius:4px;padding:0 4px">F500 #{}</span>',
                company.name,
                company.fortune_rank,
            )
        return company.name

    @admin.display(description="Next follow-up", ordering="next_follow_up_at")
    def follow_up_display(self, obj: Lead) -> str:
        at = obj.next_follow_up_at
        if at is None:
            return "–"
        local = timezone.localtime(at)
        text = local.strftime("%Y-%m-%d %H:%M")
        start_today, start_tomorrow = local_day_bounds(timezone.localdate())
        if at < start_today:
            return format_html(
                '<strong class="crm-overdue" style="color:#b91c1c">{} (overdue)</strong>', text
            )
        if at < start_tomorrow:
            return format_html(
                '<strong class="crm-due-today" style="color:#d97706">{} (today)</strong>', text
            )
        return text

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
