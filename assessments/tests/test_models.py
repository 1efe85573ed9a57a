"""Assessment invariants enforced by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from assessments.models import Finding, SecurityAssessment
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_risk_score_between_0_and_100() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityAssessment.objects.create(lead=LeadFactory(), target_url="https://x.example", risk_score=101)


def test_unknown_status_is_rejected() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityAssessment.objects.create(lead=LeadFactory(), target_url="https://x.example", status="paused")


def test_findings_have_valid_severity_and_one_row_per_check() -> None:
    assessment = SecurityAssessment.objects.create(lead=LeadFactory(), target_url="https://x.example")
    Finding.objects.create(
        assessment=assessment, check_id="csp-not-implemented", title="No CSP", severity="high"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(
            assessment=assessment, check_id="csp-not-implemented", title="again", severity="high"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(assessment=assessment, check_id="hsts", title="x", severity="fatal")
