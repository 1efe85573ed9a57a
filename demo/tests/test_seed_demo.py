"""`manage.py seed_demo` loads a realistic demo data set once; re-runs change nothing."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import F

from analytics.models import Event, Website
from assessments.models import AssessmentStatus, SecurityAssessment
from chat.models import Conversation, ConversationStatus, Message
from demo.loaders import load_demo_data
from demo.specs.websites import DEMO_WEBSITE_NAME
from leads.models import Company, Lead, LeadStatus
from partners.models import Commission, CommissionStatus

pytestmark = pytest.mark.django_db

DEMO_APPS = ("leads", "assessments", "chat", "analytics", "partners")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for label in DEMO_APPS
        for model in apps.get_app_config(label).get_models()
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_second_run_changes_nothing_and_prints_the_key_both_times():
    first_output = seed()
    first = row_counts()
    second_output = seed()

    assert row_counts() == first
    assert first["leads.Lead"] >= 20
    assert first["analytics.Event"] >= 40
    website = Website.objects.get(name=DEMO_WEBSITE_NAME)
    assert website.publishable_key in first_output
    assert website.publishable_key in second_output
    assert "http://localhost:8000" in second_output
    assert "nothing changed" in second_output


def test_loader_reports_what_it_created():
    first = load_demo_data()
    second = load_demo_data()

    assert first.anything_new
    assert first.created["leads.Lead"] == Lead.objects.count()
    assert not second.anything_new
    assert second.total_created == 0
    assert second.website == first.website


def test_demo_website_accepts_the_local_origins():
    seed()

    website = Website.objects.get(name=DEMO_WEBSITE_NAME)
    assert set(website.allowed_origins) == {"http://localhost:8000", "http://127.0.0.1:8000"}
    assert website.publishable_key.startswith("pk_")
    assert website.is_active


def test_pipeline_has_every_status_and_fortune_500_flags_match():
    seed()

    assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
    assert Company.objects.filter(is_fortune_500=True).count() >= 3
    fortune_leads = Lead.objects.filter(company__fortune_rank__isnull=False)
    assert fortune_leads.exists()
    assert all(lead.is_fortune_500 for lead in fortune_leads)
    assert not Lead.objects.filter(is_fortune_500=True, company__fortune_rank__isnull=True).exists()
    assert not Lead.objects.filter(status=LeadStatus.CLOSED_LOST, lost_reason="").exists()
    assert not Lead.objects.filter(status=LeadStatus.CLOSED_WON, actual_deal_value__isnull=True).exists()
    for lead in Lead.objects.all():
        assert lead.score == lead.score_breakdown["total"]
        assert lead.events.exists()


def test_the_customers_story_is_there():
    seed()

    ciso = Lead.objects.get(email="dana.whitfield@microsoft.com")
    assert ciso.company.domain == "microsoft.com"
    assert ciso.company.fortune_rank == 14
    assert ciso.seniority == "c_level"
    assert ciso.score == 100
    assert ciso.estimated_deal_value == Decimal("5000000")
    assert ciso.visitor is not None
    assert ciso.visitor.lead == ciso
    assessment = SecurityAssessment.objects.get(lead=ciso)
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.target_url == "https://www.microsoft.com"
    assert assessment.findings.filter(check_id="csp-not-implemented").exists()
    assert Event.objects.filter(visitor=ciso.visitor, event_type="roi_calculation").exists()

    jpmorgan_vp = Lead.objects.get(email__iexact="Marcus.Reyes@jpmorgan.com")
    assert jpmorgan_vp.company.domain == "jpmorganchase.com"  # matched by an alias domain
    assert jpmorgan_vp.estimated_deal_value == Decimal("3200000")

    escalated = Conversation.objects.get(escalation_reason="fortune_500")
    assert escalated.fortune_500_detected and escalated.high_value_opportunity
    assert escalated.escalated_at is not None
    closed = Conversation.objects.get(status=ConversationStatus.CLOSED)
    assert closed.csat_rating is not None
    for conversation in Conversation.objects.all():
        sequences = list(conversation.messages.values_list("sequence", flat=True))
        assert sequences == list(range(1, conversation.last_sequence + 1))
    assert Message.objects.filter(sender="agent").exists()


def test_partner_commission_is_deal_value_times_rate():
    seed()

    commission = Commission.objects.select_related("lead", "partner").get()
    assert commission.partner.referral_code == "SECUREPATH"
    assert commission.lead.partner == commission.partner
    assert commission.lead.status == LeadStatus.CLOSED_WON
    assert commission.deal_value == commission.lead.actual_deal_value
    assert commission.amount == (commission.deal_value * commission.rate).quantize(Decimal("0.01"))
    assert commission.status == CommissionStatus.APPROVED
    assert commission.approved_at is not None


def test_consenting_leads_have_a_consent_time():
    seed()

    assert Lead.objects.filter(consent_marketing=True).count() >= 2
    assert not Lead.objects.filter(consent_marketing=True, consent_marketing_at__isnull=True).exists()
    assert not Lead.objects.filter(scored_at__lt=F("created_at")).exists()


def test_the_chat_report_has_the_demo_chats():
    """The managers' chat report reads daily rollups: the seed computes them for its chats, so the
    report is not empty on a fresh demo."""
    from chat.reports import chat_report

    seed()
    report = chat_report(weeks=4)
    assert report.total.counts["conversations"] > 0
