"""The dry run of a merge: which value each field of the survivor ends up with, what moves to
it, and what makes the merge impossible. Nothing here writes; `merge.lead_merge` applies it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from analytics.models import Event, Visitor
from assessments.models import MonitoredTarget, RoiCalculation, SecurityAssessment
from chat.models import Conversation
from partners.models import Commission

from ..models import Lead, LeadEvent, LeadNote, Seniority

#: A merge preview lists every field of every lead; more than this is a mistake, not a merge.
MAX_MERGE_LEADS = 10


@dataclass(frozen=True)
class FieldChange:
    """One field of the survivor: its value now, its value after the merge, and from whom."""

    name: str
    label: str
    current: str
    new: str
    source: str  # e-mail of the lead the new value comes from
    changes: bool
    value: Any = field(repr=False, compare=False)


@dataclass
class MergePlan:
    """What merging `others` into `keep` will do. Built without writing anything (the dry run
    the admin shows before confirming); `lead_merge` builds it again on locked rows and applies it."""

    keep: Lead
    others: list[Lead]
    fields: list[FieldChange]
    moves: dict[str, int]
    warnings: list[str]
    errors: list[str]

    @property
    def can_merge(self) -> bool:
        return not self.errors

    @property
    def changed_fields(self) -> list[FieldChange]:
        return [change for change in self.fields if change.changes]

    def as_data(self) -> dict[str, Any]:
        """The plan as JSON, stored on the survivor's MERGED timeline entry."""
        return {
            "survivor": str(self.keep.pk),
            "merged": [{"id": str(lead.pk), "email": lead.email} for lead in self.others],
            "fields": {
                change.name: {"from": change.current, "to": change.new, "source": change.source}
                for change in self.changed_fields
            },
            "moved": self.moves,
            "warnings": self.warnings,
        }


#: Profile fields: the newest lead that has a value gives it (people update their details).
NEWEST_WINS = (
    "first_name",
    "last_name",
    "job_title",
    "seniority",
    "phone",
    "company",
    "company_name",
    "message",
    "actual_deal_value",
    "next_follow_up_at",
)
#: Ownership fields: the survivor's value stays when it has one (a conflict is a warning);
#: an empty one is filled from the newest lead that has one.
SURVIVOR_FIRST = ("owner", "partner", "visitor")
#: Campaign attribution: first touch wins, as on intake, so the oldest value is kept.
OLDEST_WINS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def _is_empty(name: str, value: Any) -> bool:
    if name == "seniority":
        return value in ("", None, Seniority.UNKNOWN)
    return value is None or value == ""


def _display(value: Any, name: str = "") -> str:
    """A value as the preview shows it: user names, local dates to the minute, yes/no."""
    if value is None:
        return ""
    if hasattr(value, "get_username"):
        return value.get_username()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if name == "seniority" and value in Seniority.values:
        return str(Seniority(value).label)
    return str(value)


def _comparable(value: Any) -> Any:
    return value.pk if hasattr(value, "_meta") else value


def _value(lead: Lead, name: str) -> Any:
    field_ = Lead._meta.get_field(name)
    if field_.is_relation:
        # Compare by id; the object (already joined) is only for display.
        return getattr(lead, name) if getattr(lead, field_.attname) is not None else None
    return getattr(lead, name)


def _label(name: str) -> str:
    return str(Lead._meta.get_field(name).verbose_name).capitalize()


def _moves(others: Sequence[Lead]) -> dict[str, int]:
    """How many rows of each kind move from `others` to the survivor, as the preview lists them."""
    ids = [lead.pk for lead in others]
    return {
        "timeline entries": LeadEvent.objects.filter(lead__in=ids).count(),
        "notes": LeadNote.objects.filter(lead__in=ids).count(),
        "chat conversations": Conversation.objects.filter(lead__in=ids).count(),
        "security assessments": SecurityAssessment.objects.filter(lead__in=ids).count(),
        "watched targets": MonitoredTarget.objects.filter(lead__in=ids).count(),
        "ROI calculations": RoiCalculation.objects.filter(lead__in=ids).count(),
        "website visitors": Visitor.objects.filter(lead__in=ids).count(),
        "website events (with their visitors)": Event.objects.filter(visitor__lead__in=ids).count(),
        "commissions": Commission.objects.filter(lead__in=ids).count(),
    }


def _request_errors(keep: Lead, others: Sequence[Lead]) -> list[str]:
    """What is wrong with the choice of leads itself (before looking at their data)."""
    errors: list[str] = []
    if not others:
        errors.append("Choose at least one other lead to merge into this one.")
    if keep.pk in {lead.pk for lead in others}:
        errors.append("A lead cannot be merged with itself.")
    if 1 + len(others) > MAX_MERGE_LEADS:
        errors.append(f"Merge at most {MAX_MERGE_LEADS} leads at a time.")
    return errors


def _field_change(keep: Lead, name: str, source: Lead, value: Any) -> FieldChange:
    """The survivor's field `name` set to `value`, taken from `source`."""
    current = _value(keep, name)
    return FieldChange(
        name=name,
        label=_label(name),
        current=_display(current, name),
        new=_display(value, name),
        source=source.email,
        changes=_comparable(current) != _comparable(value),
        value=value,
    )


