"""`load_demo_data`: the demo story, created through each app's services.

Order matters because it is the product's order: reference rows (website, companies with their
alias domains and IP ranges, partners), then leads arriving through intake and worked through
the pipeline, then each browser's activity stitched to its lead (events, ROI calculations,
chats), the assessment, then the score of every new lead, computed by `lead_rescore` from
all of that activity: the stored explanation is the scoring engine's, so the lead page explains
the score it shows; last the assessment's PDF report (it includes the lead's ROI calculation).
A database seeded by an older version is mended on the next run: hand-written scores are
re-scored by the engine, and a completed demo assessment without its PDF gets one. Idempotent: every part is looked up by a natural key first (company domain,
alias, partner code, website name, lead e-mail, visitor id, article slug); rows without one are
made only with a parent made in the same run. A second run changes nothing.
"""

from __future__ import annotations

from typing import TextIO

from django.db import transaction
from django.utils import timezone

from demo.specs.leads import MICROSOFT_CISO_EMAIL
from leads.services import lead_rescore

from .activity import load_visitors
from .assessments import attach_missing_reports, load_microsoft_assessment
from .leads import demo_leads, load_leads
from .reference import load_articles, load_companies, load_partners, load_website
from .result import DemoResult, row_counts
from .rollups import rollup_recent_days

__all__ = ["DemoResult", "load_demo_data"]

#: Progress lines: (part, the model labels whose counts it reports).
PARTS: dict[str, tuple[str, ...]] = {
    "companies": ("leads.Company", "leads.CompanyDomain"),
    "partners": ("partners.Partner",),
    "leads": (
        "leads.Lead",
        "leads.LeadNote",
        "assessments.SecurityAssessment",
        "assessments.Finding",
        "partners.Commission",
    ),
    "website activity": (
        "analytics.Visitor",
        "analytics.Event",
        "assessments.RoiCalculation",
        "chat.Conversation",
        "chat.Message",
    ),
    "knowledge base": ("chat.KnowledgeArticle",),
}


#: Keys of the scoring engine's breakdown (leads.scoring). An older seed wrote its own shape, and
#: such leads showed "Not scored yet." beside their score.
ENGINE_BREAKDOWN_KEYS = frozenset({"fit", "engagement", "penalties", "raw", "total"})


def rescore_hand_scored_leads(*, skip: set) -> int:
    """Re-score, through `lead_rescore`, demo leads an older seed scored by hand (no engine
    breakdown); returns how many. A database seeded by this version has none."""
    count = 0
    for lead in demo_leads().values():
        if lead.pk in skip:
            continue
        breakdown = lead.score_breakdown if isinstance(lead.score_breakdown, dict) else {}
        if lead.scored_at is None or not breakdown.keys() >= ENGINE_BREAKDOWN_KEYS:
            lead_rescore(lead_id=lead.pk)
            count += 1
    return count


@transaction.atomic
def load_demo_data(*, stdout: TextIO | None = None) -> DemoResult:
    """Create the demo data set where it is missing; rows already there are left as they are.

    `stdout`, when given, receives one progress line per part of the data set.
    """
    now = timezone.now()
    before = row_counts()
    result = DemoResult(website=load_website(now))

    def report(part: str) -> None:
        nonlocal before
        result.record(before)
        before = row_counts()
        if stdout is not None:
            counts = ", ".join(
                f"{result.created.get(label, 0)} {label.split('.')[1]}" for label in PARTS[part]
            )
            stdout.write(f"  {part}: created {counts}\n")

    load_companies()
    report("companies")
    load_partners()
    report("partners")
    new_leads = load_leads(website=result.website, now=now)
    for lead in new_leads:
        if lead.email == MICROSOFT_CISO_EMAIL:
            load_microsoft_assessment(lead)
    report("leads")
    load_visitors(website=result.website, leads=demo_leads(), now=now)
    report("website activity")
    for lead in new_leads:
        lead_rescore(lead_id=lead.pk)
    rescore_hand_scored_leads(skip={lead.pk for lead in new_leads})
    attach_missing_reports()
    rollup_recent_days(now)
    load_articles()
    report("knowledge base")
    return result
