"""The bot's evaluation set: realistic visitor messages, each with what the bot should do.

Written before the bot was tuned, against the demo knowledge base (`demo.specs.chats.ARTICLES`)
and the seeded synonyms. Kinds of expectation:

- ``answer``: answer from article `slug`, with a passage containing `passage` (case-insensitive);
- ``unknown``: say honestly that it does not know (no article answers it);
- ``person``: hand the chat to a person (the visitor asked for one);
- a buying intent (``demo``, ``meeting``, ``pricing``, ``quote``, ``trial``): start collecting
  what sales needs; for ``pricing`` a passage of `slug` may be given as well.

Add a case whenever a visitor's message is handled badly; fix the class of failure, not the case.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    message: str
    expect: str
    slug: str = ""
    passage: str = ""


CASES: tuple[Case, ...] = (
    # Integrations, in several wordings
    Case("How does this integrate with Azure Sentinel?", "answer", "azure-sentinel-integration", "Logs Ingestion"),
    Case("can you push findings into microsoft sentinel", "answer", "azure-sentinel-integration", "Sentinel"),
    Case("We run Sentinel as our SIEM, is there a connector or do we have to build something ourselves?",
         "answer", "azure-sentinel-integration", "Sentinel"),
    Case("Do you integrate with Splunk?", "answer", "splunk-and-siem-integration", "Splunk"),
    Case("Does your platform talk to Splunk?", "answer", "splunk-and-siem-integration", "Splunk"),
    Case("Can it open Jira tickets for the findings?", "answer", "splunk-and-siem-integration", "Jira"),
    Case("we use servicenow for remediation tracking - can findings become tickets there?",
         "answer", "splunk-and-siem-integration", "ServiceNow"),
    Case("Is there a REST API or webhook so QRadar can ingest your results?",
         "answer", "splunk-and-siem-integration", "QRadar"),
    # What the assessment does
    Case("What does the free assessment check?", "answer", "free-assessment-checks", "security headers"),
    Case("which security headers do you look at?", "answer", "free-assessment-checks", "Content-Security-Policy"),
    Case("Do you check TLS configuration and cookies?", "answer", "free-assessment-checks", "TLS"),
    Case("Is the scan intrusive?", "answer", "scan-is-not-intrusive", "not intrusive"),
    Case("Will running your scanner against our production site slow it down or break anything?",
         "answer", "scan-is-not-intrusive", "slow down"),
    Case("Does it try to exploit vulnerabilities or brute force logins?", "answer", "scan-is-not-intrusive", "exploits"),
    Case("What's in the report we get?", "answer", "assessment-report", "PDF report"),
    Case("Are findings mapped to PCI DSS?", "answer", "assessment-report", "PCI DSS"),
    Case("do you map results to OWASP ASVS", "answer", "assessment-report", "OWASP ASVS"),
    Case("How often do you scan our domains?", "answer", "scan-frequency", "every day"),
    Case("Can I kick off a scan on demand instead of waiting for the schedule?", "answer", "scan-frequency", "on demand"),
    Case("Is this a pen test?", "answer", "penetration-testing", "not a penetration test"),
    Case("Do you offer penetration testing services as well?", "answer", "penetration-testing", "penetration"),
    Case("Can you recommend a pentest partner?", "answer", "penetration-testing", "partners"),
    # Compliance and data, yes/no questions and synonyms
    Case("Are you SOC 2 certified?", "answer", "soc-2-report", "SOC 2 Type II"),
    Case("do you have a soc2 report we can review?", "answer", "soc-2-report", "SOC 2"),
    Case("Are you GDPR compliant?", "answer", "data-handling-gdpr", "consent"),
    Case("What personal data do you keep about people who visit your website?", "answer", "data-handling-gdpr", "IP addresses"),
    Case("Do you sign a DPA?", "answer", "data-handling-gdpr", "data processing agreement"),
    Case("How do I get my data deleted?", "answer", "data-deletion-requests", "privacy@enterprisescanner.com"),
    Case("How can I submit a DSAR?", "answer", "data-deletion-requests", "data subject request"),
    Case("I want to exercise my right to erasure", "answer", "data-deletion-requests", "erasure"),
    Case("Can our data stay in Europe?", "answer", "data-residency", "EU"),
    Case("Where is customer data hosted?", "answer", "data-residency", "Frankfurt"),
    Case("is everything encrypted at rest", "answer", "data-residency", "encrypted"),
    Case("Do you support SAML?", "answer", "single-sign-on", "SAML"),
    Case("Can we log in with Okta?", "answer", "single-sign-on", "Okta"),
    Case("does it have single sign on with azure ad", "answer", "single-sign-on", "Entra"),
    # Deployment, in other senses of "agent"
    Case("Do we need to install an agent on our servers?", "answer", "deployment", "no agent"),
    Case("Is there agent software to deploy, or is it SaaS?", "answer", "deployment", "hosted service"),
    Case("How long does onboarding usually take for a company our size?", "answer", "onboarding-time", "two to four weeks"),
    Case("Will we have a dedicated consultant during the rollout?", "answer", "onboarding-time", "named consultant"),
    Case("Our human resources team handles vendor reviews. Where is the data hosted?", "answer", "data-residency", "EU"),
    Case("Can I get a representative sample of a report?", "answer", "assessment-report", "PDF report"),
    # Buying intent
    Case("I'd like to book a demo", "demo"),
    Case("Could you show us the product next Tuesday at 3pm?", "demo"),
    Case("Can we get a walkthrough of the platform for our security team?", "demo"),
    Case("Can we schedule a call with your team this week?", "meeting"),
    Case("I'd like to set up a meeting to discuss a rollout", "meeting"),
    Case("How much does it cost?", "pricing", "pricing", "priced per year"),
    Case("What would this cost for a company of 1,800 people?", "pricing", "pricing", "priced per year"),
    Case("what's your pricing for 40 domains", "pricing", "pricing", "priced per year"),
    Case("Can you send me a quote for 12 business units?", "quote"),
    Case("We need a formal proposal for procurement", "quote"),
    Case("Is there a free trial?", "trial", "free-trial", "free security assessment is the trial"),
    Case("Could we run a pilot on a few domains first?", "trial", "free-trial", "pilot"),
    Case("we'd like to do a proof of concept before buying", "trial", "free-trial", "pilot"),
    # Buying intent naming a time as the bot's business-hour slots do (the bot then offers slots)
    Case("Does Wednesday at 09:00 work for a demo?", "demo"),
    Case("Could we have a quick call on Thursday 10 December at 13:00 (Berlin time)?", "meeting"),
    Case("Is tomorrow afternoon possible for a meeting about a rollout to our 3 subsidiaries?", "meeting"),
    Case("book me a product demo for monday 9am CET", "demo"),
    # Requests for a person, in everyday words
    Case("Can I talk to a person?", "person"),
    Case("I'd like to speak with somebody from your team", "person"),
    Case("Could one of your consultants get in touch with me?", "person"),
    Case("can i speak to someone", "person"),
    Case("Is there a real human I can chat with?", "person"),
    Case("please put me through to a sales rep", "person"),
    # Out of scope or unknown: no confident answer to a different question
    Case("What's the weather in Berlin?", "unknown"),
    Case("Are you ISO 27001 certified?", "unknown"),
    Case("Are you FedRAMP authorized?", "unknown"),
    Case("Do you support HIPAA BAAs?", "unknown"),
    Case("Do you scan mobile apps?", "unknown"),
    Case("Do you have an office in Tokyo?", "unknown"),
    Case("Who won the football last night?", "unknown"),
)  # fmt: skip
