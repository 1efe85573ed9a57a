"""Demo data a new user can trust (issue 14, item 7): the finished assessment has its PDF (and a
report renders with an ROI stored in the old shape instead of KeyError 'estimated_breach_cost'),
a pair of duplicates to merge, and a re-seed mends what an older seed left behind."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from pypdf import PdfReader

from assessments.models import AssessmentStatus, RoiCalculation, SecurityAssessment
from assessments.report import render_report
from assessments.roi import roi_report_figures
from demo.specs.leads import MICROSOFT_CISO_EMAIL
from leads.duplicates import duplicate_groups
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

#: What the first demo seed stored as the CISO's ROI calculation.
LEGACY_OUTPUTS = {
    "currency": "USD",
    "average_breach_cost": 10_220_000,
    "annual_breach_likelihood": 0.28,
    "expected_annual_loss": 2_861_600,
    "risk_reduction": 0.35,
    "potential_annual_savings": 1_001_560,
}


def seed() -> None:
    call_command("seed_demo", verbosity=0)


def pdf_text(assessment: SecurityAssessment) -> str:
    with assessment.report_file.open("rb") as handle:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_the_demo_assessment_is_finished_with_its_pdf_and_the_leads_roi():
    seed()
    assessment = SecurityAssessment.objects.get(lead__email=MICROSOFT_CISO_EMAIL)
    assert assessment.status == AssessmentStatus.COMPLETED and assessment.report_file
    text = pdf_text(assessment)
    assert "Estimated cost of one breach" in text  # the CISO's own calculation, in today's shape


def test_a_report_renders_with_an_roi_stored_in_the_old_shape():
    lead = LeadFactory()
    roi = RoiCalculation.objects.create(lead=lead, inputs={"employees": 5000}, outputs=LEGACY_OUTPUTS)
    assessment = SecurityAssessment.objects.create(
        lead=lead, target_url="https://www.example.com", status=AssessmentStatus.COMPLETED, grade="B"
    )
    pdf = render_report(assessment=assessment, findings=[], roi=roi)  # before: KeyError
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "$10,220,000" in text and "$2,861,600" in text
    assert roi_report_figures({"currency": "USD"}) is None  # nothing usable: the industry figures


def test_the_migration_renames_old_roi_figures_and_leaves_new_ones():
    lead = LeadFactory()
    old = RoiCalculation.objects.create(lead=lead, inputs={}, outputs=LEGACY_OUTPUTS)
    new = RoiCalculation.objects.create(lead=lead, inputs={}, outputs={"estimated_breach_cost": 1})
    migration = importlib.import_module("assessments.migrations.0006_roi_outputs_legacy_names")
    migration.rename_legacy_outputs(apps, None)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.outputs["estimated_breach_cost"] == 10_220_000 and "average_breach_cost" not in old.outputs
    assert old.outputs["expected_annual_exposure"] == 2_861_600
    assert new.outputs == {"estimated_breach_cost": 1}


def test_the_demo_has_a_pair_of_duplicates(admin_user):
    seed()
    groups = duplicate_groups(user=admin_user)
    emails = [sorted(lead.email for lead in group.leads) for group in groups]
    assert ["tbecker@walmart.com", "tom.becker@walmart.com"] in emails


def test_a_reseed_mends_hand_written_scores_and_a_missing_pdf():
    seed()
    lead = Lead.objects.get(email="tom.becker@walmart.com")
    Lead.objects.filter(pk=lead.pk).update(score=100, score_breakdown={"fit": {"title": 40}, "total": 100})
    SecurityAssessment.objects.filter(lead__email=MICROSOFT_CISO_EMAIL).update(report_file="")

    seed()

    lead.refresh_from_db()
    assert {"fit", "engagement", "penalties", "raw"} <= lead.score_breakdown.keys()
    assert lead.score == lead.score_breakdown["total"]
    assert SecurityAssessment.objects.get(lead__email=MICROSOFT_CISO_EMAIL).report_file
