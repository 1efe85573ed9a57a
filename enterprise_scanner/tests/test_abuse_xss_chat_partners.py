"""Hostile text in every chat and partner field is shown as text wherever staff, visitors and
partners read it: admin pages, the agent console, e-mails, statements (CSV, PDF) and the
partner API. The lead fields have their own test (test_abuse_xss.py); this one follows its style.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from analytics.services import website_create
from chat import services as chat_services
from chat.models import Conversation, EscalationReason, Message
from enterprise_scanner.api.models import ApiScope
from enterprise_scanner.api.services import api_key_create
from leads.models import Lead, LeadStatus
from leads.resources import FORMULA_PREFIXES
from leads.tests.factories import Fortune500CompanyFactory, SalesRepFactory
from partners.models import Commission, Partner, PartnerStatus
from partners.services import commission_compute

from .test_abuse_xss import ORIGIN, PAYLOADS, assert_inert

VISITOR_MESSAGE = '<script>alert("visitor")</script><img src=x onerror=alert(7)>'
AGENT_MESSAGE = '<a href="javascript:alert(8)">our pricing</a>"><svg onload=alert(9)>'
AGENT_FIRST_NAME = "<script>alert('agent')</script>"
PARTNER_NAME = '=HYPERLINK("https://evil.example","<script>alert(10)</script>")'
PARTNER_CONTACT = '"><img src=x onerror=alert(11)>@evil.example'
REFERRED_COMPANY = "\t=cmd|' /C calc'!A0 <svg onload=alert(12)>"
FORMULA_CELLS = [PARTNER_NAME, REFERRED_COMPANY, "+SUM(1;2)", "-2+3", "@SUM(A1)", "\r=1+1"]


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(
        name=PARTNER_NAME, contact_email=PARTNER_CONTACT, referral_code="EVIL-1", status=PartnerStatus.ACTIVE
    )


@pytest.fixture
def referred_lead(db, partner, django_capture_on_commit_callbacks) -> Lead:
    """A lead sent by the partner through the public form, every field hostile, then won."""
    Fortune500CompanyFactory(name="Microsoft", domain="microsoft.com")
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/leads/",
            {"email": "ciso@microsoft.com", "form": "demo_request", "referral_code": "evil-1", **PAYLOADS},
            content_type="application/json",
        )
    assert response.status_code == 201
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert lead.partner == partner
    Lead.objects.filter(pk=lead.pk).update(
        company=None,
        company_name=REFERRED_COMPANY,
        status=LeadStatus.CLOSED_WON,
        actual_deal_value=Decimal("250000.00"),
    )
    assert commission_compute(lead=lead) is not None
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def hostile_chat(db, referred_lead, django_capture_on_commit_callbacks) -> Conversation:
    """A chat in which the visitor (the hostile lead), the agent and their messages are hostile;
    escalated (alert e-mail) and with a transcript e-mailed (transcript e-mail)."""
    website = website_create(name="Chat site", allowed_origins=[ORIGIN])
    agent = SalesRepFactory(username="agent", first_name=AGENT_FIRST_NAME)
    with django_capture_on_commit_callbacks(execute=True):
        conversation, _ = chat_services.conversation_start(website=website)
        chat_services.visitor_message_post(
            conversation_id=conversation.pk, body=VISITOR_MESSAGE, client_message_id="v1"
        )
        chat_services.conversation_identify(conversation=conversation, email="ciso@microsoft.com")
        chat_services.conversation_escalate(
            conversation_id=conversation.pk, reason=EscalationReason.ASKED_FOR_HUMAN
        )
        chat_services.conversation_claim(conversation_id=conversation.pk, agent=agent)
        chat_services.agent_reply(
            conversation_id=conversation.pk, agent=agent, body=AGENT_MESSAGE, client_message_id="a1"
        )
        chat_services.transcript_send(conversation_id=conversation.pk)
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.lead_id == referred_lead.pk
    return conversation


def test_chat_admin_pages_and_the_console_show_every_chat_field_as_text(hostile_chat, manager_client) -> None:
    message = Message.objects.filter(conversation=hostile_chat, client_message_id="a1").get()
    pages = [
        "/admin/chat/conversation/",
        "/admin/chat/conversation/?q=microsoft",
        f"/admin/chat/conversation/{hostile_chat.pk}/change/",
        "/admin/chat/message/",
        "/admin/chat/message/?q=script",
        f"/admin/chat/message/{message.pk}/change/",
        "/admin/chat/conversation/console/",
        f"/admin/leads/lead/{hostile_chat.lead_id}/change/",  # the chat on the lead's timeline
    ]
    for url in pages:
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())
    page = manager_client.get(f"/admin/chat/conversation/{hostile_chat.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(&quot;visitor&quot;)&lt;/script&gt;" in page  # shown, as text
    assert "&lt;a href=&quot;javascript:alert(8)&quot;&gt;" in page


def test_the_console_and_widget_scripts_never_insert_received_text_as_html() -> None:
    """Everything the sockets deliver (bodies, names, the lead card) is shown by the console
    and the widget; they build the DOM with textContent only."""
    static = Path(settings.BASE_DIR) / "chat" / "static" / "chat"
    for script in ("console.js", "widget.js"):
        source = (static / script).read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (script, sink)


def test_chat_e_mails_escape_every_field_in_their_html_part(hostile_chat) -> None:
    alerts = [m for m in mail.outbox if "ciso@microsoft.com" not in m.to and m.alternatives]
    transcripts = [m for m in mail.outbox if m.to == ["ciso@microsoft.com"]]
    assert alerts and len(transcripts) == 1
    for email in [*alerts, *transcripts]:
        assert_inert(email.alternatives[0][0])
        assert "\n" not in email.subject and "\r" not in email.subject
    html = transcripts[0].alternatives[0][0]
    assert "&lt;script&gt;alert(&#x27;agent&#x27;)&lt;/script&gt;" in html  # the agent's name, as text
    assert "&lt;img src=x onerror=alert(7)&gt;" in html


def test_partner_and_commission_admin_pages_show_every_partner_field_as_text(
    referred_lead, partner, manager_client
) -> None:
    commission = Commission.objects.get(lead=referred_lead)
    pages = [
        "/admin/partners/partner/",
        "/admin/partners/partner/?q=HYPERLINK",
        f"/admin/partners/partner/{partner.pk}/change/",
        "/admin/partners/commission/",
        f"/admin/partners/commission/{commission.pk}/change/",
        f"/admin/leads/lead/{referred_lead.pk}/change/",  # "referred by" on the timeline
    ]
    for url in pages:
        response = manager_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_inert(html)
        assert "<img src=x onerror=alert(11)>" not in html
        assert "<svg onload=alert(12)>" not in html
    page = manager_client.get(f"/admin/partners/partner/{partner.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(10)&lt;/script&gt;" in page  # shown, as text
    page = manager_client.get(f"/admin/partners/commission/{commission.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(10)&lt;/script&gt;" in page


def test_statement_csv_quotes_formulas_and_the_pdf_shows_names_as_text(
    referred_lead, partner, manager_client
) -> None:
    month = timezone.localdate().strftime("%Y-%m")
    url = f"/admin/partners/partner/{partner.pk}/statement/?month={month}"
    rows = list(csv.reader(io.StringIO(manager_client.get(url + "&format=csv").content.decode())))
    cells = [cell for row in rows for cell in row]
    assert "'" + PARTNER_NAME in cells and "'" + REFERRED_COMPANY in cells  # shown, as text
    for cell in cells:
        assert not cell.startswith(FORMULA_PREFIXES), cell

    pdf = manager_client.get(url + "&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "<script>alert(10)</script>" in text  # the name printed as it was typed, not read as markup
    assert all("/Annots" not in page for page in reader.pages), "no links made from partner text"


def test_statement_csv_quotes_every_formula_prefix(partner, referred_lead, manager_client) -> None:
    """Tab and carriage return start formulas too (OWASP), not only = + - @."""
    month = timezone.localdate().strftime("%Y-%m")
    url = f"/admin/partners/partner/{partner.pk}/statement/?month={month}&format=csv"
    for name in FORMULA_CELLS:
        Lead.objects.filter(pk=referred_lead.pk).update(company_name=name)
        rows = list(csv.reader(io.StringIO(manager_client.get(url).content.decode())))
        company_cells = [row[1] for row in rows[2:] if len(row) > 1 and row[1] not in ("", "—")]
        assert company_cells == ["'" + name], (name, company_cells)


def test_the_partner_api_returns_hostile_text_as_json_data_only(referred_lead, partner) -> None:
    _, raw = api_key_create(name="Partner", scopes=[ApiScope.PARTNER], partner=partner)
    client = Client(headers={"Authorization": f"Api-Key {raw}"})
    for url in ("/api/v1/partner/referrals/", "/api/v1/partner/commissions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
        body = json.loads(response.content)
        assert body["results"][0]["company"] == REFERRED_COMPANY  # data, unchanged, as JSON
