"""The demo's leads: a Microsoft CISO, a JPMorgan Chase VP, and a pipeline with a lead in every status.

Only what a person typed or a rep decided is here. Score, seniority, its explanation and the
estimated deal value are not: the scoring engine computes them from the title, the company and
what the person did on the site (see demo.specs.visitors), as it does for real leads.
People, phone numbers and notes are fictional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leads.models import LeadSource, LeadStatus

# Follow-up moments, relative to today in the current time zone: (days from today, hour).
TODAY = (0, 17)
TOMORROW = (1, 10)
IN_3_DAYS = (3, 14)
NEXT_WEEK = (7, 10)
OVERDUE_2_DAYS = (-2, 9)
OVERDUE_5_DAYS = (-5, 11)

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
    company_domain: str | None  # the company's main domain the e-mail resolves to (maybe by alias)
    source: str  # the form (or channel) the lead came in through
    status: str
    hours_ago: float  # when the lead came in
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
        "microsoft.com", LeadSource.ASSESSMENT, LeadStatus.QUALIFIED, 71.5,
        follow_up=TODAY, phone="+1 425 555 0142",
        message="Please assess www.microsoft.com ahead of our Q1 security review. "
        "About 25,000 employees are in scope for the first phase.",
        notes=(
            "Asked in chat how findings reach Microsoft Sentinel (formerly Azure Sentinel). Wants the "
            "assessment report walked through with two AppSec leads; call booked for today.",
        ),
    ),
    LeadSpec(
        "r.okafor@microsoft.com", "Raymond", "Okafor", "Principal Security Architect",
        "microsoft.com", LeadSource.CHAT, LeadStatus.CONTACTED, 20, follow_up=TOMORROW,
    ),
    LeadSpec(
        "marcus.reyes@jpmorgan.com", "Marcus", "Reyes", "VP, Cyber Security Operations",
        "jpmorganchase.com", LeadSource.DEMO_REQUEST, LeadStatus.DEMO_SCHEDULED, 190.2, follow_up=TOMORROW,
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
        "jpmorganchase.com", LeadSource.ASSESSMENT, LeadStatus.QUALIFIED, 150,
    ),
    LeadSpec(
        "tom.becker@walmart.com", "Tom", "Becker", "Director, Information Security",
        "walmart.com", LeadSource.CONTACT, LeadStatus.CONTACTED, 230,
        follow_up=OVERDUE_2_DAYS, phone="+1 479 555 0110",
        message="Looking at external attack-surface tooling for our e-commerce properties.",
    ),
    # A likely duplicate of Tom Becker (same phone, same name at the same company), as a rep
    # finds them: he came back through the chat with another address. Shown on the duplicates page.
    LeadSpec(
        "tbecker@walmart.com", "Tom", "Becker", "Director, Information Security",
        "walmart.com", LeadSource.CHAT, LeadStatus.NEW, 26, phone="(479) 555-0110",
    ),
    LeadSpec(
        "lina.choi@walmart.com", "Lina", "Choi", "Security Operations Center Lead",
        "walmart.com", LeadSource.IMPORT, LeadStatus.NEW, 100,
    ),
    LeadSpec(
        "g.martinez@apple.com", "Gabriel", "Martinez", "Security Engineering Manager",
        "apple.com", LeadSource.ASSESSMENT, LeadStatus.NEW, 12,
    ),
    LeadSpec(
        "priya.raman@google.com", "Priya", "Raman", "Staff Security Engineer",
        "google.com", LeadSource.CHAT, LeadStatus.NEW, 8,
    ),
    LeadSpec(
        "helen.zhao@citi.com", "Helen", "Zhao", "SVP, Information Security",
        "citi.com", LeadSource.DEMO_REQUEST, LeadStatus.PROPOSAL, 214.5, follow_up=NEXT_WEEK,
        notes=("Proposal sent: 3-year enterprise licence for 40 business units. Legal review next week.",),
    ),
    LeadSpec(
        "d.fischer@bankofamerica.com", "Daniel", "Fischer", "Chief Technology Officer, Global Banking",
        "bofa.com", LeadSource.CONTACT, LeadStatus.CLOSED_LOST, 840,
        lost_reason="Renewed the incumbent vendor's 3-year contract", lost_after=LeadStatus.PROPOSAL,
        notes=("Lost on timing: incumbent renewed early. Revisit in Q3 of the renewal's last year.",),
    ),
    LeadSpec(
        "k.osei@optum.com", "Kwame", "Osei", "Director of Cyber Risk",
        "unitedhealthgroup.com", LeadSource.DEMO_REQUEST, LeadStatus.CLOSED_WON,
        1440,
        actual_deal_value=1_150_000,
        notes=("Signed a 2-year enterprise agreement covering the Optum and UHC domains.",),
    ),
    LeadSpec(
        "sarah.lindqvist@lockheedmartin.com", "Sarah", "Lindqvist", "Chief Information Security Officer",
        "lmco.com", LeadSource.DEMO_REQUEST, LeadStatus.DEMO_SCHEDULED, 99.7, follow_up=IN_3_DAYS,
    ),
    LeadSpec(
        "j.nguyen@lockheedmartin.com", "James", "Nguyen", "Security Analyst",
        "lmco.com", LeadSource.NEWSLETTER, LeadStatus.NEW, 300, consent_marketing=True,
    ),
    LeadSpec(
        "e.brooks@northwindhealth.example", "Emily", "Brooks", "IT Director",
        "northwindhealth.example", LeadSource.DEMO_REQUEST, LeadStatus.CLOSED_WON,
        1080,
        actual_deal_value=180_000, partner_code="SECUREPATH",
        utm={"utm_source": "securepath", "utm_medium": "referral"},
        notes=("Referred by SecurePath Advisory. Signed; partner commission approved.",),
    ),
    LeadSpec(
        "m.alvarez@northwindhealth.example", "Miguel", "Alvarez", "Security Manager",
        "northwindhealth.example", LeadSource.MANUAL, LeadStatus.QUALIFIED, 500,
    ),
    LeadSpec(
        "rachel.kim@contoso-logistics.example", "Rachel", "Kim", "Chief Information Officer",
        "contoso-logistics.example", LeadSource.CHAT, LeadStatus.PROPOSAL, 129.2,
        follow_up=NEXT_WEEK, phone="+1 901 555 0163",
    ),
    LeadSpec(
        "b.walsh@contoso-logistics.example", "Brian", "Walsh", "IT Manager",
        "contoso-logistics.example", LeadSource.CONTACT, LeadStatus.CLOSED_LOST, 600, lost_reason="No budget this fiscal year",
    ),
    LeadSpec(
        "olivia.grant@fabrikam.example", "Olivia", "Grant", "Co-founder & CTO",
        "fabrikam.example", LeadSource.ASSESSMENT, LeadStatus.DEMO_SCHEDULED, 39.7,
        follow_up=TOMORROW, consent_marketing=True,
    ),
    LeadSpec(
        "n.harper@tailspin-outdoor.example", "Noah", "Harper", "Head of IT",
        "tailspin-outdoor.example", LeadSource.CONTACT, LeadStatus.CONTACTED, 260, follow_up=OVERDUE_5_DAYS,
    ),
    LeadSpec(
        "security.curious.reader@gmail.com", "", "", "",
        None, LeadSource.NEWSLETTER, LeadStatus.NEW, 59.8, consent_marketing=True,
    ),
)  # fmt: skip

MICROSOFT_CISO_EMAIL = "dana.whitfield@microsoft.com"
