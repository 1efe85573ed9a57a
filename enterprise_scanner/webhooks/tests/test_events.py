"""Each domain service emits its event, in its transaction, with the documented payload."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.services import website_create
from assessments import services as assessment_services
from assessments.models import AssessmentStatus, SecurityAssessment
from assessments.scanner.scan import evaluate
from assessments.tests.helpers import site
from chat import services as chat_services
from chat.models import Conversation
from enterprise_scanner.webhooks.models import WebhookEvent, WebhookEventType
from enterprise_scanner.webhooks.services import event_envelope, webhook_endpoint_create
from leads.models import Lead, LeadStatus
from leads.services import LeadSubmission, lead_assign, lead_change_status, lead_rescore, lead_submit
from leads.tests.factories import LeadFactory
from partners.models import Commission, Partner
from partners.services import commission_approve

pytestmark = pytest.mark.django_db

ALL = [t for t in WebhookEventType.values if t != WebhookEventType.TEST]


@pytest.fixture(autouse=True)
def endpoint(sales_manager):
    # Unreachable on purpose: these tests look at what is recorded, and no job runs (no commit).
    return webhook_endpoint_create(url="https://hooks.example.com/in", events=ALL, owner=sales_manager)[0]


def only(event_type: str) -> dict:
    event = WebhookEvent.objects.get(type=event_type)
    envelope = event_envelope(event)
    assert envelope["version"] == 1 and envelope["sequence"] == event.sequence
    assert envelope["type"] == event_type and envelope["id"] == str(event.public_id)
    return envelope["data"]


def test_lead_created_once_for_a_new_lead_only() -> None:
    submission = LeadSubmission(email="ciso@acme-corp.com", form="contact", first_name="Dana")
    lead, created = lead_submit(submission=submission)
    lead_submit(submission=submission)  # a known lead submitting again: no second lead.created
    assert created
    data = only("lead.created")
    assert data["lead"]["id"] == str(lead.pk) and data["lead"]["email"] == "ciso@acme-corp.com"
    assert data["lead"]["first_name"] == "Dana" and data["lead"]["owner"] is None
    assert WebhookEvent.objects.get(type="lead.created").lead_id == lead.pk


def test_status_change_and_qualified(sales_manager) -> None:
    lead = LeadFactory()
    lead_change_status(lead=lead, status=LeadStatus.QUALIFIED, actor=sales_manager)
    changed = only("lead.status_changed")
    assert (
        changed["from"] == "new" and changed["to"] == "qualified" and changed["lead"]["status"] == "qualified"
    )
    assert only("lead.qualified")["from"] == "new"
    events = list(WebhookEvent.objects.order_by("sequence").values_list("type", flat=True))
    assert events == ["lead.status_changed", "lead.qualified"]


def test_assigned(sales_manager, sales_rep) -> None:
    lead = LeadFactory(owner=None)
    lead_assign(lead=lead, owner=sales_rep, actor=sales_manager)
    data = only("lead.assigned")
    assert data["previous_owner_id"] is None and data["lead"]["owner"]["username"] == sales_rep.username


def test_scoring_across_the_threshold_emits_hot_and_qualified(settings) -> None:
    lead = LeadFactory(email="ciso@jpmorganchase.com", job_title="Chief Information Security Officer")
    settings.LEAD_SCORING = {"hot_threshold": 1}
    rescored = lead_rescore(lead_id=lead.pk)
    if rescored.score < 1:
        pytest.skip("this lead scored 0 under the current rules")
    hot = only("lead.hot")
    assert hot["previous_score"] == 0 and hot["lead"]["score"] == Lead.objects.get(pk=lead.pk).score
    assert hot["threshold"] >= 1
    assert only("lead.qualified")["reason"] == "score"


def test_assessment_completed() -> None:
    lead = LeadFactory(email="ciso@acme-corp.com")
    assessment = SecurityAssessment.objects.create(
        lead=lead,
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        status=AssessmentStatus.RUNNING,
    )
    outcome = evaluate(
        site(headers={"X-Content-Type-Options": "nosniff"}, host="www.acme-corp.com"),
        None,
        now=timezone.now(),
    )
    assessment_services.assessment_complete(assessment=assessment, outcome=outcome)
    data = only("assessment.completed")
    assert data["assessment"]["id"] == str(assessment.pk) and data["assessment"]["status"] == "completed"
    assert data["assessment"]["grade"] and data["lead"]["id"] == str(lead.pk)
    assert "report" not in str(data)  # the private PDF is not linked


def test_chat_escalated_with_and_without_a_lead(sales_rep) -> None:
    website = website_create(name="Main", allowed_origins=["https://www.example.com"])
    lead = LeadFactory(owner=sales_rep)
    with_lead = Conversation.objects.create(website=website, lead=lead)
    anonymous = Conversation.objects.create(website=website)
    rep_endpoint, _ = webhook_endpoint_create(url="https://rep.example.com/in", events=ALL, owner=sales_rep)
    chat_services.conversation_escalate(conversation_id=with_lead.pk, reason="asked_for_human")
    chat_services.conversation_escalate(conversation_id=anonymous.pk, reason="asked_for_human")
    events = list(WebhookEvent.objects.filter(type="chat.escalated").order_by("sequence"))
    assert [e.data["lead"]["id"] if e.data["lead"] else None for e in events] == [str(lead.pk), None]
    assert events[0].data["conversation"]["escalation_reason"] == "asked_for_human"
    # The rep's endpoint gets the chat of the rep's lead, not the anonymous one.
    assert list(rep_endpoint.deliveries.values_list("event__type", "event__lead_id")) == [
        ("chat.escalated", lead.pk)
    ]


def test_commission_approved_goes_to_managers_only(sales_manager, sales_rep, endpoint) -> None:
    rep_endpoint, _ = webhook_endpoint_create(url="https://rep.example.com/in", events=ALL, owner=sales_rep)
    partner = Partner.objects.create(name="Northwind", referral_code="NW-1")
    lead = LeadFactory(owner=sales_rep, partner=partner)
    commission = Commission.objects.create(
        partner=partner, lead=lead, deal_value=Decimal(100000), rate=Decimal("0.1"), amount=Decimal(10000)
    )
    commission_approve(commission=commission, actor=sales_manager)
    data = only("commission.approved")["commission"]
    assert data["amount"] == "10000.00" and data["status"] == "approved"
    assert data["approved_by"] == sales_manager.username and data["partner"]["name"] == "Northwind"
    assert endpoint.deliveries.filter(event__type="commission.approved").exists()
    assert not rep_endpoint.deliveries.exists()


def test_erasing_a_person_deletes_the_webhook_events_about_them(sales_manager) -> None:
    from analytics.services import person_forget

    lead = LeadFactory(email="forget.me@acme-corp.com")
    other = LeadFactory()
    lead_change_status(lead=lead, status=LeadStatus.CONTACTED, actor=sales_manager)
    lead_change_status(lead=other, status=LeadStatus.CONTACTED, actor=sales_manager)
    record = person_forget(email="forget.me@acme-corp.com", actor_label="test")
    assert record.deleted["webhook_events"] >= 1
    assert not WebhookEvent.objects.filter(lead_id=lead.pk).exists()
    assert WebhookEvent.objects.filter(lead_id=other.pk).exists()
    assert "forget.me" not in str(list(WebhookEvent.objects.values_list("data", flat=True)))
