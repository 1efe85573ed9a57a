"""Partners of the demo: one active referral partner (it referred a won deal) and one pending MSSP."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from partners.models import PartnerStatus, PartnerType


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    referral_code: str
    partner_type: str
    contact_email: str
    commission_rate: Decimal
    status: str


PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec(
        "SecurePath Advisory", "SECUREPATH", PartnerType.REFERRAL, "partners@securepath.example",
        Decimal("0.1000"), PartnerStatus.ACTIVE,
    ),
    PartnerSpec(
        "Blue Harbor Cyber", "BLUEHARBOR-2026", PartnerType.MSSP, "alliances@blueharbor.example",
        Decimal("0.1500"), PartnerStatus.PENDING,
    ),
)  # fmt: skip
