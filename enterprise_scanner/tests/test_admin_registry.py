"""Every model has a working admin page: lists, forms, read-only rules, services and permissions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.models import (
    CompanyDailyVisit,
    DailyMetric,
    ErasureRecord,
    Event,
    EventType,
    IpRange,
    PageDailyView,
    Visitor,
    Website,
)
from analytics.services import website_create
from assessments.models import Finding, MonitoredTarget, RoiCalculation, SecurityAssessment, Severity
from chat.models import (
    AgentSession,
    BusinessHours,
    CannedResponse,
    ChatDailyRollup,
    Conversation,
    Holiday,
    KnowledgeArticle,
    KnowledgeSynonym,
    Message,
    MessageSender,
    OpeningPeriod,
)
from enterprise_scanner.alert_channels.models import AlertChannel, AlertDelivery, AlertKind
from enterprise_scanner.api.models import ApiKey
from enterprise_scanner.api.services import api_key_create
from enterprise_scanner.jobs.models import SentEmail, WorkerHeartbeat
from enterprise_scanner.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from enterprise_scanner.webhooks.services import webhook_endpoint_create
from leads.models import (
    Company,
    CompanyDomain,
    IntakeIdempotencyKey,
    Lead,
    LeadEvent,
    LeadNote,
    LeadTask,
    NurtureEnrollment,
    NurtureSend,
    NurtureSequence,
    NurtureStep,
)
from leads.tests.factories import LeadEventFactory, LeadFactory, LeadNoteFactory, UserFactory
from partners.models import Commission, Partner, PartnerInvite, PartnerMember

pytestmark = pytest.mark.django_db

OUR_APPS = (
    "leads",
    "assessments",
    "chat",
    "analytics",
    "partners",
    "api",
    "jobs",
    "alert_channels",
    "webhooks",
)

# Models edited only inside another model's page (an inline of that model's admin).
INLINE_ONLY: dict[type[Model], type[Model]] = {
    OpeningPeriod: BusinessHours,
    Holiday: BusinessHours,
    PartnerMember: Partner,
    PartnerInvite: Partner,
    NurtureStep: NurtureSequence,
    WebhookAttempt: WebhookDelivery,
}

# Lists that open on the user's own rows (My tasks) are asked for everyone's here.
CHANGELIST_QUERY: dict[type[Model], str] = {LeadTask: "?scope=all"}

# Whether a superuser may add rows in the admin; the others are written by services, the tracker,
# the scanner or a management command, and only shown here.
ADDABLE: dict[type[Model], bool] = {
    Company: True,
    CompanyDomain: True,
    Lead: True,
    LeadEvent: False,
    LeadNote: True,
    LeadTask: True,
    IntakeIdempotencyKey: False,
    SecurityAssessment: True,
    Finding: False,
    MonitoredTarget: False,
    RoiCalculation: False,
    Conversation: True,
    Message: False,
    KnowledgeArticle: True,
    KnowledgeSynonym: True,
    AgentSession: False,
    CannedResponse: True,
    BusinessHours: True,
    ChatDailyRollup: False,
    Website: True,
    Visitor: False,
    Event: False,
    DailyMetric: False,
    CompanyDailyVisit: False,
    PageDailyView: False,
    IpRange: False,
    ErasureRecord: False,
    Partner: True,
    Commission: False,
    ApiKey: False,
    WorkerHeartbeat: False,
    SentEmail: False,
    AlertChannel: True,
    AlertDelivery: False,
    NurtureSequence: True,
    NurtureEnrollment: False,
    NurtureSend: False,
    WebhookEndpoint: True,
    WebhookDelivery: False,
    WebhookEvent: False,
}

# Queries for one page of the lead list, whatever the number of leads on it: session, user, the
# owner filter, count, the page itself and the date hierarchy (two); a rep's permissions add two.
LEAD_CHANGELIST_MAX_QUERIES = {"admin_client": 8, "rep_client": 10}


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows() -> dict[type[Model], Model]:
    """A few rows of every model, linked the way the application links them."""
    owner = UserFactory(username="owner")
    lead = LeadFactory(owner=owner, email="ciso@company.example")
    LeadFactory.create_batch(2, owner=owner)
    company = lead.company
    alias = CompanyDomain.objects.create(company=company, domain="alias.example")
    event = LeadEventFactory(lead=lead, actor=owner)
    note = LeadNoteFactory(lead=lead, author=owner)
    website = website_create(name="Main site", allowed_origins=["https://www.example.com"])
    idempotency_key = IntakeIdempotencyKey.objects.create(
        website=website, key="example-key", request_hash="0" * 64, lead=lead, created=True
    )
    visitor = Visitor.objects.create(website=website, anonymous_id="anon-1", lead=lead, company=company)
    page_view = Event.objects.create(
        website=website, visitor=visitor, event_type=EventType.PAGE_VIEW, url="https://www.example.com/"
    )
    metric = DailyMetric.objects.create(date=datetime.date(2026, 1, 5), website=website, visitors=10)
    company_visit = CompanyDailyVisit.objects.create(
        date=metric.date, company=company, visitors=2, page_views=3, last_visit_at=page_view.occurred_at
    )
    page_day = PageDailyView.objects.create(date=metric.date, path="/pricing", views=4)
    ip_range = IpRange.objects.create(
        network="192.0.2.0/24",
        version=4,
        start="0" * 24 + "c0000200",
        end="0" * 24 + "c00002ff",
        company=company,
    )
    erasure = ErasureRecord.objects.create(email_sha256="0" * 64, deleted={"leads": 1}, actor_label="test")
    assessment = SecurityAssessment.objects.create(lead=lead, target_url="https://www.example.com/")
    finding = Finding.objects.create(
        assessment=assessment, check_id="csp-not-implemented", title="No CSP", severity=Severity.HIGH
    )
    watched = MonitoredTarget.objects.create(
        host="www.example.com", target_url="https://www.example.com/", lead=lead
    )
    roi = RoiCalculation.objects.create(
        lead=lead, visitor=visitor, inputs={"employees": 5000}, outputs={"potential_savings": 1}
    )
    conversation = Conversation.objects.create(
        website=website, visitor=visitor, lead=lead, assigned_agent=owner, last_sequence=1
    )
    message = Message.objects.create(
        conversation=conversation, sequence=1, sender=MessageSender.VISITOR, body="Hello"
    )
    article = KnowledgeArticle.objects.create(title="Pricing", slug="pricing", answer="It depends.")
    synonym = KnowledgeSynonym.objects.create(terms="MSSP, managed security service provider")
    agent_session = AgentSession.objects.create(user=owner, channel_name="specific..inmemory!example")
    partner = Partner.objects.create(name="Acme Security", referral_code="ACME-2026")
    commission = Commission.objects.create(
        partner=partner, lead=lead, deal_value=Decimal(100000), rate=Decimal("0.1"), amount=Decimal(10000)
    )
    key, _ = api_key_create(name="CRM sync", scopes=["leads:read"], partner=partner)
    heartbeat = WorkerHeartbeat.objects.create(
        worker_id="worker-example", started_at=timezone.now(), last_seen_at=timezone.now()
    )
    task = LeadTask.objects.create(lead=lead, title="Call back", due_at=timezone.now(), owner=owner)
    canned = CannedResponse.objects.create(shortcut="pricing", title="Pricing", body="See our pricing page.")
    hours = BusinessHours.objects.create(website=website, time_zone="Europe/Berlin")
    chat_day = ChatDailyRollup.objects.create(date=metric.date, agent=owner, conversations=3)
    sent = SentEmail.objects.create(
        key="example", message_id="<x@example.com>", to="a@example.com", subject="Hi"
    )
    channel = AlertChannel.objects.create(
        name="#sales-example", webhook_url="https://hooks.slack.com/services/T0/B0/example"
    )
    delivery = AlertDelivery.objects.create(
        channel=channel,
        alert_kind=AlertKind.HOT_LEAD,
        subject_key=f"{lead.pk}:1",
        subject_label="example lead",
    )
    sequence = NurtureSequence.objects.create(name="Example sequence", trigger="form_submitted")
    step = NurtureStep.objects.create(sequence=sequence, subject="Hi", text_template="Hello {{ first_name }}")
    enrollment = NurtureEnrollment.objects.create(lead=lead, sequence=sequence, next_step=step)
    nurture_send = NurtureSend.objects.create(
        enrollment=enrollment, step=step, subject="Hi", message_id="<n@x>"
    )
    endpoint, _ = webhook_endpoint_create(
        url="https://hooks.example.com/in", events=["lead.hot"], owner=owner
    )
    webhook_event = WebhookEvent.objects.create(type="lead.hot", data={"lead": {"email": "x@example.com"}})
    webhook_delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=webhook_event, response_snippet="example"
    )
    WebhookAttempt.objects.create(delivery=webhook_delivery, number=1, response_status=500, error="HTTP 500")
    return {
        NurtureSequence: sequence,
        NurtureEnrollment: enrollment,
        NurtureSend: nurture_send,
        WebhookEndpoint: endpoint,
        WebhookDelivery: webhook_delivery,
        WebhookEvent: webhook_event,
        Company: company,
        CompanyDomain: alias,
        Lead: lead,
        LeadEvent: event,
        LeadNote: note,
        LeadTask: task,
        IntakeIdempotencyKey: idempotency_key,
        SecurityAssessment: assessment,
        Finding: finding,
        MonitoredTarget: watched,
        RoiCalculation: roi,
        Conversation: conversation,
        Message: message,
        KnowledgeArticle: article,
        KnowledgeSynonym: synonym,
        AgentSession: agent_session,
        CannedResponse: canned,
        BusinessHours: hours,
        ChatDailyRollup: chat_day,
        Website: website,
        Visitor: visitor,
        Event: page_view,
        DailyMetric: metric,
        CompanyDailyVisit: company_visit,
        PageDailyView: page_day,
        IpRange: ip_range,
        ErasureRecord: erasure,
        Partner: partner,
        Commission: commission,
        ApiKey: key,
        WorkerHeartbeat: heartbeat,
        SentEmail: sent,
        AlertChannel: channel,
        AlertDelivery: delivery,
    }


def test_every_model_of_our_apps_is_registered() -> None:
    ours = {model for label in OUR_APPS for model in apps.get_app_config(label).get_models()}
    assert ours == set(ADDABLE) | set(INLINE_ONLY)
    assert all(admin.site.is_registered(model) for model in ADDABLE)
    for model, parent in INLINE_ONLY.items():
        inlines = admin.site.get_model_admin(parent).inlines
        assert any(inline.model is model for inline in inlines), f"{model.__name__} has no page"


@pytest.mark.parametrize("model", ADDABLE, ids=lambda model: model.__name__)
def test_changelist_change_and_add_pages_work(admin_client: Client, rows, model: type[Model]) -> None:
    response = admin_client.get(admin_url(model, "changelist") + CHANGELIST_QUERY.get(model, ""))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1

    assert admin_client.get(admin_url(model, "change", rows[model].pk)).status_code == 200

    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == (200 if ADDABLE[model] else 403)


def test_changelist_search_works(admin_client: Client, rows) -> None:
    for model in ADDABLE:
        response = admin_client.get(admin_url(model, "changelist"), {"q": "example"})
        assert response.status_code == 200, model.__name__


@pytest.mark.parametrize("client_name", LEAD_CHANGELIST_MAX_QUERIES)
@pytest.mark.parametrize("count", [5, 30])
def test_lead_list_query_count_does_not_grow_with_leads(
    request: pytest.FixtureRequest, django_assert_max_num_queries, client_name: str, count: int
) -> None:
    client: Client = request.getfixturevalue(client_name)
    # Managers see every lead; a rep sees own and unassigned ones, so half are the rep's own.
    rep = request.getfixturevalue("sales_rep") if client_name == "rep_client" else None
    for i in range(count):
        LeadFactory(owner=rep if rep and i % 2 else (None if rep else UserFactory()))
    url = admin_url(Lead, "changelist")
    with django_assert_max_num_queries(LEAD_CHANGELIST_MAX_QUERIES[client_name]):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


def test_lead_change_page_adds_a_note_as_the_current_user(admin_client: Client, admin_user) -> None:
    lead = LeadFactory(email="ciso@company.example", first_name="Jordan", last_name="Lee")
    data = {
        "email": lead.email,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "job_title": lead.job_title,
        "seniority": lead.seniority,
        "company": lead.company_id,
        "status": lead.status,
        "source": lead.source,
        "notes-TOTAL_FORMS": "1",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "1000",
        "notes-0-body": "Called, left a voicemail.",
        "notes-0-lead": lead.pk,
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(admin_url(Lead, "change", lead.pk), data)
    assert response.status_code == 302, response.context["errors"]
    note = LeadNote.objects.get(lead=lead)
    assert note.body == "Called, left a voicemail."
    assert note.author == admin_user


def test_lead_computed_fields_cannot_be_changed_in_the_admin(admin_client: Client) -> None:
    lead = LeadFactory(score=40)
    response = admin_client.get(admin_url(Lead, "change", lead.pk))
    form = response.context["adminform"].form
    for name in ("score", "score_breakdown", "scored_at", "is_fortune_500", "created_at"):
        assert name not in form.fields


def test_website_add_goes_through_the_service(admin_client: Client) -> None:
    response = admin_client.post(
        admin_url(Website, "add"),
        {
            "name": " Main site ",
            "allowed_origins": "HTTPS://WWW.Example.com:443/\n\nhttp://localhost:8000\n",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    website = Website.objects.get()
    assert website.name == "Main site"
    assert website.publishable_key.startswith("pk_")
    assert website.allowed_origins == ["http://localhost:8000", "https://www.example.com"]
    assert website.is_active


@pytest.mark.parametrize("origin", ["ftp://x", "https://x.com/path", ""])
def test_website_bad_origin_is_a_form_error(admin_client: Client, origin: str) -> None:
    response = admin_client.post(
        admin_url(Website, "add"), {"name": "Main", "allowed_origins": origin, "is_active": "on"}
    )
    assert response.status_code == 200
    assert "allowed_origins" in response.context["adminform"].form.errors
    assert not Website.objects.exists()


def test_website_change_keeps_the_key_and_normalises_origins(admin_client: Client) -> None:
    website = website_create(name="Main", allowed_origins=["https://www.example.com"])
    key = website.publishable_key
    page = admin_client.get(admin_url(Website, "change", website.pk))
    assert "https://www.example.com</textarea>" in page.content.decode()

    response = admin_client.post(
        admin_url(Website, "change", website.pk),
        {"name": "Main", "allowed_origins": "https://www.example.com\nHTTPS://Shop.Example.com"},
    )
    assert response.status_code == 302
    website.refresh_from_db()
    assert website.publishable_key == key
    assert website.allowed_origins == ["https://shop.example.com", "https://www.example.com"]
    assert website.is_active is False


def test_api_key_revoke_action(admin_client: Client) -> None:
    key, _ = api_key_create(name="x", scopes=["leads:read"])
    other, _ = api_key_create(name="y", scopes=["leads:read"])
    response = admin_client.post(
        admin_url(ApiKey, "changelist"), {"action": "revoke_keys", "_selected_action": [key.pk]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    other.refresh_from_db()
    assert key.revoked_at is not None
    assert other.revoked_at is None


def test_api_key_hash_is_never_shown(admin_client: Client) -> None:
    key, raw = api_key_create(name="x", scopes=["leads:read"])
    for url in (admin_url(ApiKey, "change", key.pk), admin_url(ApiKey, "changelist")):
        html = admin_client.get(url).content.decode()
        assert key.prefix in html
        assert key.key_hash not in html
        assert raw not in html


def test_events_and_timeline_are_read_only(admin_client: Client, rows) -> None:
    for model in (Event, LeadEvent):
        response = admin_client.post(admin_url(model, "change", rows[model].pk), {})
        assert response.status_code == 403
    assert admin_client.post(admin_url(LeadEvent, "delete", rows[LeadEvent].pk)).status_code == 403


def test_sales_rep_cannot_manage_partners_or_api_keys(rep_client: Client) -> None:
    assert rep_client.get(admin_url(Partner, "add")).status_code == 403
    assert rep_client.get(admin_url(ApiKey, "changelist")).status_code == 403


def test_sales_rep_sees_the_lead_list(rep_client: Client) -> None:
    LeadFactory(email="ciso@company.example")
    response = rep_client.get(admin_url(Lead, "changelist"))
    assert response.status_code == 200
    assert "ciso@company.example" in response.content.decode()
