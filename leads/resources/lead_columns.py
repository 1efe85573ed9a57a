"""The lead file's columns, and the plain values an import works with: a cleaned row
(`LeadImportRow`), a timeline entry to write (`ImportEvent`), the e-mail instance loader.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from import_export.instance_loaders import BaseInstanceLoader

from ..domains import EmailDomain
from ..import_policy import FieldDecision
from ..models import Lead, LeadEvent
from ..services import lead_event_build
from .cells import _cell_text

if TYPE_CHECKING:
    from .leads import LeadResource

# --- Leads ----------------------------------------------------------------------------------------

#: Text columns of a lead file → model attribute (the limit comes from the model field).
LEAD_TEXT_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "job_title": "job_title",
    "phone": "phone",
    "company": "company_name",
    "lost_reason": "lost_reason",
    "message": "message",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "utm_term": "utm_term",
    "utm_content": "utm_content",
}
#: Every column an import may set, in file order.
LEAD_IMPORT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "phone",
    "company",
    "status",
    "lost_reason",
    "source",
    "message",
    "owner",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "consent_marketing",
    "next_follow_up_at",
)
#: Columns an export adds; an import accepts and ignores them, so an export imports back as is.
LEAD_EXPORT_ONLY_COLUMNS = ("score", "estimated_deal_value", "company_domain", "fortune_rank", "created_at")
#: Changes to existing leads that go through their own service, for its checks and timeline entry.
LEAD_SERVICE_ATTRIBUTES = ("status", "owner", "next_follow_up_at")
IMPORT_ACTOR_LABEL = "import"


class LeadImportColumnsError(ValueError):
    """The header row is unusable: no e-mail column, or columns nobody knows (typos)."""


def lead_import_columns_check(headers: Iterable[Any]) -> list[str]:
    """The file's column names, stripped and lower-cased; raises `LeadImportColumnsError` for a
    file without an `email` column or with a known column twice (which cell would count?).

    Unknown columns do not stop the file: they are ignored and named to the importer
    (`lead_import_unknown_columns`), so one stray "notes" column does not refuse 500 good rows,
    and a mistyped "firstname" is still seen in the preview and the command's summary."""
    columns = [_cell_text(header).lower() for header in headers]
    if "email" not in columns:
        unknown = lead_import_unknown_columns(columns)
        found = f" (found {', '.join(repr(c) for c in unknown)})" if unknown else ""
        raise LeadImportColumnsError(
            f"The file has no 'email' column{found}; expected columns: " + ", ".join(LEAD_IMPORT_COLUMNS)
        )
    known = set(LEAD_IMPORT_COLUMNS) | set(LEAD_EXPORT_ONLY_COLUMNS)
    repeated = sorted({column for column in columns if column in known and columns.count(column) > 1})
    if repeated:
        raise LeadImportColumnsError(f"Column(s) {', '.join(repeated)} appear more than once")
    return columns


def lead_import_unknown_columns(columns: Iterable[str]) -> list[str]:
    """The columns of a (checked) header that an import ignores, as the importer should see them."""
    known = set(LEAD_IMPORT_COLUMNS) | set(LEAD_EXPORT_ONLY_COLUMNS)
    return [column or "(no name)" for column in columns if column not in known]


class ImportEvent(NamedTuple):
    """A timeline entry an import writes, as plain values: the command's bulk writer
    (`leads.bulk_import`) inserts these directly, the admin's import saves `build()`."""

    lead: Lead
    kind: str
    summary: str  # at most 500 characters
    data: dict[str, Any]
    actor: Any  # the staff user, or None
    actor_label: str  # their username, or who else did it ("import", "system")
    created_at: datetime

    def build(self) -> LeadEvent:
        """The unsaved model instance, for `bulk_create`."""
        return lead_event_build(
            lead=self.lead,
            kind=self.kind,
            summary=self.summary,
            data=self.data,
            actor=self.actor,
            actor_label=self.actor_label,
            created_at=self.created_at,
        )


@dataclass
class LeadImportRow:
    """One cleaned row, and what importing it changes (kept on the instance as `_import_row`)."""

    number: int  # data row in the file: 1 is the first row under the header
    email: str
    key: str  # the e-mail as the database's unique index compares it (lower case)
    domain: EmailDomain
    values: dict[str, Any]  # attribute → value, for the cells that are not blank
    new: bool = True
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # attribute → (old, new)
    status: tuple[str, str] | None = None  # (new status, lost reason) via lead_change_status
    owner: tuple[Any] | None = None  # (new owner or None,) via lead_assign
    follow_up: tuple[datetime | None] | None = None  # via lead_schedule_follow_up
    rescore_later: bool = False
    decisions: list[FieldDecision] = field(default_factory=list)  # a known lead's, per field

    @property
    def service_changes(self) -> bool:
        return any(change is not None for change in (self.status, self.owner, self.follow_up))


class LeadEmailInstanceLoader(BaseInstanceLoader):
    """Finds the lead of each row by e-mail, case-insensitively, with one query per chunk."""

    def __init__(self, resource: LeadResource, dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        self.leads = resource.existing_leads(dataset)

    def get_instance(self, row: dict[str, Any]) -> Lead | None:
        current = self.resource.current
        return self.leads.get(current.key) if current is not None else None
