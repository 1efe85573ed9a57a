"""The admin's import preview, one row at a time: what each row of the file will do.

django-import-export's own preview is a table of every model field per row (2,554 px wide for
leads) whose errors hide behind a count badge, and it refuses the whole file when one row is
bad. `LeadResource(preview=True)` instead notes an `ImportPreviewRow` per row while it runs:
the outcome (new, update, unchanged, error), every error by column, and for a known lead the
decision per field (`leads.import_policy`: filled, moved forward, kept and why, overwritten).
The template `admin/leads/lead/import.html` shows them in a table that fits 1366 px.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from import_export.results import RowResult

from .import_policy import COLUMN_OF_ATTRIBUTE, Decision, FieldDecision, display_value

OUTCOME_LABELS = {
    RowResult.IMPORT_TYPE_NEW: "New",
    RowResult.IMPORT_TYPE_UPDATE: "Update",
    RowResult.IMPORT_TYPE_SKIP: "Unchanged",
    RowResult.IMPORT_TYPE_INVALID: "Error",
    RowResult.IMPORT_TYPE_ERROR: "Error",
}
#: Preview wording of each decision.
DECISION_LABELS = {
    Decision.SET: "set",
    Decision.FILL: "filled",
    Decision.ADVANCE: "moves forward",
    Decision.OVERWRITE: "overwritten",
    Decision.KEEP: "kept",
    Decision.SAME: "unchanged",
}


@dataclass(frozen=True)
class PreviewCell:
    """One field of one row as the preview shows it."""

    column: str
    decision: str  # a `Decision` value
    label: str  # DECISION_LABELS
    current: str  # the lead's value, for display ("—" when none)
    incoming: str  # the file's value, for display
    reason: str
    overwritable: bool

    @classmethod
    def of(cls, decision: FieldDecision) -> PreviewCell:
        return cls(
            column=decision.column,
            decision=decision.decision.value,
            label=DECISION_LABELS[decision.decision],
            current=display_value(decision.current, decision.column),
            incoming=display_value(decision.incoming, decision.column),
            reason=decision.reason,
            overwritable=decision.overwritable,
        )


@dataclass
class ImportPreviewRow:
    number: int  # data row: 1 is the first row under the header
    outcome: str  # a RowResult.IMPORT_TYPE_* value
    email: str
    errors: list[tuple[str, list[str]]] = field(default_factory=list)  # (column, messages)
    cells: list[PreviewCell] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def is_error(self) -> bool:
        return self.outcome in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR)

    @property
    def changes(self) -> list[PreviewCell]:
        """The cells worth a line: everything but "the file says what the lead has"."""
        return [cell for cell in self.cells if cell.decision != Decision.SAME]

    @property
    def overwritable_columns(self) -> list[str]:
        return [cell.column for cell in self.cells if cell.overwritable]


def _errors_by_column(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [
            ("row" if column == "__all__" else column, list(messages))
            for column, messages in error.message_dict.items()
        ]
    return [("row", list(error.messages))]


def preview_row_build(
    *, number: int, row: dict[str, Any], row_result: RowResult, current: Any
) -> ImportPreviewRow:
    """The preview of one imported row; `current` is the resource's cleaned row (a
    `LeadImportRow`), None when the row could not even be cleaned."""
    email = current.email if current is not None else str(row.get("email") or "").strip()[:254]
    preview = ImportPreviewRow(number=number, outcome=row_result.import_type, email=email)
    if row_result.validation_error is not None:
        preview.errors = _errors_by_column(row_result.validation_error)
    elif row_result.errors:
        preview.errors = [("row", [str(error.error) for error in row_result.errors])]
    if preview.is_error or current is None:
        return preview
    if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
        preview.cells = [
            PreviewCell.of(
                FieldDecision(COLUMN_OF_ATTRIBUTE.get(attribute, attribute), Decision.SET, None, value)
            )
            for attribute, value in current.values.items()
        ]
    else:
        preview.cells = [PreviewCell.of(decision) for decision in current.decisions]
    return preview


#: Rows without errors the preview lists; every error row is listed, however many.
PREVIEW_ROWS_SHOWN = 300


@dataclass
class ImportPreview:
    """The whole file's preview: rows, counts, ignored columns, and what could be overwritten."""

    rows: list[ImportPreviewRow]
    unknown_columns: list[str]

    @property
    def shown(self) -> list[ImportPreviewRow]:
        """Every error row and the first `PREVIEW_ROWS_SHOWN` others, in file order: a
        20,000-row file stays a page a browser can show, and no error is ever left out."""
        shown, others = [], 0
        for row in self.rows:
            if row.is_error or others < PREVIEW_ROWS_SHOWN:
                shown.append(row)
                others += not row.is_error
        return shown

    @property
    def not_shown(self) -> int:
        return len(self.rows) - len(self.shown)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "update": 0, "skip": 0, "error": 0}
        for row in self.rows:
            key = "error" if row.is_error else row.outcome
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def importable(self) -> int:
        return sum(1 for row in self.rows if not row.is_error)

    @property
    def overwritable(self) -> list[tuple[str, int]]:
        """(column, how many rows keep a value the importer could overwrite), in column order."""
        found: dict[str, int] = {}
        for row in self.rows:
            for column in row.overwritable_columns:
                found[column] = found.get(column, 0) + 1
        return list(found.items())
