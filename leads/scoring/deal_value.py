"""Estimated deal value of a lead: what the first year's contract is likely to be worth, in dollars.

This is a forecast for ordering the pipeline, not a quote. It is deliberately simple so a sales
rep can redo it in their head:

    estimated deal value = base annual contract value (by company) × seniority factor

**Base annual contract value.** Security platforms are bought per company, and spend grows with
the size of what must be protected. Fortune 500 companies are priced by their rank tier, all
other companies by head count; a company with neither known gets a modest default.

=======================================  ==============
Company                                  Base ACV
=======================================  ==============
Fortune 500, rank 1–100                  $4,000,000
Fortune 500, rank 101–250                $3,500,000
Fortune 500, rank 251–500                $3,000,000
Enterprise, 10,000+ employees            $1,200,000
Large, 1,000–9,999 employees             $350,000
Mid-size, 200–999 employees              $120,000
Small, 1–199 employees                   $50,000
Unknown size (e.g. a Gmail address)      $50,000
=======================================  ==============

**Seniority factor.** Who asks decides what is bought: a C-level buys the whole platform across
the company, a VP the part their organisation runs, a director or manager a department or team
deployment, and an individual contributor usually starts a small evaluation.

============  ======
Seniority     Factor
============  ======
C-level       1.25
VP            0.80
Director      0.60
Manager       0.45
Individual    0.35
Unknown       0.30
============  ======

Worked examples (these calibrate the model to the sales team's own pipeline and are tested):
a CISO at a top-100 Fortune 500 company (Microsoft, 25,000 employees in the seed story) is
$4,000,000 × 1.25 = **$5,000,000**; a VP of Security at a top-100 Fortune 500 bank (JPMorgan) is
$4,000,000 × 0.80 = **$3,200,000**; an engineer at a 20-person company is $50,000 × 0.35 =
**$17,500**.

The result is rounded to whole dollars and is never negative. All numbers live in
`DealValueConfig`; `DealValueConfig.from_settings()` applies `settings.DEAL_VALUE` overrides (a
dict keyed by field name; dict fields are merged), e.g.
``DEAL_VALUE = {"size_base": {"mid": 150_000}, "seniority_factor": {"vp": "0.9"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from leads.models import Seniority

from .engine import apply_overrides, fortune_tier, setting_dict, size_band

__all__ = ["DealValueConfig", "estimate_deal_value"]


def _default(mapping: Mapping[str, Any]) -> Any:
    return field(default_factory=lambda: dict(mapping))


@dataclass(frozen=True)
class DealValueConfig:
    """All the numbers of the deal-value model (see the module docstring). Amounts in US dollars."""

    fortune_tier_max_rank: Mapping[str, int] = _default({"top_100": 100, "top_250": 250, "top_500": 500})
    fortune_base: Mapping[str, int] = _default(
        {"top_100": 4_000_000, "top_250": 3_500_000, "top_500": 3_000_000}
    )
    size_band_min_employees: Mapping[str, int] = _default(
        {"enterprise": 10_000, "large": 1_000, "mid": 200, "small": 1}
    )
    size_base: Mapping[str, int] = _default(
        {"enterprise": 1_200_000, "large": 350_000, "mid": 120_000, "small": 50_000}
    )
    unknown_base: int = 50_000
    # Strings, so the factors are exact decimals (floats would make 0.8 × 4,000,000 = 3,200,000.0000002).
    seniority_factor: Mapping[str, Decimal | str | float | int] = _default(
        {
            Seniority.C_LEVEL.value: "1.25",
            Seniority.VP.value: "0.80",
            Seniority.DIRECTOR.value: "0.60",
            Seniority.MANAGER.value: "0.45",
            Seniority.INDIVIDUAL.value: "0.35",
            Seniority.UNKNOWN.value: "0.30",
        }
    )

    def __post_init__(self) -> None:
        if set(self.fortune_tier_max_rank) != set(self.fortune_base):
            raise ImproperlyConfigured("Deal value: fortune_base needs one entry per Fortune tier.")
        if set(self.size_band_min_employees) != set(self.size_base):
            raise ImproperlyConfigured("Deal value: size_base needs one entry per size band.")

    @classmethod
    def from_settings(cls) -> DealValueConfig:
        """The defaults with `settings.DEAL_VALUE` (optional dict) applied on top."""
        return apply_overrides(cls, setting_dict("DEAL_VALUE"), "DEAL_VALUE")

    def base(self, *, fortune_rank: int | None, employee_count: int | None) -> Decimal:
        """The base annual contract value of a company: Fortune tier, else size band, else default."""
        tier = fortune_tier(fortune_rank, self.fortune_tier_max_rank)
        if tier is not None:
            return Decimal(self.fortune_base[tier[0]])
        band = size_band(employee_count, self.size_band_min_employees)
        if band is not None:
            return Decimal(self.size_base[band[0]])
        return Decimal(self.unknown_base)

    def factor(self, seniority: Seniority | str) -> Decimal:
        """The seniority factor; an unlisted seniority gets the `unknown` factor."""
        value = self.seniority_factor.get(
            str(seniority), self.seniority_factor.get(Seniority.UNKNOWN.value, 0)
        )
        return Decimal(str(value))


def estimate_deal_value(
    *,
    fortune_rank: int | None,
    employee_count: int | None,
    seniority: Seniority,
    config: DealValueConfig | None = None,
) -> Decimal:
    """Estimated first-year contract value in whole US dollars (never negative); see the docstring.

    Without a `config`, the one from settings is used (`settings.DEAL_VALUE` overrides).
    """
    config = config or DealValueConfig.from_settings()
    value = config.base(fortune_rank=fortune_rank, employee_count=employee_count) * config.factor(seniority)
    return max(Decimal(0), value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
