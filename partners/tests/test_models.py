"""Partner and commission invariants enforced by the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.tests.factories import LeadFactory
from partners.models import Commission, Partner

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["lowercase", "AB", "HAS SPACE", "-LEADING"])
def test_referral_code_format(code: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="P", referral_code=code)


def test_referral_codes_are_unique() -> None:
    Partner.objects.create(name="A", referral_code="SECURE-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="B", referral_code="SECURE-1")


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("1.5")])
def test_commission_rate_between_0_and_1(rate: Decimal) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="P", referral_code="RATE-1", commission_rate=rate)


def make_commission(**fields) -> Commission:
    partner = Partner.objects.create(name="P", referral_code="COMM-1")
    values = {
        "partner": partner,
        "lead": LeadFactory(),
        "deal_value": 1000,
        "rate": Decimal("0.1"),
        "amount": 100,
    }
    return Commission.objects.create(**{**values, **fields})


def test_paid_commission_needs_payment_and_approval_dates() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_commission(status="paid", approved_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        make_commission(status="approved")
    make_commission(status="paid", approved_at=timezone.now(), paid_at=timezone.now())


def test_one_commission_per_lead() -> None:
    commission = make_commission()
    with pytest.raises(IntegrityError), transaction.atomic():
        Commission.objects.create(
            partner=commission.partner, lead=commission.lead, deal_value=1, rate=Decimal("0.1"), amount=0
        )
