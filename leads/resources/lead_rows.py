"""`LeadResource`'s per-row steps: clean a row into a `LeadImportRow` (or raise its problems by
column), check who may change the lead, and apply it (a new lead takes every value; a known
lead follows `leads.import_policy`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from ..domains import classify_email_domain
from ..import_policy import decide_field, decide_status
from ..models import Lead, LeadSource, LeadStatus
from ..services import lead_status_change_validate
from .cells import (
    _aware_datetime,
    _boolean,
    _cell_text,
    _choice,
    _RowErrors,
)
from .lead_columns import (
    LEAD_TEXT_COLUMNS,
    LeadImportRow,
)


class LeadRowsMixin:
    """Cleaning and applying one row of a lead file (see `LeadResource`): every problem of a
    row by column, and for a known lead the re-import policy (`leads.import_policy`)."""

    # --- Import: per row -----------------------------------------------------------------------

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        """Clean one row into `self.current`, or raise every problem of it as a ValidationError."""
        index = int(kwargs.get("row_number") or 0)  # 1-based within this dataset
        number = self.row_numbers[index - 1] if self.row_numbers else index
        self.current = None
        errors = _RowErrors()
        values: dict[str, Any] = {}

        raw_email = _cell_text(row.get("email"))
        email = self._normalised_email(raw_email) if raw_email else None
        key = ""
        if email is None:
            errors.add("email", "The e-mail address is missing.")
        elif isinstance(email, Exception):
            errors.add("email", f"{raw_email[:100]!r} is not a valid e-mail address: {email}")
        elif len(email) > Lead._meta.get_field("email").max_length:
            errors.add("email", "The e-mail address is longer than 254 characters.")
        else:
            key = email.lower()
            first = self._seen.setdefault(key, number)
            if first != number:
                errors.add("email", f"{email} is already in row {first} of this file.")

        for column, attribute in LEAD_TEXT_COLUMNS.items():
            if column not in row:
                continue
            text = _cell_text(row[column])
            limit = Lead._meta.get_field(attribute).max_length
            if limit is not None and len(text) > limit:
                errors.add(column, f"{len(text)} characters; at most {limit} fit.")
            elif text:
                values[attribute] = text

        for column, choices in (("status", LeadStatus), ("source", LeadSource)):
            text = _cell_text(row.get(column))
            if text:
                value = _choice(text, choices)
                if value is None:
                    errors.add(
                        column,
                        f"Unknown {column} {text[:50]!r}; one of: {', '.join(choices.values)}.",
                    )
                else:
                    values[column] = value

        username = _cell_text(row.get("owner"))
        if username:
            owner = self._staff_by_username().get(username)
            if owner is None:
                errors.add("owner", f"No active staff user {username[:150]!r}.")
            elif self.restricted and owner.pk != getattr(self.user, "pk", None):
                errors.add("owner", "Only sales managers can assign leads to someone else.")
            else:
                values["owner"] = owner

        if _cell_text(row.get("consent_marketing")):
            consent = _boolean(row["consent_marketing"])
            if consent is None:
                errors.add("consent_marketing", "Use yes/no, true/false or 1/0.")
            else:
                values["consent_marketing"] = consent

        if _cell_text(row.get("next_follow_up_at")):
            moment = _aware_datetime(row["next_follow_up_at"])
            if moment is None:
                errors.add(
                    "next_follow_up_at",
                    f"{_cell_text(row['next_follow_up_at'])[:50]!r} is not a date "
                    "(use YYYY-MM-DD or YYYY-MM-DD HH:MM).",
                )
            else:
                values["next_follow_up_at"] = moment

        errors.raise_if_any()
        assert isinstance(email, str)
        self.current = LeadImportRow(
            number=number, email=email, key=key, domain=classify_email_domain(email), values=values
        )

    def after_init_instance(self, instance: Lead, new: bool, row: dict[str, Any], **kwargs: Any) -> None:
        """A sales rep may update only their own leads and the unassigned queue."""
        if not new and self.restricted and instance.owner_id not in (None, getattr(self.user, "pk", None)):
            raise ValidationError({"email": "A lead with this e-mail exists and belongs to another rep."})

    def import_instance(self, instance: Lead, row: dict[str, Any], **kwargs: Any) -> None:
        """Apply the cleaned row: every value to a new lead, the changed ones to a known lead."""
        current = self.current
        assert current is not None
        current.new = instance._state.adding
        instance._import_row = current  # type: ignore[attr-defined]
        if current.new:
            instance.email = current.email
            for attribute, value in self.new_lead_values(current).items():
                setattr(instance, attribute, value)
            if instance.consent_marketing:
                instance.consent_marketing_at = self._now
            return

        # A known lead: each field by the re-import policy (`leads.import_policy`).
        values = dict(current.values)
        status = values.pop("status", None)
        if status is not None:
            decision = decide_status(lead=instance, status=status)
            current.decisions.append(decision)
            if decision.applied:
                reason = ""
                if status == LeadStatus.CLOSED_LOST:
                    reason = values.pop("lost_reason", "") or instance.lost_reason
                    if not reason:
                        raise ValidationError(
                            {"lost_reason": "Say why the deal was lost (closed_lost needs it)."}
                        )
                lead_status_change_validate(status=status, lost_reason=reason, lead=instance)
                current.status = (status, reason)
        for attribute, value in values.items():
            decision = decide_field(
                lead=instance, attribute=attribute, incoming=value, overwrite=self.overwrite
            )
            current.decisions.append(decision)
            if not decision.applied:
                continue
            if attribute == "owner":
                current.owner = (value,)
            elif attribute == "next_follow_up_at":
                current.follow_up = (value,)
            else:
                current.changes[attribute] = (getattr(instance, attribute), value)
                setattr(instance, attribute, value)
        if current.changes.get("consent_marketing", (None, False))[1] and not instance.consent_marketing_at:
            instance.consent_marketing_at = self._now
            current.changes["consent_marketing_at"] = (None, self._now)

    def new_lead_values(self, current: LeadImportRow) -> dict[str, Any]:
        """Every attribute a new lead takes from its cleaned row: the row's values, source
        "import" and the default owner unless the row names them; raises the one rule that needs
        the whole row (a lost deal says why). Shared by `import_instance` and the PostgreSQL
        writer (`leads.import_sql`), which builds no model instance for a new lead."""
        values = dict(current.values)
        values.setdefault("source", LeadSource.IMPORT)
        if "owner" not in values and self.default_owner is not None:
            values["owner"] = self.default_owner
        if values.get("status") == LeadStatus.CLOSED_LOST and not values.get("lost_reason"):
            raise ValidationError({"lost_reason": "Say why the deal was lost (closed_lost needs it)."})
        return values

    def skip_row(
        self,
        instance: Lead,
        original: Lead | None,
        row: dict[str, Any],
        import_validation_errors: dict[str, Any] | None = None,
    ) -> bool:
        """A known lead that the row would not change is reported as skipped, and not written."""
        current = self.current
        if import_validation_errors or current is None or current.new:
            return False
        return not current.changes and not current.service_changes
