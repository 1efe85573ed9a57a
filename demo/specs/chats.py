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
    "The first security assessment is free, with no contract. It checks your public site's HTTPS and TLS set-up, security headers "
    "(Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, Referrer-Policy, "
    "frame protection), cookie attributes and CORS, and grades the result from A+ to F."
)
NOT_INTRUSIVE_ANSWER = (
    "The scan is not intrusive. It sends only ordinary GET, HEAD and OPTIONS requests, the same a browser sends, with "
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
                    {"sources": ["scan-is-not-intrusive"], "confidence": 0.86}),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class ArticleSpec:
    slug: str
    title: str
    questions: tuple[str, ...]
    answer: str
    keywords: str


#: The knowledge base. Each article answers one question (its title); the answer is written in
#: short paragraphs, because the bot answers with the best passage (at most three sentences of
#: one paragraph) rather than the whole article, so a paragraph must make sense on its own and
#: must not open with a bare "Yes." that belongs to another question. Slugs are stable: chat
#: sources, links and analytics refer to them.
ARTICLES: tuple[ArticleSpec, ...] = (
    ArticleSpec(
        "azure-sentinel-integration",
        "Microsoft Sentinel (Azure Sentinel) integration",
        (
            "How does this integrate with Azure Sentinel?",
            "Can you send findings to Microsoft Sentinel?",
        ),
        SENTINEL_ANSWER,
        "azure sentinel, microsoft sentinel, siem, log analytics, integration",
    ),
    ArticleSpec(
        "splunk-and-siem-integration",
        "Splunk and other SIEM integrations",
        (
            "Do you integrate with Splunk?",
            "Can findings go to our SIEM or ticketing system?",
        ),
        "Splunk, QRadar, Elastic and any other SIEM can pull findings from our REST API with a "
        "secret API key, or receive them by webhook. Each finding is a JSON record with its "
        "severity, evidence and compliance references.\n\n"
        "Jira and ServiceNow tickets can be opened from findings through the same webhook, so "
        "fixes are tracked where your teams already work.",
        "splunk, qradar, elastic, siem, integration, webhook, jira, servicenow, ticket, api",
    ),
    ArticleSpec(
        "pricing",
        "Pricing and plans",
        ("How much does it cost?", "What are your prices?", "How is it priced?"),
        "The first security assessment is free. Subscriptions are priced per year by the number "
        "of monitored domains and business units, with volume tiers for enterprises.\n\n"
        "Fortune 500 deployments and multi-site rollouts are quoted after a short scoping call "
        "with a consultant.",
        "price, pricing, cost, plan, licence, license, subscription, budget, tier",
    ),
    ArticleSpec(
        "free-trial",
        "Free trial and pilot",
        ("Is there a free trial?", "Can we run a pilot first?"),
        "The free security assessment is the trial: it needs no contract and no credit card, and "
        "you receive the full report. Enterprises can also run a 30-day pilot on up to ten "
        "domains before subscribing.",
        "trial, pilot, proof of concept, poc, evaluate, try",
    ),
    ArticleSpec(
        "free-assessment-checks",
        "What the free security assessment checks",
        ("What does the free assessment check?", "What do you scan for?"),
        "The free assessment checks your public site's HTTPS and TLS set-up, security headers "
        "(Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, "
        "Referrer-Policy, frame protection), cookie attributes and CORS. It grades the result "
        "from A+ to F.",
        "assessment, scan, check, headers, csp, hsts, tls, https, cookies, cors, grade",
    ),
    ArticleSpec(
        "scan-is-not-intrusive",
        "Is the scan intrusive?",
        ("Is the scan intrusive?", "Will the scan harm or slow down our website?"),
        "The scan is not intrusive. It sends only ordinary GET, HEAD and OPTIONS requests, the "
        "same a browser sends, with timeouts and size limits. It never submits forms, guesses "
        "passwords or probes for exploits, so it cannot harm or slow down your site.",
        "intrusive, safe, harm, slow, load, exploit, requests, production",
    ),
    ArticleSpec(
        "assessment-report",
        "The assessment report",
        ("What is in the report?", "How do I receive the results?", "Can I see a sample report?"),
        "You receive a PDF report by e-mail within minutes. For each finding it gives the "
        "evidence, why it matters and how to fix it. A sample report is available on request.\n\n"
        "Every finding is mapped to the OWASP ASVS and PCI DSS requirements it relates to, so "
        "auditors can trace it.",
        "report, pdf, results, findings, owasp, asvs, pci dss, evidence, fix",
    ),
    ArticleSpec(
        "penetration-testing",
        "Is it a penetration test?",
        ("Do you do penetration testing?", "Is this a pen test?"),
        "Enterprise Scanner is not a penetration test: it is a continuous, passive assessment of "
        "your public configuration. It does not exploit vulnerabilities.\n\n"
        "Many customers run it between their yearly penetration tests to catch configuration "
        "drift, and our consultants can recommend accredited penetration-testing partners.",
        "penetration test, pen test, pentest, exploit, red team, vulnerability",
    ),
    ArticleSpec(
        "soc-2-report",
        "SOC 2 report",
        ("Are you SOC 2 certified?", "Can we see your SOC 2 report?"),
        "Enterprise Scanner holds a SOC 2 Type II report covering security, availability and "
        "confidentiality, renewed every year. Customers and prospects can request it under NDA "
        "from their consultant.",
        "soc 2, soc2, type ii, audit, attestation, certification, compliance",
    ),
    ArticleSpec(
        "data-handling-gdpr",
        "How we handle your data (GDPR)",
        ("Are you GDPR compliant?", "What data do you store about visitors?"),
        "Enterprise Scanner complies with the GDPR. Marketing e-mails are sent only with your "
        "consent, which is recorded with its time, and a data processing agreement (DPA) is "
        "available for customers.\n\n"
        "We store what you type into our forms and chat, and which pages of our website you "
        "visited. IP addresses are anonymised before they are stored (the last part is zeroed).",
        "gdpr, privacy, personal data, consent, ip address, dpa",
    ),
    ArticleSpec(
        "data-deletion-requests",
        "Deleting your data (data subject requests)",
        ("How do I get my data deleted?", "How do I make a data subject access request?"),
        "To see, correct or delete your personal data, write to privacy@enterprisescanner.com. We "
        "answer every data subject request within 30 days, and erasure covers our backups within "
        "a further 30 days.",
        "delete, deletion, erasure, data subject request, dsar, access request, right to be forgotten",
    ),
    ArticleSpec(
        "data-residency",
        "Where your data is hosted",
        ("Where is our data hosted?", "Can our data stay in the EU?"),
        "Customer data is hosted in the EU (Frankfurt) or US (Virginia) region of your choice and "
        "never leaves it. It is encrypted in transit and at rest.",
        "hosting, region, residency, eu, us, frankfurt, encryption, data location",
    ),
    ArticleSpec(
        "deployment",
        "Deployment and getting started",
        ("How is it deployed?", "Do we need to install anything?"),
        "Enterprise Scanner is a hosted service: there is no agent or software to install. You "
        "list the domains to monitor, and scheduled assessments start the same day.\n\n"
        "Results appear in the dashboard, by e-mail, and through the REST API for your SIEM or "
        "ticketing system.",
        "deploy, deployment, install, agent, setup, saas, hosted, on-premises",
    ),
    ArticleSpec(
        "onboarding-time",
        "How long onboarding takes",
        ("How long does onboarding take?", "How quickly can we get started?"),
        "A typical enterprise onboarding takes two to four weeks, mostly for integrations. Every "
        "enterprise customer gets a named consultant who runs the onboarding with your team.",
        "onboarding, rollout, weeks, timeline, consultant, start",
    ),
    ArticleSpec(
        "single-sign-on",
        "Single sign-on (SSO)",
        ("Do you support single sign-on?", "Can we log in with Okta or Azure AD?"),
        "Enterprise plans include single sign-on over SAML 2.0 and OpenID Connect, tested with "
        "Okta, Microsoft Entra ID (Azure AD) and Google Workspace. Users can be provisioned "
        "automatically with SCIM.",
        "sso, saml, single sign-on, okta, entra, azure ad, oidc, scim, login",
    ),
    ArticleSpec(
        "scan-frequency",
        "How often domains are assessed",
        ("How often do you scan?", "Can we trigger a scan on demand?"),
        "Monitored domains are assessed every day, and you can start an assessment on demand from "
        "the dashboard or the API. You are alerted by e-mail when a grade drops.",
        "frequency, daily, schedule, continuous, monitoring, on demand, alert",
    ),
)
