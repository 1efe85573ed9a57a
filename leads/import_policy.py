"""What a re-import may change on a lead that already exists: one decision per field.

Why a policy at all: a spreadsheet is a second-hand copy of what we know. Seen in the field: a
sheet exported weeks ago with `status=new` took a Contacted lead back to New (and scoring then
qualified it again), replaced the job title the rep had corrected, and replaced the lead's
first-touch `utm_source` — the one fact about where the lead came from. So, per field:

* **fill** — the lead has no value yet: the file's value is taken.
* **keep** — the lead has a different value: it stays. For the *profile* fields
  (`OVERWRITABLE_COLUMNS`: names, title, phone, company name, owner, follow-up, consent, lost
  reason) the person importing may choose, in the admin's preview or with
  `import_leads --overwrite`, to **overwrite** them instead.
* **history** fields (`HISTORY_COLUMNS`: the lead's source, its first message and first-touch
  UTM parameters) are the lead's own record of how it arrived: filled when empty, never
  overwritten, whatever is chosen.
* **status** moves only forward through the pipeline (`STATUS_RANK`); a closed lead stays closed.
  A backward move is kept, with the reason shown.

A new lead takes every value of its row (decision "set"). The decisions are kept on the row
(`LeadImportRow.decisions`) so that the admin's preview shows them per row and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils import timezone

from .models import Lead, LeadStatus


class Decision(StrEnum):
    SET = "set"  # a new lead: the file's value
    FILL = "fill"  # the lead had no value
    ADVANCE = "advance"  # status: a step forward in the pipeline
    OVERWRITE = "overwrite"  # replaced, because the importer chose so for this column
    KEEP = "keep"  # the lead's value stays
    SAME = "same"  # the file says what the lead already has


#: Decisions that change the lead.
APPLIED = frozenset({Decision.SET, Decision.FILL, Decision.ADVANCE, Decision.OVERWRITE})

#: How far along the pipeline a status is; a re-import never lowers it. Both closed statuses
#: are final: a closed lead is reopened by a person, never by a file.
STATUS_RANK: dict[str, int] = {
    LeadStatus.NEW: 0,
    LeadStatus.QUALIFIED: 1,
    LeadStatus.CONTACTED: 2,
    LeadStatus.DEMO_SCHEDULED: 3,
    LeadStatus.PROPOSAL: 4,
    LeadStatus.CLOSED_WON: 5,
    LeadStatus.CLOSED_LOST: 5,
}

#: Columns whose existing value the importer may choose to overwrite (column → model attribute).
OVERWRITABLE_COLUMNS: dict[str, str] = {
    "first_name": "first_name",
    "last_name": "last_name",
    "job_title": "job_title",
    "phone": "phone",
    "company": "company_name",
    "owner": "owner",
    "next_follow_up_at": "next_follow_up_at",
    "consent_marketing": "consent_marketing",
    "lost_reason": "lost_reason",
}
#: The lead's own history: filled when empty, never overwritten by a file.
HISTORY_COLUMNS: dict[str, str] = {
    "source": "source",
    "message": "message",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "utm_term": "utm_term",
    "utm_content": "utm_content",
}
COLUMN_OF_ATTRIBUTE: dict[str, str] = {
    attribute: column for column, attribute in {**OVERWRITABLE_COLUMNS, **HISTORY_COLUMNS}.items()
} | {"status": "status"}


def overwrite_columns_clean(columns: Any) -> frozenset[str]:
    """The overwritable columns among `columns` (names, or a comma-separated string); raises
    ValueError naming any other column, so a typo on the command line is not silently ignored."""
    if isinstance(columns, str):
        columns = [part for part in columns.replace(" ", ",").split(",") if part]
    wanted = {str(column).strip().lower() for column in columns or ()}
    refused = sorted(wanted - set(OVERWRITABLE_COLUMNS))
    if refused:
        raise ValueError(
            f"Cannot overwrite {', '.join(refused)}; columns that can be overwritten: "
            + ", ".join(OVERWRITABLE_COLUMNS)
        )
    return frozenset(wanted)


@dataclass(frozen=True)
class FieldDecision:
    """What importing one cell does to one field of a lead, and why (shown in the preview)."""

    column: str
    decision: Decision
    current: Any  # the lead's value before the import (None for a new lead)
    incoming: Any  # the file's value
    reason: str = ""

    @property
    def applied(self) -> bool:
        return self.decision in APPLIED

    @property
    def overwritable(self) -> bool:
        """A kept value the importer could choose to overwrite."""
        return self.decision is Decision.KEEP and self.column in OVERWRITABLE_COLUMNS


def display_value(value: Any, column: str = "") -> str:
    """A field value as the preview shows it: a user's name, a local date-time, yes/no, and for
    the status column its label."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "get_username"):
        return value.get_username()
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if column == "status" and value in LeadStatus.values:
        return str(LeadStatus(value).label)
    return str(value)


def _is_empty(value: Any) -> bool:
    return value is None or value == ""


def decide_status(*, lead: Lead, status: str) -> FieldDecision:
    """Forward moves are taken; a backward move or leaving a closed status is kept."""
    current = lead.status
    if status == current:
        return FieldDecision("status", Decision.SAME, current, status)
    if STATUS_RANK[status] > STATUS_RANK[current]:
        return FieldDecision("status", Decision.ADVANCE, current, status)
    if STATUS_RANK[current] == STATUS_RANK[LeadStatus.CLOSED_WON]:
        reason = f"the lead is {LeadStatus(current).label}; a file never reopens a closed lead"
    else:
        reason = f"a file never moves a lead back (it is {LeadStatus(current).label})"
    return FieldDecision("status", Decision.KEEP, current, status, reason)


def decide_field(*, lead: Lead, attribute: str, incoming: Any, overwrite: frozenset[str]) -> FieldDecision:
    """The decision for one non-status attribute of an existing lead (see the module docstring)."""
    column = COLUMN_OF_ATTRIBUTE.get(attribute, attribute)
    current = lead.owner if attribute == "owner" else getattr(lead, attribute)
    same = current == incoming
    if attribute == "owner":
        same = current is not None and incoming is not None and current.pk == incoming.pk
    if same:
        return FieldDecision(column, Decision.SAME, current, incoming)
    # "No consent" is a fact, not a blank: consent changes only when the importer chooses so.
    empty = _is_empty(current) and attribute != "consent_marketing"
    if empty:
        return FieldDecision(column, Decision.FILL, current, incoming)
    if column in HISTORY_COLUMNS:
        return FieldDecision(column, Decision.KEEP, current, incoming, "the lead's own first-touch record")
    if column in overwrite:
        return FieldDecision(column, Decision.OVERWRITE, current, incoming)
    if attribute == "consent_marketing":
        return FieldDecision(
            column, Decision.KEEP, current, incoming, "consent changes only when you choose so"
        )
    return FieldDecision(column, Decision.KEEP, current, incoming, "the lead already has a value")
