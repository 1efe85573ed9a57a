"""The ROI calculator's figures and arithmetic, with every number's source in one table.

Sources:
- IBM Security / Ponemon Institute, *Cost of a Data Breach Report 2025*: global average cost of a
  breach USD 4.44M; United States USD 10.22M; organisations using security AI and automation
  extensively saved USD 1.9M per breach on average.
- IBM Security / Ponemon Institute, *Cost of a Data Breach Report 2024*: average cost by industry
  (healthcare 9.77M, financial 6.08M, industrial 5.56M, technology 5.45M, energy 5.29M, retail
  3.48M, public sector 2.55M; all-industry average 4.88M), Middle East 8.75M.
- Verizon, *2025 Data Breach Investigations Report*: ransomware present in 44% of breaches, a third
  party involved in 30%, exploitation of vulnerabilities the initial access vector in 20%.

Industry costs are used as ratios to the 2024 all-industry average and applied to the 2025
regional figure, so the two editions are never mixed as absolute numbers. The annual likelihood
of a material breach by company size is **our model assumption**, not a published figure, and
the report and API say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GLOBAL_AVERAGE_2025 = Decimal("4440000")
AI_AUTOMATION_SAVINGS_2025 = Decimal("1900000")
INDUSTRY_AVERAGE_2024 = Decimal("4880000")

#: region → (average breach cost in USD, source)
REGIONS: dict[str, tuple[Decimal, str]] = {
    "us": (Decimal("10220000"), "IBM Cost of a Data Breach 2025, United States"),
    "middle_east": (Decimal("8750000"), "IBM Cost of a Data Breach 2024, Middle East"),
    "canada": (
        GLOBAL_AVERAGE_2025,
        "IBM Cost of a Data Breach 2025, global average (no regional figure used)",
    ),
    "europe": (
        GLOBAL_AVERAGE_2025,
        "IBM Cost of a Data Breach 2025, global average (no regional figure used)",
    ),
    "asia_pacific": (
        GLOBAL_AVERAGE_2025,
        "IBM Cost of a Data Breach 2025, global average (no regional figure used)",
    ),
    "latin_america": (
        GLOBAL_AVERAGE_2025,
        "IBM Cost of a Data Breach 2025, global average (no regional figure used)",
    ),
    "other": (GLOBAL_AVERAGE_2025, "IBM Cost of a Data Breach 2025, global average"),
}

#: industry → (average breach cost in USD, 2024 report)
INDUSTRIES: dict[str, Decimal] = {
    "healthcare": Decimal("9770000"),
    "financial": Decimal("6080000"),
    "industrial": Decimal("5560000"),
    "technology": Decimal("5450000"),
    "energy": Decimal("5290000"),
    "retail": Decimal("3480000"),
    "public_sector": Decimal("2550000"),
    "other": INDUSTRY_AVERAGE_2024,
}

#: Verizon DBIR 2025 shares of breaches (they overlap: one breach can be all three).
DBIR_2025_SHARES = {
    "ransomware": Decimal("0.44"),
    "third_party": Decimal("0.30"),
    "vulnerability_exploitation": Decimal("0.20"),
}

#: (smallest employee count, annual likelihood of a material breach) — model assumption.
LIKELIHOOD_BANDS: tuple[tuple[int, Decimal], ...] = (
    (10_000, Decimal("0.25")),
    (1_000, Decimal("0.20")),
    (1, Decimal("0.15")),
)

SOURCES = [
    "IBM Security & Ponemon Institute, Cost of a Data Breach Report 2025",
    "IBM Security & Ponemon Institute, Cost of a Data Breach Report 2024 (industry averages)",
    "Verizon, 2025 Data Breach Investigations Report",
    "Annual breach likelihood by company size: Enterprise Scanner model assumption",
]

MAX_EMPLOYEES = 5_000_000
#: A security budget above this per employee is not a real budget (input error).
MAX_BUDGET_PER_EMPLOYEE = Decimal("1000000")


@dataclass(frozen=True)
class RoiInputs:
    employees: int
    annual_security_budget: Decimal
    industry: str
    region: str

    def to_json(self) -> dict[str, object]:
        return {
            "employees": self.employees,
            "annual_security_budget": str(self.annual_security_budget),
            "industry": self.industry,
            "region": self.region,
        }


def _usd(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def validate(inputs: RoiInputs) -> dict[str, str]:
    """Per-field problems with the inputs; empty when they make sense."""
    errors: dict[str, str] = {}
    if not 1 <= inputs.employees <= MAX_EMPLOYEES:
        errors["employees"] = f"Enter a number of employees between 1 and {MAX_EMPLOYEES:,}."
    if inputs.annual_security_budget < 0:
        errors["annual_security_budget"] = "A budget cannot be negative."
    elif inputs.employees >= 1 and inputs.annual_security_budget > MAX_BUDGET_PER_EMPLOYEE * inputs.employees:
        errors["annual_security_budget"] = "That is over $1,000,000 per employee; check the number."
    if inputs.industry not in INDUSTRIES:
        errors["industry"] = f"Choose one of: {', '.join(INDUSTRIES)}."
    if inputs.region not in REGIONS:
        errors["region"] = f"Choose one of: {', '.join(REGIONS)}."
    return errors


def calculate(inputs: RoiInputs) -> dict[str, object]:
    """Expected annual breach exposure and what stronger security could save (USD, whole dollars)."""
    region_cost, region_source = REGIONS[inputs.region]
    industry_factor = INDUSTRIES[inputs.industry] / INDUSTRY_AVERAGE_2024
    breach_cost = region_cost * industry_factor
    likelihood = next(p for smallest, p in LIKELIHOOD_BANDS if inputs.employees >= smallest)
    exposure = breach_cost * likelihood
    savings_per_breach = AI_AUTOMATION_SAVINGS_2025 * (breach_cost / GLOBAL_AVERAGE_2025)
    savings_per_breach = min(savings_per_breach, breach_cost)
    annual_savings = savings_per_breach * likelihood
    budget = inputs.annual_security_budget
    return {
        "currency": "USD",
        "estimated_breach_cost": _usd(breach_cost),
        "annual_breach_likelihood": float(likelihood),
        "expected_annual_exposure": _usd(exposure),
        "potential_savings_per_breach": _usd(savings_per_breach),
        "potential_annual_savings": _usd(annual_savings),
        "exposure_involving": {name: _usd(exposure * share) for name, share in DBIR_2025_SHARES.items()},
        "security_budget_per_employee": _usd(budget / inputs.employees),
        "budget_to_exposure_ratio": float((budget / exposure).quantize(Decimal("0.01")))
        if exposure
        else None,
        "region_source": region_source,
        "sources": SOURCES,
    }


#: Output names of the first ROI calculator (still in some databases: the old demo seed wrote
#: them), mapped to today's names for the same figure.
LEGACY_OUTPUT_NAMES = {
    "average_breach_cost": "estimated_breach_cost",
    "expected_annual_loss": "expected_annual_exposure",
}
#: The figures the PDF report shows, in its order.
REPORT_FIGURES = (
    "estimated_breach_cost",
    "annual_breach_likelihood",
    "expected_annual_exposure",
    "potential_annual_savings",
)


def roi_outputs_upgrade(outputs: object) -> dict[str, object]:
    """`outputs` with legacy figure names renamed to today's (values unchanged); a copy.

    Why: a report rendered for a lead whose stored calculation used the old names crashed with
    KeyError 'estimated_breach_cost'. Used by the data migration that fixes stored rows and by
    the report, so an unmigrated row (restored from a backup) still renders."""
    upgraded = dict(outputs) if isinstance(outputs, dict) else {}
    for old, new in LEGACY_OUTPUT_NAMES.items():
        if old in upgraded and new not in upgraded:
            upgraded[new] = upgraded.pop(old)
    return upgraded


def roi_report_figures(outputs: object) -> dict[str, object] | None:
    """The figures the report shows, or None when the stored calculation lacks any of them
    (the report then shows the industry figures instead of a crash or a made-up number)."""
    upgraded = roi_outputs_upgrade(outputs)
    figures = {name: upgraded.get(name) for name in REPORT_FIGURES}
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in figures.values()):
        return None
    sources = upgraded.get("sources")
    figures["sources"] = [str(source) for source in sources] if isinstance(sources, list) else []
    return figures
