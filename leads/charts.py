"""Charts drawn on the server as inline SVG.

No chart library, CDN or JavaScript: the admin works offline and under a strict CSP, the chart
prints, and screen readers get a title, a description and the numbers as text. Every value
that reaches the markup goes through `format_html`, so labels are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    #: Longer text for the bar's tooltip and screen readers, e.g. "Week of 5 May 2025: 12 leads".
    description: str = ""


def bar_chart_svg(
    *,
    bars: Sequence[Bar],
    title: str,
    chart_id: str,
    description: str = "",
    width: int = 640,
    height: int = 200,
) -> SafeString:
    """A vertical bar chart, value above each bar, label below. Scales to its container's width
    (viewBox) and takes its colours from the admin's CSS variables, so dark mode works."""
    top, bottom, side = 18, 22, 4
    plot_height = height - top - bottom
    slot = (width - 2 * side) / max(len(bars), 1)
    bar_width = slot * 0.7
    peak = max((bar.value for bar in bars), default=0) or 1
    elements = []
    for index, bar in enumerate(bars):
        bar_height = round(plot_height * bar.value / peak, 1)
        x = round(side + index * slot + (slot - bar_width) / 2, 1)
        centre = round(side + index * slot + slot / 2, 1)
        y = round(top + plot_height - bar_height, 1)
        elements.append(
            (
                x,
                y,
                round(bar_width, 1),
                bar_height,
                bar.description or f"{bar.label}: {bar.value}",
                centre,
                round(y - 4, 1),
                bar.value,
                centre,
                height - 6,
                bar.label,
            )
        )
    body = format_html_join(
        "\n",
        '<g><rect x="{}" y="{}" width="{}" height="{}" rx="2" class="bar"><title>{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" class="value">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="label">{}</text></g>',
        elements,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" aria-label="{}" preserveAspectRatio="xMidYMid meet">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line x1="0" y1="{}" x2="{}" y2="{}" class="axis"/>\n{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        title,
        chart_id,
        title,
        chart_id,
        description or "; ".join(bar.description or f"{bar.label}: {bar.value}" for bar in bars),
        top + plot_height,
        width,
        top + plot_height,
        body,
    )
