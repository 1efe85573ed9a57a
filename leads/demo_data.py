"""A realistic demo data set for a fresh development machine (`manage.py seed_demo`).

The story follows the customer's brief: a Microsoft CISO finds the site, runs the ROI calculator,
asks the chat about Azure Sentinel, gets escalated as a Fortune 500 visitor and requests a
security assessment; a JPMorgan Chase VP books a demo; the pipeline holds a lead in every status.

Fortune 500 facts (rank, industry, employees, revenue, headquarters) are those of the 2025 list.
People, phone numbers, notes and the non-Fortune-500 companies (`.example` domains) are fictional.

`load_demo_data` is idempotent: rows with a natural key (company domain, alias domain, lead
e-mail, partner referral code, website name, visitor id, article slug) are looked up first, and
rows without one (timeline entries, notes, events, conversations, the assessment) are created
only together with the parent that was created in the same run. A second run changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import models, transaction
from django.utils import timezone

from analytics.models import Event, EventType, Visitor, Website
from analytics.services import website_create
from assessments.models import (
    AssessmentStatus,
    AssessmentType,
    Finding,
    Grade,
    RoiCalculation,
    SecurityAssessment,
    Severity,
)
from chat.models import (
    Conversation,
    ConversationStatus,
    EscalationReason,
    KnowledgeArticle,
    Message,
    MessageSender,
)
from partners.models import Commission, CommissionStatus, Partner, PartnerStatus, PartnerType

from .models import (
    Company,
    CompanyDomain,
    Lead,
    LeadEvent,
    LeadEventKind,
    LeadNote,
    LeadSource,
    LeadStatus,
    Seniority,
)

DEMO_WEBSITE_NAME = "Demo website"
DEMO_WEBSITE_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")
SITE = "http://localhost:8000"  # where the demo pages "are"; matches the demo website's origins
FORTUNE_YEAR = 2025

# Stable visitor ids (the tracker's cookie value) derived from a name, so re-runs find them.
_VISITOR_NAMESPACE = uuid.UUID("7d1c2b9e-5f0a-4a51-9a43-2f6a8d0e9c11")


# --- Companies ----------------------------------------------------------------------------------


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

_COMPANY_BY_DOMAIN: dict[str, CompanySpec] = {spec.domain: spec for spec in COMPANIES}


# --- Partners -----------------------------------------------------------------------------------


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


# --- Leads --------------------------------------------------------------------------------------

# Follow-up moments, relative to today in the current time zone: (days from today, hour).
TODAY = (0, 17)
TOMORROW = (1, 10)
IN_3_DAYS = (3, 14)
NEXT_WEEK = (7, 10)
OVERDUE_2_DAYS = (-2, 9)
OVERDUE_5_DAYS = (-5, 11)

SENIORITY_POINTS: dict[str, int] = {
    Seniority.C_LEVEL: 30,
    Seniority.VP: 25,
    Seniority.DIRECTOR: 20,
    Seniority.MANAGER: 12,
    Seniority.INDIVIDUAL: 6,
    Seniority.UNKNOWN: 0,
}
REGULATED_INDUSTRY_WORDS = ("Bank", "Health", "Aerospace", "Financial")

#: The usual order of the pipeline; a lead's timeline walks it up to its status.
PIPELINE: tuple[str, ...] = (
    LeadStatus.QUALIFIED,
    LeadStatus.CONTACTED,
    LeadStatus.DEMO_SCHEDULED,
    LeadStatus.PROPOSAL,
    LeadStatus.CLOSED_WON,
)


@dataclass(frozen=True)
class LeadSpec:
    email: str
    first_name: str
    last_name: str
    job_title: str
    seniority: str
    company_domain: str | None  # the company's main domain (the e-mail may use an alias)
    source: str
    status: str
    hours_ago: float  # when the lead came in
    engagement: Mapping[str, int]  # score points for what the person did
    estimated_deal_value: int | None = None
    actual_deal_value: int | None = None
    lost_reason: str = ""
    lost_after: str = LeadStatus.CONTACTED  # the last pipeline step before a loss
    follow_up: tuple[int, int] | None = None
    phone: str = ""
    message: str = ""
    consent_marketing: bool = False
    partner_code: str | None = None
    utm: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


LEADS: tuple[LeadSpec, ...] = (
    LeadSpec(
        "dana.whitfield@microsoft.com", "Dana", "Whitfield", "Chief Information Security Officer",
        Seniority.C_LEVEL, "microsoft.com", LeadSource.ASSESSMENT, LeadStatus.QUALIFIED, 71.5,
        {"assessment_requested": 10, "roi_calculator": 5, "chat": 5},
        estimated_deal_value=5_000_000, follow_up=TODAY, phone="+1 425 555 0142",
        message="Please assess www.microsoft.com ahead of our Q1 security review. "
        "About 25,000 employees are in scope for the first phase.",
        notes=(
            "Asked in chat how findings reach Microsoft Sentinel (formerly Azure Sentinel). Wants the "
            "assessment report walked through with two AppSec leads; call booked for today.",
        ),
    ),
    LeadSpec(
        "r.okafor@microsoft.com", "Raymond", "Okafor", "Principal Security Architect",
        Seniority.INDIVIDUAL, "microsoft.com", LeadSource.CHAT, LeadStatus.CONTACTED, 20,
        {"chat": 5, "page_views": 3}, follow_up=TOMORROW,
    ),
    LeadSpec(
        "marcus.reyes@jpmorgan.com", "Marcus", "Reyes", "VP, Cyber Security Operations",
        Seniority.VP, "jpmorganchase.com", LeadSource.DEMO_REQUEST, LeadStatus.DEMO_SCHEDULED, 190.2,
        {"demo_request": 10, "page_views": 5}, estimated_deal_value=3_200_000, follow_up=TOMORROW,
        phone="+1 212 555 0187",
        message="We'd like a demo for the security operations and application security teams.",
        utm={"utm_source": "linkedin", "utm_medium": "paid_social", "utm_campaign": "f500-ciso-2025"},
        notes=(
            "Demo booked with the VP and two AppSec architects. Procurement needs our SOC 2 Type II "
            "report and the DPA before the demo.",
        ),
    ),
    LeadSpec(
        "aisha.patel@chase.com", "Aisha", "Patel", "Director of Application Security",
        Seniority.DIRECTOR, "jpmorganchase.com", LeadSource.ASSESSMENT, LeadStatus.QUALIFIED, 150,
        {"assessment_requested": 10},
    ),
    LeadSpec(
        "tom.becker@walmart.com", "Tom", "Becker", "Director, Information Security",
        Seniority.DIRECTOR, "walmart.com", LeadSource.CONTACT, LeadStatus.CONTACTED, 230,
        {"contact_form": 8, "page_views": 4}, estimated_deal_value=1_800_000,
        follow_up=OVERDUE_2_DAYS, phone="+1 479 555 0110",
        message="Looking at external attack-surface tooling for our e-commerce properties.",
    ),
    LeadSpec(
        "lina.choi@walmart.com", "Lina", "Choi", "Security Operations Center Lead",
        Seniority.MANAGER, "walmart.com", LeadSource.IMPORT, LeadStatus.NEW, 100,
        {"event_badge_scan": 6},
    ),
    LeadSpec(
        "g.martinez@apple.com", "Gabriel", "Martinez", "Security Engineering Manager",
        Seniority.MANAGER, "apple.com", LeadSource.ASSESSMENT, LeadStatus.NEW, 12,
        {"assessment_requested": 10, "page_views": 2}, estimated_deal_value=900_000,
    ),
    LeadSpec(
        "priya.raman@google.com", "Priya", "Raman", "Staff Security Engineer",
        Seniority.INDIVIDUAL, "google.com", LeadSource.CHAT, LeadStatus.NEW, 8,
        {"chat": 5, "page_views": 5}, estimated_deal_value=600_000,
    ),
    LeadSpec(
        "helen.zhao@citi.com", "Helen", "Zhao", "SVP, Information Security",
        Seniority.VP, "citi.com", LeadSource.DEMO_REQUEST, LeadStatus.PROPOSAL, 214.5,
        {"demo_request": 10, "page_views": 1}, estimated_deal_value=2_500_000, follow_up=NEXT_WEEK,
        notes=("Proposal sent: 3-year enterprise licence for 40 business units. Legal review next week.",),
    ),
    LeadSpec(
        "d.fischer@bankofamerica.com", "Daniel", "Fischer", "Chief Technology Officer, Global Banking",
        Seniority.C_LEVEL, "bofa.com", LeadSource.CONTACT, LeadStatus.CLOSED_LOST, 840,
        {"contact_form": 8}, estimated_deal_value=2_000_000,
        lost_reason="Renewed the incumbent vendor's 3-year contract", lost_after=LeadStatus.PROPOSAL,
        notes=("Lost on timing: incumbent renewed early. Revisit in Q3 of the renewal's last year.",),
    ),
    LeadSpec(
        "k.osei@optum.com", "Kwame", "Osei", "Director of Cyber Risk",
        Seniority.DIRECTOR, "unitedhealthgroup.com", LeadSource.DEMO_REQUEST, LeadStatus.CLOSED_WON,
        1440, {"demo_request": 10, "webinar": 4}, estimated_deal_value=1_200_000,
        actual_deal_value=1_150_000,
        notes=("Signed a 2-year enterprise agreement covering the Optum and UHC domains.",),
    ),
    LeadSpec(
        "sarah.lindqvist@lockheedmartin.com", "Sarah", "Lindqvist", "Chief Information Security Officer",
        Seniority.C_LEVEL, "lmco.com", LeadSource.DEMO_REQUEST, LeadStatus.DEMO_SCHEDULED, 99.7,
        {"contact_form": 8}, estimated_deal_value=2_200_000, follow_up=IN_3_DAYS,
    ),
    LeadSpec(
        "j.nguyen@lockheedmartin.com", "James", "Nguyen", "Security Analyst",
        Seniority.INDIVIDUAL, "lmco.com", LeadSource.NEWSLETTER, LeadStatus.NEW, 300,
        {"newsletter": 2}, consent_marketing=True,
    ),
    LeadSpec(
        "e.brooks@northwindhealth.example", "Emily", "Brooks", "IT Director",
        Seniority.DIRECTOR, "northwindhealth.example", LeadSource.DEMO_REQUEST, LeadStatus.CLOSED_WON,
        1080, {"partner_referral": 15, "demo_request": 10}, estimated_deal_value=200_000,
        actual_deal_value=180_000, partner_code="SECUREPATH",
        utm={"utm_source": "securepath", "utm_medium": "referral"},
        notes=("Referred by SecurePath Advisory. Signed; partner commission approved.",),
    ),
    LeadSpec(
        "m.alvarez@northwindhealth.example", "Miguel", "Alvarez", "Security Manager",
        Seniority.MANAGER, "northwindhealth.example", LeadSource.MANUAL, LeadStatus.QUALIFIED, 500,
        {"contact_form": 8, "page_views": 3},
    ),
    LeadSpec(
        "rachel.kim@contoso-logistics.example", "Rachel", "Kim", "Chief Information Officer",
        Seniority.C_LEVEL, "contoso-logistics.example", LeadSource.CHAT, LeadStatus.PROPOSAL, 129.2,
        {"chat": 5, "demo_request": 10, "roi_calculator": 5}, estimated_deal_value=240_000,
        follow_up=NEXT_WEEK, phone="+1 901 555 0163",
    ),
    LeadSpec(
        "b.walsh@contoso-logistics.example", "Brian", "Walsh", "IT Manager",
        Seniority.MANAGER, "contoso-logistics.example", LeadSource.CONTACT, LeadStatus.CLOSED_LOST, 600,
        {"contact_form": 8}, estimated_deal_value=95_000, lost_reason="No budget this fiscal year",
    ),
    LeadSpec(
        "olivia.grant@fabrikam.example", "Olivia", "Grant", "Co-founder & CTO",
        Seniority.C_LEVEL, "fabrikam.example", LeadSource.ASSESSMENT, LeadStatus.DEMO_SCHEDULED, 39.7,
        {"assessment_requested": 10, "roi_calculator": 5}, estimated_deal_value=60_000,
        follow_up=TOMORROW, consent_marketing=True,
    ),
    LeadSpec(
        "n.harper@tailspin-outdoor.example", "Noah", "Harper", "Head of IT",
        Seniority.DIRECTOR, "tailspin-outdoor.example", LeadSource.CONTACT, LeadStatus.CONTACTED, 260,
        {"contact_form": 8, "page_views": 2}, estimated_deal_value=45_000, follow_up=OVERDUE_5_DAYS,
    ),
    LeadSpec(
        "security.curious.reader@gmail.com", "", "", "",
        Seniority.UNKNOWN, None, LeadSource.NEWSLETTER, LeadStatus.NEW, 59.8,
        {"newsletter": 2, "page_views": 3}, consent_marketing=True,
    ),
)  # fmt: skip

MICROSOFT_CISO_EMAIL = "dana.whitfield@microsoft.com"


# --- Website activity ---------------------------------------------------------------------------

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = CHROME_WINDOWS + " Edg/131.0.0.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    path: str
    hours_ago: float
    data: Mapping[str, Any] = field(default_factory=dict)
    referrer: str = ""


@dataclass(frozen=True)
class MessageSpec:
    sender: str
    body: str
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConversationSpec:
    status: str
    messages: tuple[MessageSpec, ...]
    lead_email: str | None = None
    fortune_500_detected: bool = False
    high_value_opportunity: bool = False
    escalation_reason: str = ""
    escalated_after_message: int | None = None  # sequence of the message that triggered it
    csat_rating: int | None = None
    csat_comment: str = ""


@dataclass(frozen=True)
class VisitorSpec:
    name: str  # stable handle; the anonymous id is derived from it
    ip_address: str  # already anonymised: last octet (IPv4) / last 80 bits (IPv6) zeroed
    user_agent: str
    events: tuple[EventSpec, ...]
    lead_email: str | None = None
    company_domain: str | None = None
    first_touch: Mapping[str, str] = field(default_factory=dict)
    conversation: ConversationSpec | None = None
    conversation_hours_ago: float | None = None
    roi: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None  # (inputs, outputs)


SENTINEL_ANSWER = (
    "Enterprise Scanner sends every finding to Microsoft Sentinel (formerly Azure Sentinel) "
    "through the Azure Monitor Logs Ingestion API, into a custom table you choose. Each finding "
    "carries its severity, evidence and compliance references, so you can build analytics rules "
    "and workbooks on it. Setup takes a data collection rule and an app registration; our team "
    "walks enterprise customers through it."
)
PRICING_ANSWER = (
    "The first security assessment is free. Subscriptions are priced per year by the number of "
    "monitored domains and business units, with volume tiers for enterprises; Fortune 500 "
    "deployments are quoted after a short scoping call. Would you like a consultant to prepare one?"
)
FREE_CHECK_ANSWER = (
    "Yes. The free assessment checks your public site's HTTPS and TLS set-up, security headers "
    "(Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, Referrer-Policy, "
    "frame protection), cookie attributes and CORS, and grades the result from A+ to F."
)
NOT_INTRUSIVE_ANSWER = (
    "No. It sends only ordinary GET, HEAD and OPTIONS requests, the same a browser sends, with "
    "timeouts and size limits. It never submits forms, guesses passwords or probes for exploits."
)

MICROSOFT_ROI_INPUTS: dict[str, Any] = {
    "employees": 5000,
    "annual_security_budget": 50_000_000,
    "industry": "Computer Software",
    "region": "US",
}
MICROSOFT_ROI_OUTPUTS: dict[str, Any] = {
    "currency": "USD",
    "average_breach_cost": 10_220_000,
    "annual_breach_likelihood": 0.28,
    "expected_annual_loss": 2_861_600,
    "risk_reduction": 0.35,
    "potential_annual_savings": 1_001_560,
    "analyst_hours_saved_per_year": 5200,
    "payback_months": 7,
}

VISITORS: tuple[VisitorSpec, ...] = (
    VisitorSpec(
        "microsoft-ciso", "40.112.72.0", EDGE_WINDOWS,
        lead_email=MICROSOFT_CISO_EMAIL, company_domain="microsoft.com",
        first_touch={"referrer": "https://www.bing.com/", "landing_page": "/"},
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 72.0, referrer="https://www.bing.com/"),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 71.97),
            EventSpec(EventType.ROI_CALCULATION, "/roi-calculator", 71.9,
                      {"employees": 5000, "budget": 50_000_000}),
            EventSpec(EventType.CHAT_STARTED, "/integrations/microsoft-sentinel", 71.8),
            EventSpec(EventType.FORM_VIEW, "/security-assessment", 71.55, {"form": "security_assessment"}),
            EventSpec(EventType.FORM_SUBMIT, "/security-assessment", 71.5, {"form": "security_assessment"}),
            EventSpec(EventType.ASSESSMENT_REQUESTED, "/security-assessment", 71.5,
                      {"target_url": "https://www.microsoft.com"}),
            EventSpec(EventType.PAGE_VIEW, "/integrations/microsoft-sentinel", 26.0),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 25.9),
        ),
        roi=(MICROSOFT_ROI_INPUTS, MICROSOFT_ROI_OUTPUTS),
        conversation_hours_ago=71.8,
        conversation=ConversationSpec(
            ConversationStatus.WAITING,
            lead_email=MICROSOFT_CISO_EMAIL,
            fortune_500_detected=True,
            high_value_opportunity=True,
            escalation_reason=EscalationReason.FORTUNE_500,
            escalated_after_message=3,
            messages=(
                MessageSpec(MessageSender.VISITOR, "Hi, how does this integrate with Azure Sentinel?"),
                MessageSpec(MessageSender.BOT, SENTINEL_ANSWER,
                            {"sources": ["azure-sentinel-integration"], "confidence": 0.91}),
                MessageSpec(MessageSender.VISITOR,
                            "We'd want this across all our public properties. I'm the CISO, "
                            "you can reach me at dana.whitfield@microsoft.com."),
                MessageSpec(MessageSender.SYSTEM,
                            "Connecting you with a senior security consultant. They usually reply "
                            "within 5 minutes.", {"escalation_reason": "fortune_500"}),
            ),
        ),
    ),
    VisitorSpec(
        "jpmorgan-vp", "198.51.100.0", CHROME_MAC,
        lead_email="marcus.reyes@jpmorgan.com", company_domain="jpmorganchase.com",
        first_touch={"referrer": "https://www.linkedin.com/", "utm_source": "linkedin",
                     "utm_medium": "paid_social", "utm_campaign": "f500-ciso-2025"},
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 191.0, referrer="https://www.linkedin.com/"),
            EventSpec(EventType.PAGE_VIEW, "/resources/fortune-500-security-report", 190.8),
            EventSpec(EventType.FORM_VIEW, "/demo", 190.3, {"form": "demo_request"}),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 190.2, {"form": "demo_request"}),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 50.0),
            EventSpec(EventType.PAGE_VIEW, "/integrations", 49.8),
        ),
    ),
    VisitorSpec(
        "citi-svp", "203.0.113.0", CHROME_WINDOWS,
        lead_email="helen.zhao@citi.com", company_domain="citi.com",
        first_touch={"referrer": "https://www.google.com/"},
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 215.0, referrer="https://www.google.com/"),
            EventSpec(EventType.PAGE_VIEW, "/compliance/pci-dss", 214.8),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 214.5, {"form": "demo_request"}),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 30.0),
        ),
    ),
    VisitorSpec(
        "contoso-cio", "192.0.2.0", SAFARI_MAC,
        lead_email="rachel.kim@contoso-logistics.example", company_domain="contoso-logistics.example",
        first_touch={"referrer": "https://www.google.com/"},
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 130.0, referrer="https://www.google.com/"),
            EventSpec(EventType.ROI_CALCULATION, "/roi-calculator", 129.9,
                      {"employees": 1800, "budget": 2_500_000}),
            EventSpec(EventType.CHAT_STARTED, "/pricing", 129.8),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 129.2, {"form": "demo_request"}),
        ),
        conversation_hours_ago=129.8,
        conversation=ConversationSpec(
            ConversationStatus.CLOSED,
            lead_email="rachel.kim@contoso-logistics.example",
            escalation_reason=EscalationReason.ASKED_FOR_HUMAN,
            escalated_after_message=3,
            csat_rating=5,
            csat_comment="Quick, clear answers and no hard sell.",
            messages=(
                MessageSpec(MessageSender.VISITOR, "What would this cost for a company of 1,800 people?"),
                MessageSpec(MessageSender.BOT, PRICING_ANSWER, {"sources": ["pricing"], "confidence": 0.84}),
                MessageSpec(MessageSender.VISITOR, "Can I talk to someone about a rollout across 12 sites?"),
                MessageSpec(MessageSender.SYSTEM, "A sales consultant has joined the conversation."),
                MessageSpec(MessageSender.AGENT,
                            "Hi Rachel, Sam from the sales team here. Twelve sites is a typical "
                            "mid-size rollout: one subscription covers all of them. Shall I set up a demo?"),
                MessageSpec(MessageSender.VISITOR, "Yes please, I'll fill in the demo form now."),
                MessageSpec(MessageSender.AGENT, "Great, I'll look out for it and send a proposal outline."),
            ),
        ),
    ),
    VisitorSpec(
        "lockheed-ciso", "2001:db8:4f2a::", FIREFOX_LINUX,
        lead_email="sarah.lindqvist@lockheedmartin.com", company_domain="lmco.com",
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 100.0),
            EventSpec(EventType.PAGE_VIEW, "/security-assessment", 99.9),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 99.7, {"form": "demo_request"}),
        ),
    ),
    VisitorSpec(
        "newsletter-reader", "192.0.2.0", CHROME_ANDROID,
        lead_email="security.curious.reader@gmail.com",
        first_touch={"referrer": "https://news.ycombinator.com/"},
        events=(
            EventSpec(EventType.PAGE_VIEW, "/blog/content-security-policy-in-2025", 60.0,
                      referrer="https://news.ycombinator.com/"),
            EventSpec(EventType.PAGE_VIEW, "/blog", 59.9),
            EventSpec(EventType.FORM_SUBMIT, "/blog", 59.8, {"form": "newsletter"}),
        ),
    ),
    VisitorSpec(
        "fabrikam-cto", "198.51.100.0", CHROME_WINDOWS,
        lead_email="olivia.grant@fabrikam.example", company_domain="fabrikam.example",
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 40.0),
            EventSpec(EventType.ROI_CALCULATION, "/roi-calculator", 39.9,
                      {"employees": 85, "budget": 400_000}),
            EventSpec(EventType.FORM_SUBMIT, "/security-assessment", 39.7, {"form": "security_assessment"}),
            EventSpec(EventType.ASSESSMENT_REQUESTED, "/security-assessment", 39.7,
                      {"target_url": "https://www.fabrikam.example"}),
        ),
    ),
    VisitorSpec(
        "walmart-anonymous", "203.0.113.0", CHROME_WINDOWS,
        company_domain="walmart.com",
        first_touch={"referrer": "https://www.google.com/"},
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 20.0, referrer="https://www.google.com/"),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 19.9),
            EventSpec(EventType.PAGE_VIEW, "/case-studies/retail", 19.8),
        ),
    ),
    VisitorSpec(
        "pricing-chat-anonymous", "198.51.100.0", SAFARI_IPHONE,
        events=(
            EventSpec(EventType.PAGE_VIEW, "/pricing", 6.0),
            EventSpec(EventType.CHAT_STARTED, "/pricing", 5.9),
        ),
        conversation_hours_ago=5.9,
        conversation=ConversationSpec(
            ConversationStatus.BOT,
            messages=(
                MessageSpec(MessageSender.VISITOR, "Is the security assessment really free?"),
                MessageSpec(MessageSender.BOT, FREE_CHECK_ANSWER,
                            {"sources": ["free-assessment-checks"], "confidence": 0.88}),
                MessageSpec(MessageSender.VISITOR, "Does it do anything intrusive to our site?"),
                MessageSpec(MessageSender.BOT, NOT_INTRUSIVE_ANSWER,
                            {"sources": ["free-assessment-checks"], "confidence": 0.86}),
            ),
        ),
    ),
    VisitorSpec(
        "search-anonymous", "203.0.113.0", SAFARI_MAC,
        first_touch={"referrer": "https://duckduckgo.com/"},
        events=(
            EventSpec(EventType.PAGE_VIEW, "/blog/what-is-hsts", 3.0, referrer="https://duckduckgo.com/"),
            EventSpec(EventType.PAGE_VIEW, "/", 2.9),
            EventSpec(EventType.FORM_VIEW, "/security-assessment", 2.8, {"form": "security_assessment"}),
        ),
    ),
)  # fmt: skip


# --- Knowledge base -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleSpec:
    slug: str
    title: str
    questions: tuple[str, ...]
    answer: str
    keywords: str


ARTICLES: tuple[ArticleSpec, ...] = (
    ArticleSpec(
        "azure-sentinel-integration",
        "Microsoft Sentinel (Azure Sentinel) integration",
        (
            "How does this integrate with Azure Sentinel?",
            "Can you send findings to Microsoft Sentinel?",
            "Do you have a SIEM integration?",
        ),
        SENTINEL_ANSWER + " Findings can also be pulled from our REST API with a secret API key, "
        "for Splunk or any other SIEM.",
        "azure sentinel, microsoft sentinel, siem, log analytics, integration, splunk",
    ),
    ArticleSpec(
        "pricing",
        "Pricing and plans",
        ("How much does it cost?", "What are your prices?", "Is there a free trial?"),
        PRICING_ANSWER,
        "price, pricing, cost, plan, licence, license, quote, trial, free",
    ),
    ArticleSpec(
        "free-assessment-checks",
        "What the free security assessment checks",
        (
            "What does the free assessment check?",
            "Is the security assessment really free?",
            "Is the scan intrusive?",
        ),
        FREE_CHECK_ANSWER + " " + NOT_INTRUSIVE_ANSWER + " You receive a PDF report by e-mail with "
        "each finding's evidence, why it matters, how to fix it, and the OWASP ASVS and PCI DSS "
        "requirements it relates to.",
        "assessment, scan, free, headers, csp, hsts, tls, cookies, grade, report, intrusive",
    ),
    ArticleSpec(
        "data-handling-gdpr",
        "How we handle your data (GDPR)",
        (
            "Are you GDPR compliant?",
            "What data do you store about visitors?",
            "How do I get my data deleted?",
        ),
        "We store what you type into our forms and chat, and which pages of our site you viewed. "
        "IP addresses are anonymised before they are stored (the last part is zeroed). Marketing "
        "e-mails are sent only with your consent, which is recorded with its time. Data is hosted "
        "in the EU or US region of your choice, encrypted in transit and at rest. To see, correct "
        "or delete your data, write to privacy@enterprisescanner.com; we answer within 30 days. A "
        "data processing agreement (DPA) is available for customers.",
        "gdpr, privacy, data, personal data, delete, retention, dpa, consent, ip address",
    ),
    ArticleSpec(
        "deployment",
        "Deployment and getting started",
        (
            "How is it deployed?",
            "Do we need to install anything?",
            "How long does onboarding take?",
        ),
        "Enterprise Scanner is a hosted service: nothing to install. You list the domains to "
        "monitor, and scheduled assessments start the same day. Results appear in the dashboard, "
        "by e-mail, and through the REST API (secret API keys, scoped and revocable) for your SIEM "
        "or ticketing system. Enterprise customers get single sign-on and a named consultant; a "
        "typical Fortune 500 onboarding takes two to four weeks, mostly for integrations.",
        "deploy, deployment, install, onboarding, setup, sso, api, saas, hosted",
    ),
)


# --- Security assessment of the Microsoft lead --------------------------------------------------


@dataclass(frozen=True)
class FindingSpec:
    check_id: str
    title: str
    severity: str
    score_modifier: int
    evidence: str
    description: str
    recommendation: str
    compliance_refs: tuple[str, ...]


MICROSOFT_TARGET_URL = "https://www.microsoft.com"
MICROSOFT_FINDINGS: tuple[FindingSpec, ...] = (
    FindingSpec(
        "csp-not-implemented",
        "Content Security Policy (CSP) not implemented",
        Severity.HIGH,
        -25,
        "No Content-Security-Policy header in the response to GET https://www.microsoft.com/.",
        "Without a CSP, any injected script runs with the page's full privileges, so a single "
        "cross-site scripting flaw or compromised third-party script can steal sessions or data.",
        "Send a Content-Security-Policy that sets object-src 'none' and base-uri 'none' and allows "
        "scripts by nonce or hash; roll it out with Content-Security-Policy-Report-Only first.",
        ("OWASP ASVS 5.0 V3.4.3", "PCI DSS 4.0.1 6.4.3"),
    ),
    FindingSpec(
        "hsts-max-age-too-short",
        "HSTS max-age shorter than one year",
        Severity.MEDIUM,
        -10,
        "strict-transport-security: max-age=86400",
        "A one-day HSTS policy expires quickly, leaving returning visitors open to SSL-stripping "
        "attacks on their first plain-HTTP request.",
        "Set Strict-Transport-Security: max-age=31536000; includeSubDomains (and consider preload).",
        ("OWASP ASVS 5.0 V3.4.1", "PCI DSS 4.0.1 4.2.1"),
    ),
    FindingSpec(
        "cookies-samesite-not-set",
        "Cookies set without the SameSite attribute",
        Severity.LOW,
        -5,
        "set-cookie: MUID=…; domain=.microsoft.com; path=/; secure",
        "Browsers fall back to their own default, so protection against cross-site request "
        "forgery differs between browsers.",
        "Set SameSite=Lax (or Strict) explicitly on every cookie; use SameSite=None only with Secure "
        "where cross-site use is intended.",
        ("OWASP ASVS 5.0 V3.3.2",),
    ),
    FindingSpec(
        "referrer-policy-not-implemented",
        "Referrer-Policy not implemented",
        Severity.LOW,
        0,
        "No Referrer-Policy header; browsers use strict-origin-when-cross-origin by default.",
        "An explicit policy guarantees that full URLs, which may carry identifiers, are not sent to "
        "third parties by older browsers.",
        "Send Referrer-Policy: strict-origin-when-cross-origin (or stricter).",
        ("OWASP ASVS 5.0 V3.4.5",),
    ),
    FindingSpec(
        "server-technology-disclosed",
        "Response headers disclose server technology",
        Severity.INFO,
        0,
        "x-powered-by: ASP.NET",
        "Technology banners help attackers pick exploits for known versions.",
        "Remove the X-Powered-By header (and version numbers in Server) at the web server or CDN.",
        ("OWASP WSTG-INFO-02",),
    ),
)
MICROSOFT_RISK_SCORE = -sum(finding.score_modifier for finding in MICROSOFT_FINDINGS)  # 40
MICROSOFT_GRADE = Grade.C_PLUS  # the Observatory grade of 100 - 40 = 60 points


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    """What `load_demo_data` did: rows created per model label, and the demo website."""

    website: Website
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def anything_new(self) -> bool:
        return self.total_created > 0

    def count(self, model: type[models.Model], number: int = 1) -> None:
        label = model._meta.label
        self.created[label] = self.created.get(label, 0) + number


def score_breakdown(spec: LeadSpec) -> dict[str, Any]:
    """The score and its parts: fit (who the person and company are) plus engagement."""
    fit: dict[str, int] = {"seniority": SENIORITY_POINTS[spec.seniority]}
    company = _COMPANY_BY_DOMAIN.get(spec.company_domain or "")
    if company is None:
        fit["company"] = 0
    else:
        if company.fortune_rank is not None:
            fit["fortune_500"] = 40
        size = company.employee_count
        fit["company_size"] = 10 if size >= 10_000 else 7 if size >= 1_000 else 4 if size >= 100 else 2
        if any(word in company.industry for word in REGULATED_INDUSTRY_WORDS):
            fit["regulated_industry"] = 5
    engagement = dict(spec.engagement)
    total = min(100, sum(fit.values()) + sum(engagement.values()))
    return {"fit": fit, "engagement": engagement, "total": total}


def _day_at(now: datetime, days: int, hour: int) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)


def _status_path(spec: LeadSpec) -> list[str]:
    if spec.status == LeadStatus.NEW:
        return []
    if spec.status == LeadStatus.CLOSED_LOST:
        return [*PIPELINE[: PIPELINE.index(spec.lost_after) + 1], LeadStatus.CLOSED_LOST]
    return list(PIPELINE[: PIPELINE.index(spec.status) + 1])


def _status_changes(spec: LeadSpec, start: datetime, now: datetime) -> list[tuple[str, datetime]]:
    """When the lead went through each step of its pipeline path: spread over at most 30 days
    after it came in, ending at the latest an hour ago, and a day before a scheduled follow-up."""
    path = _status_path(spec)
    latest = min(now - timedelta(hours=1), start + timedelta(days=30))
    if spec.follow_up is not None:
        latest = min(latest, _day_at(now, *spec.follow_up) - timedelta(days=1))
    end = max(start + timedelta(minutes=30), latest)
    step = (end - start) / len(path) if path else timedelta(0)
    return [(status, start + step * number) for number, status in enumerate(path, start=1)]


_SUBMIT_ACTOR = {
    LeadSource.CHAT: "chat bot",
    LeadSource.IMPORT: "CSV import",
    LeadSource.MANUAL: "sales team",
}
_SUBMIT_SUMMARY = {
    LeadSource.DEMO_REQUEST: "Submitted the demo request form",
    LeadSource.CONTACT: "Submitted the contact form",
    LeadSource.ASSESSMENT: "Requested a free security assessment",
    LeadSource.NEWSLETTER: "Signed up for the newsletter",
    LeadSource.CHAT: "Left their e-mail address in the chat",
    LeadSource.IMPORT: "Imported from the RSA Conference badge-scan list",
    LeadSource.MANUAL: "Entered by a sales rep after a phone call",
}


def _timeline(
    spec: LeadSpec, lead: Lead, company: Company | None, partner: Partner | None, now: datetime
) -> list[LeadEvent]:
    """The timeline rows of a freshly created demo lead, oldest first."""
    start = lead.created_at
    rows: list[LeadEvent] = []

    def add(kind: str, summary: str, at: datetime, actor_label: str = "system", **data: Any) -> None:
        rows.append(
            LeadEvent(
                lead=lead, kind=kind, summary=summary, data=data, actor_label=actor_label, created_at=at
            )
        )

    if spec.source == LeadSource.IMPORT:
        add(LeadEventKind.IMPORTED, _SUBMIT_SUMMARY[spec.source], start, "CSV import", source=spec.source)
    elif spec.source == LeadSource.MANUAL:
        add(LeadEventKind.CREATED, _SUBMIT_SUMMARY[spec.source], start, "sales team", source=spec.source)
    else:
        actor = _SUBMIT_ACTOR.get(spec.source, "website form")
        add(LeadEventKind.SUBMITTED, _SUBMIT_SUMMARY[spec.source], start, actor, source=spec.source)
    if partner is not None:
        add(
            LeadEventKind.REFERRED,
            f"Referred by {partner.name} (code {partner.referral_code})",
            start,
            "partner referral",
            referral_code=partner.referral_code,
        )
    if company is not None:
        email_domain = spec.email.rsplit("@", 1)[1]
        matched_on = "domain" if email_domain == company.domain else "alias domain"
        add(
            LeadEventKind.COMPANY_MATCHED,
            f"Matched to {company.name} by the e-mail {matched_on} {email_domain}",
            start + timedelta(seconds=1),
            company=company.name,
            domain=email_domain,
            matched_on=matched_on,
            fortune_rank=company.fortune_rank,
        )
    add(
        LeadEventKind.SCORED,
        f"Scored {lead.score}/100",
        start + timedelta(seconds=2),
        score=lead.score,
        breakdown=lead.score_breakdown,
    )
    if lead.score >= 80:
        add(
            LeadEventKind.ALERT_SENT,
            "High-value lead alert e-mailed to the sales team",
            start + timedelta(seconds=5),
            score=lead.score,
        )
    previous: str = LeadStatus.NEW
    for status, at in _status_changes(spec, start, now):
        data: dict[str, Any] = {"from": previous, "to": status}
        if status == LeadStatus.CLOSED_LOST:
            data["lost_reason"] = spec.lost_reason
        if status == LeadStatus.CLOSED_WON:
            data["actual_deal_value"] = spec.actual_deal_value
        add(
            LeadEventKind.STATUS_CHANGED,
            f"Status {LeadStatus(previous).label} → {LeadStatus(status).label}",
            at,
            "sales team",
            **data,
        )
        previous = status
    if lead.next_follow_up_at is not None:
        add(
            LeadEventKind.FOLLOW_UP_SCHEDULED,
            f"Follow-up scheduled for {timezone.localtime(lead.next_follow_up_at):%Y-%m-%d %H:%M}",
            max(rows[-1].created_at + timedelta(minutes=1), start + timedelta(minutes=10)),
            "sales team",
            due=lead.next_follow_up_at.isoformat(),
        )
    return rows


def _load_companies(result: DemoResult) -> dict[str, Company]:
    companies: dict[str, Company] = {}
    for spec in COMPANIES:
        company, created = Company.objects.get_or_create(
            domain=spec.domain,
            defaults={
                "name": spec.name,
                "industry": spec.industry,
                "employee_count": spec.employee_count,
                "annual_revenue": Decimal(spec.annual_revenue) if spec.annual_revenue is not None else None,
                "hq_city": spec.hq_city,
                "hq_state": spec.hq_state,
                "hq_country": spec.hq_country,
                "fortune_rank": spec.fortune_rank,
                "fortune_year": FORTUNE_YEAR if spec.fortune_rank is not None else None,
            },
        )
        if created:
            result.count(Company)
            company.refresh_from_db(fields=["is_fortune_500"])
        companies[spec.domain] = company
        for alias in spec.aliases:
            _alias, alias_created = CompanyDomain.objects.get_or_create(
                domain=alias, defaults={"company": company}
            )
            if alias_created:
                result.count(CompanyDomain)
    return companies


def _load_partners(result: DemoResult) -> dict[str, Partner]:
    partners: dict[str, Partner] = {}
    for spec in PARTNERS:
        partner, created = Partner.objects.get_or_create(
            referral_code=spec.referral_code,
            defaults={
                "name": spec.name,
                "partner_type": spec.partner_type,
                "contact_email": spec.contact_email,
                "commission_rate": spec.commission_rate,
                "status": spec.status,
            },
        )
        if created:
            result.count(Partner)
        partners[spec.referral_code] = partner
    return partners


def _create_lead(
    spec: LeadSpec, companies: dict[str, Company], partners: dict[str, Partner], now: datetime
) -> tuple[Lead, list[LeadEvent], list[LeadNote]]:
    company = companies[spec.company_domain] if spec.company_domain else None
    partner = partners[spec.partner_code] if spec.partner_code else None
    created_at = now - timedelta(hours=spec.hours_ago)
    breakdown = score_breakdown(spec)
    changes = _status_changes(spec, created_at, now)
    reached_contacted = any(status == LeadStatus.CONTACTED for status, _at in changes)
    lead = Lead.objects.create(
        email=spec.email.lower(),
        first_name=spec.first_name,
        last_name=spec.last_name,
        job_title=spec.job_title,
        seniority=spec.seniority,
        phone=spec.phone,
        company=company,
        company_name=company.name if company else "",
        source=spec.source,
        message=spec.message,
        status=spec.status,
        lost_reason=spec.lost_reason,
        score=breakdown["total"],
        score_breakdown=breakdown,
        scored_at=created_at + timedelta(seconds=2),
        is_fortune_500=bool(company and company.is_fortune_500),
        estimated_deal_value=Decimal(spec.estimated_deal_value) if spec.estimated_deal_value else None,
        actual_deal_value=Decimal(spec.actual_deal_value) if spec.actual_deal_value else None,
        partner=partner,
        consent_marketing=spec.consent_marketing,
        consent_marketing_at=created_at if spec.consent_marketing else None,
        # A rep last spoke to the lead at its latest status change, once it reached "contacted".
        last_contacted_at=changes[-1][1] if reached_contacted else None,
        next_follow_up_at=_day_at(now, *spec.follow_up) if spec.follow_up else None,
        created_at=created_at,
        **spec.utm,
    )
    events = _timeline(spec, lead, company, partner, now)
    notes = []
    for number, body in enumerate(spec.notes, start=1):
        at = max(events[-1].created_at, created_at) + timedelta(minutes=5 * number)
        notes.append(LeadNote(lead=lead, body=body, created_at=min(at, now)))
        events.append(
            LeadEvent(
                lead=lead,
                kind=LeadEventKind.NOTE_ADDED,
                summary=body[:120],
                actor_label="sales team",
                created_at=min(at, now),
            )
        )
    return lead, events, notes


def _create_microsoft_assessment(lead: Lead, result: DemoResult) -> None:
    requested = lead.created_at
    assessment = SecurityAssessment.objects.create(
        lead=lead,
        target_url=MICROSOFT_TARGET_URL,
        assessment_type=AssessmentType.ENTERPRISE,
        status=AssessmentStatus.COMPLETED,
        risk_score=MICROSOFT_RISK_SCORE,
        grade=MICROSOFT_GRADE,
        attempts=1,
        requested_at=requested,
        started_at=requested + timedelta(seconds=14),
        completed_at=requested + timedelta(seconds=97),
    )
    result.count(SecurityAssessment)
    Finding.objects.bulk_create(
        Finding(
            assessment=assessment,
            check_id=spec.check_id,
            title=spec.title,
            severity=spec.severity,
            evidence=spec.evidence,
            description=spec.description,
            recommendation=spec.recommendation,
            compliance_refs=list(spec.compliance_refs),
            score_modifier=spec.score_modifier,
        )
        for spec in MICROSOFT_FINDINGS
    )
    result.count(Finding, len(MICROSOFT_FINDINGS))
    LeadEvent.objects.create(
        lead=lead,
        kind=LeadEventKind.ASSESSMENT,
        summary=f"Security assessment of {MICROSOFT_TARGET_URL} completed: grade {MICROSOFT_GRADE}, "
        f"{len(MICROSOFT_FINDINGS)} findings",
        data={"assessment": str(assessment.pk), "grade": MICROSOFT_GRADE, "risk_score": MICROSOFT_RISK_SCORE},
        actor_label="scanner",
        created_at=assessment.completed_at,
    )
    result.count(LeadEvent)


def _load_leads(
    result: DemoResult, companies: dict[str, Company], partners: dict[str, Partner], now: datetime
) -> dict[str, Lead]:
    leads: dict[str, Lead] = {}
    events: list[LeadEvent] = []
    notes: list[LeadNote] = []
    for spec in LEADS:
        lead = Lead.objects.filter(email__iexact=spec.email).first()
        if lead is None:
            lead, lead_events, lead_notes = _create_lead(spec, companies, partners, now)
            result.count(Lead)
            events += lead_events
            notes += lead_notes
            if spec.email == MICROSOFT_CISO_EMAIL:
                _create_microsoft_assessment(lead, result)
        leads[spec.email] = lead
    LeadEvent.objects.bulk_create(events)
    LeadNote.objects.bulk_create(notes)
    result.count(LeadEvent, len(events))
    result.count(LeadNote, len(notes))

    for spec in LEADS:
        lead = leads[spec.email]
        if lead.status != LeadStatus.CLOSED_WON or lead.partner_id is None or not lead.actual_deal_value:
            continue
        partner = lead.partner
        _commission, created = Commission.objects.get_or_create(
            lead=lead,
            defaults={
                "partner": partner,
                "deal_value": lead.actual_deal_value,
                "rate": partner.commission_rate,
                "amount": (lead.actual_deal_value * partner.commission_rate).quantize(Decimal("0.01")),
                "status": CommissionStatus.APPROVED,
                "approved_at": _closed_won_at(lead, now),
            },
        )
        if created:
            result.count(Commission)
    return leads


def _closed_won_at(lead: Lead, now: datetime) -> datetime:
    """When the demo lead was won, from its timeline (a day after, when the commission was approved)."""
    won = lead.events.filter(kind=LeadEventKind.STATUS_CHANGED, data__to=LeadStatus.CLOSED_WON).first()
    return min(now, (won.created_at if won else lead.created_at) + timedelta(days=1))


def _get_or_create_website(now: datetime) -> tuple[Website, bool]:
    website = Website.objects.filter(name=DEMO_WEBSITE_NAME).order_by("created_at", "pk").first()
    if website is not None:
        return website, False
    website = website_create(name=DEMO_WEBSITE_NAME, allowed_origins=DEMO_WEBSITE_ORIGINS)
    # Backdate it to before the first demo event, so the history reads in order.
    Website.objects.filter(pk=website.pk).update(created_at=now - timedelta(days=30))
    website.refresh_from_db()
    return website, True


def _create_conversation(
    spec: ConversationSpec,
    website: Website,
    visitor: Visitor,
    lead: Lead | None,
    started: datetime,
    now: datetime,
    result: DemoResult,
) -> None:
    times = [started + timedelta(seconds=40 * n) for n in range(len(spec.messages))]
    escalated_at = times[spec.escalated_after_message - 1] if spec.escalated_after_message else None
    closed = spec.status == ConversationStatus.CLOSED
    conversation = Conversation.objects.create(
        website=website,
        visitor=visitor,
        lead=lead,
        status=spec.status,
        fortune_500_detected=spec.fortune_500_detected,
        high_value_opportunity=spec.high_value_opportunity,
        escalation_reason=spec.escalation_reason,
        escalated_at=escalated_at,
        last_sequence=len(spec.messages),
        csat_rating=spec.csat_rating,
        csat_comment=spec.csat_comment,
        created_at=started,
        closed_at=min(now, times[-1] + timedelta(minutes=2)) if closed else None,
    )
    result.count(Conversation)
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            sequence=sequence,
            sender=message.sender,
            body=message.body,
            metadata=dict(message.metadata),
            created_at=at,
        )
        for sequence, (message, at) in enumerate(zip(spec.messages, times, strict=True), start=1)
    )
    result.count(Message, len(spec.messages))
    if lead is not None:
        summary = f"Chat conversation, {len(spec.messages)} messages"
        if spec.escalation_reason:
            summary += f", escalated ({EscalationReason(spec.escalation_reason).label})"
        LeadEvent.objects.create(
            lead=lead,
            kind=LeadEventKind.CHAT,
            summary=summary,
            data={"conversation": str(conversation.pk), "escalation_reason": spec.escalation_reason},
            actor_label="chat bot",
            created_at=started,
        )
        result.count(LeadEvent)


def _load_visitors(
    result: DemoResult, website: Website, companies: dict[str, Company], leads: dict[str, Lead], now: datetime
) -> None:
    for spec in VISITORS:
        anonymous_id = uuid.uuid5(_VISITOR_NAMESPACE, spec.name).hex
        if Visitor.objects.filter(website=website, anonymous_id=anonymous_id).exists():
            continue
        lead = leads[spec.lead_email] if spec.lead_email else None
        times = [now - timedelta(hours=event.hours_ago) for event in spec.events]
        visitor = Visitor.objects.create(
            website=website,
            anonymous_id=anonymous_id,
            first_seen_at=min(times),
            last_seen_at=max(times),
            lead=lead,
            company=companies[spec.company_domain] if spec.company_domain else None,
            first_touch=dict(spec.first_touch),
        )
        result.count(Visitor)
        Event.objects.bulk_create(
            Event(
                website=website,
                visitor=visitor,
                event_type=event.event_type,
                url=SITE + event.path,
                referrer=event.referrer,
                data=dict(event.data),
                ip_address=spec.ip_address,
                user_agent=spec.user_agent,
                occurred_at=at,
                received_at=at + timedelta(milliseconds=180),
            )
            for event, at in zip(spec.events, times, strict=True)
        )
        result.count(Event, len(spec.events))
        if lead is not None and lead.visitor_id is None:
            lead.visitor = visitor
            lead.save(update_fields=["visitor", "updated_at"])
        if spec.roi is not None:
            inputs, outputs = spec.roi
            roi_time = next(
                at
                for event, at in zip(spec.events, times, strict=True)
                if event.event_type == EventType.ROI_CALCULATION
            )
            RoiCalculation.objects.create(
                lead=lead, visitor=visitor, inputs=dict(inputs), outputs=dict(outputs), created_at=roi_time
            )
            result.count(RoiCalculation)
            if lead is not None:
                LeadEvent.objects.create(
                    lead=lead,
                    kind=LeadEventKind.ROI_CALCULATION,
                    summary=f"Used the ROI calculator: {inputs['employees']:,} employees, "
                    f"${inputs['annual_security_budget']:,} security budget",
                    data={"inputs": dict(inputs), "outputs": dict(outputs)},
                    actor_label="website",
                    created_at=roi_time,
                )
                result.count(LeadEvent)
        if spec.conversation is not None and spec.conversation_hours_ago is not None:
            conversation_lead = leads[spec.conversation.lead_email] if spec.conversation.lead_email else None
            _create_conversation(
                spec.conversation,
                website,
                visitor,
                conversation_lead,
                now - timedelta(hours=spec.conversation_hours_ago),
                now,
                result,
            )


def _load_articles(result: DemoResult) -> None:
    for spec in ARTICLES:
        _article, created = KnowledgeArticle.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "questions": "\n".join(spec.questions),
                "answer": spec.answer,
                "keywords": spec.keywords,
                "is_published": True,
            },
        )
        if created:
            result.count(KnowledgeArticle)


#: Days of demo website activity to roll up (the demo events go back about eight days).
DEMO_ROLLUP_DAYS = 10


def _rollup_recent_days(now: datetime) -> None:
    """The dashboard and the analytics charts read daily rollups, not raw events: compute them for
    the demo's events as the cron job would (idempotent, like the rest of the seed)."""
    from analytics.services import rollup_day

    today = timezone.localdate(now)
    for days_ago in range(DEMO_ROLLUP_DAYS):
        rollup_day(day=today - timedelta(days=days_ago))