def _first_with_value(name: str, leads: Sequence[Lead], default: Lead) -> Lead:
    """The first of `leads` whose `name` is not empty (`default` when none has one)."""
    return next((lead for lead in leads if not _is_empty(name, _value(lead, name))), default)


def _profile_and_campaign_changes(keep: Lead, newest_first: Sequence[Lead]) -> list[FieldChange]:
    """NEWEST_WINS from the newest lead with a value, OLDEST_WINS from the oldest."""
    oldest_first = list(reversed(newest_first))
    changes = []
    for names, order in ((NEWEST_WINS, newest_first), (OLDEST_WINS, oldest_first)):
        for name in names:
            source = _first_with_value(name, order, keep)
            changes.append(_field_change(keep, name, source, _value(source, name)))
    return changes


def _ownership_changes(
    keep: Lead, others: Sequence[Lead], newest_first: Sequence[Lead]
) -> tuple[list[FieldChange], list[str]]:
    """SURVIVOR_FIRST fields, and a warning for each one the others would have set differently
    (not for the visitor: a person seen on two devices is expected, not a conflict)."""
    changes: list[FieldChange] = []
    warnings: list[str] = []
    for name in SURVIVOR_FIRST:
        mine = _value(keep, name)
        if mine is None:
            source = next((lead for lead in newest_first if _value(lead, name) is not None), keep)
            changes.append(_field_change(keep, name, source, _value(source, name)))
            continue
        changes.append(_field_change(keep, name, keep, mine))
        theirs = {_display(_value(lead, name)) for lead in others if _value(lead, name) is not None} - {
            _display(mine)
        }
        if theirs and name != "visitor":
            warnings.append(
                f"{_label(name)} differs ({', '.join(sorted(theirs))}): the survivor keeps {_display(mine)}."
            )
    return changes, warnings


def _contact_and_consent_changes(
    keep: Lead, everyone: Sequence[Lead], newest_first: Sequence[Lead]
) -> list[FieldChange]:
    """The latest contact (the first of `everyone` on a tie), and marketing consent if any lead
    gave it, with the oldest consenting lead's date."""
    contacted = [lead for lead in everyone if lead.last_contacted_at is not None]
    latest = max(contacted, key=lambda lead: lead.last_contacted_at) if contacted else keep
    consenting = [lead for lead in reversed(newest_first) if lead.consent_marketing]
    consent_source = consenting[0] if consenting else keep
    return [
        _field_change(keep, "last_contacted_at", latest, latest.last_contacted_at),
        _field_change(keep, "consent_marketing", consent_source, bool(consenting)),
        _field_change(
            keep,
            "consent_marketing_at",
            consent_source,
            consent_source.consent_marketing_at if consenting else None,
        ),
    ]


def _status_warnings(keep: Lead, others: Sequence[Lead]) -> list[str]:
    """The survivor's status is never changed by a merge; say so when the others' differ."""
    statuses = {lead.get_status_display() for lead in others if lead.status != keep.status}
    if not statuses:
        return []
    return [
        f"Status differs ({', '.join(sorted(statuses))}): the survivor keeps "
        f"{keep.get_status_display()}; change it after merging if needed."
    ]


def _commission_errors(everyone: Sequence[Lead]) -> list[str]:
    """A lead can earn one partner commission, so two commissions cannot end up on one lead."""
    commission_leads = list(
        Commission.objects.filter(lead__in=[lead.pk for lead in everyone]).values_list(
            "lead__email", flat=True
        )
    )
    if len(commission_leads) <= 1:
        return []
    return [
        "More than one of these leads has a partner commission "
        f"({', '.join(sorted(commission_leads))}), and a lead can have only one. "
        "Settle or remove one commission in Partners first."
    ]


def lead_merge_plan(*, keep: Lead, others: Sequence[Lead]) -> MergePlan:
    """The dry run of a merge: the survivor's fields after it, what moves, what is refused.

    Rules: `keep` survives with its e-mail, status and (when set) owner, partner and first-seen
    visitor. Profile fields take the non-empty value of the newest lead that has one (see
    NEWEST_WINS), campaign fields the oldest (first touch), `last_contacted_at` the latest,
    marketing consent is kept if any lead gave it. Every timeline entry, note, conversation,
    assessment, ROI calculation, visitor (and so its events) and commission moves to `keep`.
    Refused (in `errors`, nothing raised here): merging a lead with itself, no others, too
    many leads, or more than one commission (a lead can earn one).
    """
    others = list(others)
    errors = _request_errors(keep, others)
    others = list({lead.pk: lead for lead in others if lead.pk != keep.pk}.values())
    everyone = [keep, *others]
    newest_first = sorted(everyone, key=lambda lead: (lead.created_at, str(lead.pk)), reverse=True)

    changes = _profile_and_campaign_changes(keep, newest_first)
    ownership, warnings = _ownership_changes(keep, others, newest_first)
    changes += ownership
    changes += _contact_and_consent_changes(keep, everyone, newest_first)
    warnings += _status_warnings(keep, others)
    errors += _commission_errors(everyone)
    moves = _moves(others) if others else {}
    return MergePlan(keep=keep, others=others, fields=changes, moves=moves, warnings=warnings, errors=errors)
