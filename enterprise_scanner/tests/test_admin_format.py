"""Money, rates and long text as the admin shows them (enterprise_scanner.admin_format)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from enterprise_scanner.admin_format import money, percent, truncated


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("250000.00"), "$250,000"),
        (Decimal("5000000"), "$5,000,000"),
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("0.00"), "$0"),
        (Decimal("-12.30"), "-$12.30"),
        (None, "—"),
        ("not a number", "—"),
    ],
)
def test_money(value, shown) -> None:
    assert money(value) == shown


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (Decimal("0.1500"), "15 %"),  # was "15.0000 %"
        (Decimal("0.1000"), "10 %"),  # was "0.1000"
        (Decimal("0.125"), "12.5 %"),
        (Decimal("1"), "100 %"),
        (Decimal("0"), "0 %"),
        (None, "—"),
    ],
)
def test_percent(rate, shown) -> None:
    assert percent(rate) == shown.replace(" ", "\u00a0")


def test_truncated_keeps_the_full_text_in_the_tooltip_and_escapes_it() -> None:
    html = truncated('Chief "Information" <Security> Officer', width="11rem")
    assert 'title="Chief &quot;Information&quot; &lt;Security&gt; Officer"' in html
    assert ">Chief &quot;Information&quot; &lt;Security&gt; Officer</span>" in html
    assert 'class="es-truncate"' in html and "--es-truncate:11rem" in html
    assert truncated("") == "—" and truncated(None) == "—"
