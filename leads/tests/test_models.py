"""Database constraints of the leads domain hold whatever code writes the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.models import Company, CompanyDomain, Lead, LeadNote
from leads.tests.factories import CompanyFactory, LeadFactory

pytestmark = pytest.mark.django_db


def rejected(**kwargs) -> bool:
    """True when the database refuses to create a Lead with these fields."""
    try:
        with transaction.atomic():
            LeadFactory(**kwargs)
    except IntegrityError:
        return True
    return False


def test_email_is_unique_ignoring_case() -> None:
    LeadFactory(email="ciso@microsoft.com")
    assert rejected(email="CISO@Microsoft.com")
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("score", [-1, 101, 1000])
def test_score_outside_0_to_100_is_rejected(score: int) -> None:
    assert rejected(score=score)


@pytest.mark.parametrize("score", [0, 100])
def test_score_bounds_are_allowed(score: int) -> None:
    assert not rejected(score=score)


def test_unknown_status_is_rejected() -> None:
    assert rejected(status="maybe")


def test_negative_deal_values_are_rejected() -> None:
    assert rejected(estimated_deal_value=Decimal("-1"))
    assert rejected(actual_deal_value=Decimal("-0.01"))


def test_marketing_consent_needs_its_timestamp() -> None:
    assert rejected(consent_marketing=True, consent_marketing_at=None)
    assert not rejected(consent_marketing=True, consent_marketing_at=timezone.now())


def test_fortune_500_flag_follows_the_rank() -> None:
    company = CompanyFactory(domain="walmart.com", fortune_rank=1, fortune_year=2025)
    company.refresh_from_db()
    assert company.is_fortune_500 is True
    Company.objects.filter(pk=company.pk).update(fortune_rank=None, fortune_year=None)
    company.refresh_from_db()
    assert company.is_fortune_500 is False
    assert list(Company.objects.filter(is_fortune_500=True)) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"domain": "Microsoft.com"},
        {"fortune_rank": 501, "fortune_year": 2025},
        {"fortune_rank": 0, "fortune_year": 2025},
        {"fortune_rank": 10, "fortune_year": None},
    ],
)
def test_company_constraints(fields: dict) -> None:
    values = {"name": "X", "domain": "x.example", **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(**values)


def test_a_mail_domain_belongs_to_one_company_only() -> None:
    chase = CompanyFactory(domain="jpmorganchase.com")
    other = CompanyFactory(domain="other.example")
    CompanyDomain.objects.create(company=chase, domain="chase.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyDomain.objects.create(company=other, domain="chase.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyDomain.objects.create(company=other, domain="Chase.COM")


def test_empty_note_is_rejected() -> None:
    lead = LeadFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadNote.objects.create(lead=lead, body="")


def test_queue_ordering_puts_fortune_500_and_high_scores_first() -> None:
    small_high = LeadFactory(score=99, is_fortune_500=False)
    f500_low = LeadFactory(score=50, is_fortune_500=True)
    f500_high = LeadFactory(score=95, is_fortune_500=True)
    assert list(Lead.objects.all()) == [f500_high, f500_low, small_high]
