"""Filters of the pipeline board's templates (admin/leads/board*.html)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ..board import money_short

register = template.Library()


@register.filter
def board_money(value: Decimal | None) -> str:
    """$850, $12k, $1.3M; a dash when there is no value."""
    return money_short(value)


@register.filter
def score_band(score: int) -> str:
    """hot / warm / cold, by the lead list's score bands (leads.admin.filters.SCORE_BANDS).
    Imported here, not at the top: template libraries load while the admin is being imported."""
    from ..admin.filters import SCORE_BANDS

    for band, (low, high) in SCORE_BANDS.items():
        if (low is None or score >= low) and (high is None or score < high):
            return band
    return "cold"
