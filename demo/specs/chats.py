"""The demo's chats and the knowledge base the bot answers from.

A conversation is a script of visitor, bot and agent messages; the loader plays it through the
chat services, which add what the product itself says (greeting, escalation and closing notices).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chat.models import ConversationStatus, EscalationReason, MessageSender


@dataclass(frozen=True)
class MessageSpec:
    sender: str
    body: str
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConversationSpec:
    status: str  # what it ends as: the bot still answering, waiting for an agent, or closed
    messages: tuple[MessageSpec, ...]
    escalation_reason: str = ""
    escalated_after_message: int | None = None  # number of the scripted message that triggered it
    csat_rating: int | None = None
    csat_comment: str = ""


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

MICROSOFT_CISO_CHAT = ConversationSpec(
    ConversationStatus.WAITING,
    escalation_reason=EscalationReason.FORTUNE_500,
    escalated_after_message=3,
    messages=(
        MessageSpec(MessageSender.VISITOR, "Hi, how does this integrate with Azure Sentinel?"),
        MessageSpec(MessageSender.BOT, SENTINEL_ANSWER,
                    {"sources": ["azure-sentinel-integration"], "confidence": 0.91}),
        MessageSpec(MessageSender.VISITOR,
                    "We'd want this across all our public properties. I'm the CISO, "
                    "you can reach me at dana.whitfield@microsoft.com."),
    ),
)  # fmt: skip

CONTOSO_CIO_CHAT = ConversationSpec(
    ConversationStatus.CLOSED,
    escalation_reason=EscalationReason.ASKED_FOR_HUMAN,
    escalated_after_message=3,
    csat_rating=5,
    csat_comment="Quick, clear answers and no hard sell.",
    messages=(
        MessageSpec(MessageSender.VISITOR, "What would this cost for a company of 1,800 people?"),
        MessageSpec(MessageSender.BOT, PRICING_ANSWER, {"sources": ["pricing"], "confidence": 0.84}),
        MessageSpec(MessageSender.VISITOR, "Can I talk to someone about a rollout across 12 sites?"),
        MessageSpec(MessageSender.AGENT,
                    "Hi Rachel, Sam from the sales team here. Twelve sites is a typical "
                    "mid-size rollout: one subscription covers all of them. Shall I set up a demo?"),
        MessageSpec(MessageSender.VISITOR, "Yes please, I'll fill in the demo form now."),
        MessageSpec(MessageSender.AGENT, "Great, I'll look out for it and send a proposal outline."),
    ),
)  # fmt: skip

PRICING_CHAT = ConversationSpec(
    ConversationStatus.BOT,
    messages=(
        MessageSpec(MessageSender.VISITOR, "Is the security assessment really free?"),
        MessageSpec(MessageSender.BOT, FREE_CHECK_ANSWER,
                    {"sources": ["free-assessment-checks"], "confidence": 0.88}),
        MessageSpec(MessageSender.VISITOR, "Does it do anything intrusive to our site?"),
        MessageSpec(MessageSender.BOT, NOT_INTRUSIVE_ANSWER,
                    {"sources": ["free-assessment-checks"], "confidence": 0.86}),
    ),
)  # fmt: skip


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