@transaction.atomic
def load_demo_data(*, stdout: TextIO | None = None) -> DemoResult:
    """Create the demo data set where it is missing; rows already there are left as they are.

    `stdout`, when given, receives one progress line per part of the data set.
    """
    now = timezone.now()

    def report(part: str, *labels: str) -> None:
        if stdout is not None:
            counts = ", ".join(f"{result.created.get(label, 0)} {label.split('.')[1]}" for label in labels)
            stdout.write(f"  {part}: created {counts}\n")

    website, website_created = _get_or_create_website(now)
    result = DemoResult(website=website)
    if website_created:
        result.count(Website)

    companies = _load_companies(result)
    report("companies", "leads.Company", "leads.CompanyDomain")
    partners = _load_partners(result)
    report("partners", "partners.Partner")
    leads = _load_leads(result, companies, partners, now)
    report(
        "leads",
        "leads.Lead",
        "leads.LeadNote",
        "assessments.SecurityAssessment",
        "assessments.Finding",
        "partners.Commission",
    )
    _load_visitors(result, website, companies, leads, now)
    report(
        "website activity",
        "analytics.Visitor",
        "analytics.Event",
        "assessments.RoiCalculation",
        "chat.Conversation",
        "chat.Message",
    )
    _rollup_recent_days(now)
    _load_articles(result)
    report("knowledge base", "chat.KnowledgeArticle")
    return result
