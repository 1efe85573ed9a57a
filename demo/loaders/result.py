"""What a run of the demo loader created, counted per model."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Model

from analytics.models import Event, Visitor, Website
from assessments.models import Finding, RoiCalculation, SecurityAssessment
from chat.models import Conversation, KnowledgeArticle, Message
from leads.models import Company, CompanyDomain, Lead, LeadEvent, LeadNote
from partners.models import Commission, Partner

#: The rows the demo is made of. Services write them as side effects too (a timeline entry per
#: chat, an event per ROI calculation), so the loader counts rows before and after rather than
#: counting its own calls. Rollups and queued jobs are derived data and are not counted.
COUNTED: tuple[type[Model], ...] = (
    Website,
    Company,
    CompanyDomain,
    Partner,
    Lead,
    LeadEvent,
    LeadNote,
    SecurityAssessment,
    Finding,
    Commission,
    Visitor,
    Event,
    RoiCalculation,
    Conversation,
    Message,
    KnowledgeArticle,
)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in COUNTED}


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

    def record(self, before: dict[str, int]) -> None:
        """Add the rows created since the `before` snapshot."""
        for label, count in row_counts().items():
            self.created[label] = self.created.get(label, 0) + count - before[label]
