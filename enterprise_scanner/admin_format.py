"""How the admin writes money, rates and long text in lists and read-only fields, in one place
so every list reads the same ("$12,500", "15 %", a job title cut to one line with the full text in
a tooltip) instead of the raw Decimal ("15.0000 %", "0.1000", "5000000.00").

Every function returns escaped HTML (format_html) or plain text; none trusts its input.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

EMPTY = "—"


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value: object, *, currency: str = "$") -> str:
    """US dollars with thousands separators: whole dollars without cents ("$250,000"), cents
    only when there are any ("$1,234.50"); "—" for no value."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    places = 0 if amount == amount.to_integral_value() else 2
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency}{number_format(abs(amount), decimal_pos=places, force_grouping=True)}"


def percent(rate: object) -> str:
    """A rate stored as a fraction (0.15) as a percentage without trailing zeros ("15 %",
    "12.5 %", with a no-break space so a narrow column does not wrap it); "—" for no value."""
    fraction = _decimal(rate)
    if fraction is None:
        return EMPTY
    value = (fraction * 100).normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return f"{number_format(value, force_grouping=True)}\u00a0%"


def truncated(text: object, *, width: str = "14rem") -> SafeString | str:
    """Long text on one line, cut with an ellipsis at `width` (CSS length); the full text is the
    tooltip (`title`). Lists stay narrow and rows one line high (job titles wrapped to four lines
    at 1366 px before)."""
    value = "" if text is None else str(text)
    if not value:
        return EMPTY
    return format_html(
        '<span class="es-truncate" style="--es-truncate:{}" title="{}">{}</span>', width, value, value
    )
