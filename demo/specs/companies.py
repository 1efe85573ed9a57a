"""Companies of the demo: 2025 Fortune 500 facts (rank, industry, employees, revenue, headquarters)
and fictional mid-size and small firms on `.example` domains."""

from __future__ import annotations

from dataclasses import dataclass

FORTUNE_YEAR = 2025


@dataclass(frozen=True)
class CompanySpec:
    name: str
    domain: str
    industry: str
    employee_count: int
    annual_revenue: int | None
    hq_city: str
    hq_state: str
    fortune_rank: int | None = None
    aliases: tuple[str, ...] = ()
    hq_country: str = "US"


# 2025 Fortune 500 (fiscal 2024 revenue in US dollars), plus fictional mid-size and small firms.
COMPANIES: tuple[CompanySpec, ...] = (
    CompanySpec(
        "Walmart", "walmart.com", "General Merchandisers", 2_100_000, 680_985_000_000,
        "Bentonville", "Arkansas", fortune_rank=1,
    ),
    CompanySpec(
        "UnitedHealth Group", "unitedhealthgroup.com", "Health Care: Insurance and Managed Care",
        400_000, 400_278_000_000, "Eden Prairie", "Minnesota", fortune_rank=3,
        aliases=("optum.com", "uhc.com"),
    ),
    CompanySpec(
        "Apple", "apple.com", "Computers, Office Equipment", 164_000, 391_035_000_000,
        "Cupertino", "California", fortune_rank=4,
    ),
    CompanySpec(
        "Alphabet", "google.com", "Internet Services and Retailing", 183_323, 350_018_000_000,
        "Mountain View", "California", fortune_rank=7, aliases=("abc.xyz",),
    ),
    CompanySpec(
        "JPMorgan Chase", "jpmorganchase.com", "Commercial Banks", 317_233, 278_906_000_000,
        "New York", "New York", fortune_rank=11, aliases=("jpmorgan.com", "chase.com"),
    ),
    CompanySpec(
        "Microsoft", "microsoft.com", "Computer Software", 228_000, 245_122_000_000,
        "Redmond", "Washington", fortune_rank=14,
    ),
    CompanySpec(
        "Bank of America", "bofa.com", "Commercial Banks", 213_193, 192_434_000_000,
        "Charlotte", "North Carolina", fortune_rank=17, aliases=("bankofamerica.com",),
    ),
    CompanySpec(
        "Citigroup", "citi.com", "Commercial Banks", 227_855, 170_757_000_000,
        "New York", "New York", fortune_rank=21, aliases=("citigroup.com",),
    ),
    CompanySpec(
        "Lockheed Martin", "lmco.com", "Aerospace & Defense", 121_000, 71_043_000_000,
        "Bethesda", "Maryland", fortune_rank=59, aliases=("lockheedmartin.com",),
    ),
    CompanySpec(
        "Northwind Health Systems", "northwindhealth.example", "Health Care: Medical Facilities",
        4_200, 910_000_000, "Columbus", "Ohio",
    ),
    CompanySpec(
        "Contoso Logistics", "contoso-logistics.example", "Transportation and Logistics",
        1_800, 420_000_000, "Memphis", "Tennessee",
    ),
    CompanySpec(
        "Fabrikam Fintech", "fabrikam.example", "Financial Technology", 85, 14_000_000,
        "Austin", "Texas",
    ),
    CompanySpec(
        "Tailspin Outdoor Retail", "tailspin-outdoor.example", "Specialty Retailers", 240,
        38_000_000, "Boise", "Idaho",
    ),
)  # fmt: skip
