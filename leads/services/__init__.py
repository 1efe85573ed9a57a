"""Every state change of the leads domain: one keyword-only function per action.

Each function is atomic, validates its input, and writes the lead's timeline, so the API, the
admin, commands and tasks behave the same whichever of them calls it. The functions live in one
module per sub-domain (intake, companies, scoring, alerts, pipeline, assignment, notes, tasks,
and the timeline in events); this package re-exports them, so callers import from `leads.services`.
"""

from .alerts import lead_send_hot_alert
from .assignment import OPEN_STATUSES_EXCLUDED, lead_assign, lead_assign_balanced
from .companies import (
    company_matched_event,
    company_name_from_domain,
    company_resolve,
    company_sync_lead_flags,
    lead_link_company,
    lead_set_company,
)
from .events import lead_event_build, lead_event_record
from .intake import (
    FILLABLE_FIELDS,
    UTM_FIELDS,
    IdempotencyKeyReused,
    LeadSubmission,
    lead_record_staff_created,
    lead_submit,
)
from .notes import NOTE_MAX_LENGTH, lead_note_add
from .pipeline import (
    lead_change_status,
    lead_deal_value_recorded,
    lead_status_change_validate,
)
from .scoring import MAX_PAGE_VIEWS_SCORED, lead_rescore, lead_rescore_later
from .tasks import (
    FOLLOW_UP_TITLE,
    TASK_TITLE_MAX_LENGTH,
    UNSET,
    lead_schedule_follow_up,
    lead_sync_next_follow_up,
    task_complete,
    task_create,
    task_reopen,
    task_update,
)

__all__ = [
    "FILLABLE_FIELDS",
    "FOLLOW_UP_TITLE",
    "MAX_PAGE_VIEWS_SCORED",
    "NOTE_MAX_LENGTH",
    "OPEN_STATUSES_EXCLUDED",
    "TASK_TITLE_MAX_LENGTH",
    "UNSET",
    "UTM_FIELDS",
    "IdempotencyKeyReused",
    "LeadSubmission",
    "company_matched_event",
    "company_name_from_domain",
    "company_resolve",
    "company_sync_lead_flags",
    "lead_assign",
    "lead_assign_balanced",
    "lead_change_status",
    "lead_deal_value_recorded",
    "lead_event_build",
    "lead_event_record",
    "lead_link_company",
    "lead_note_add",
    "lead_record_staff_created",
    "lead_rescore",
    "lead_rescore_later",
    "lead_schedule_follow_up",
    "lead_send_hot_alert",
    "lead_set_company",
    "lead_status_change_validate",
    "lead_submit",
    "lead_sync_next_follow_up",
    "task_complete",
    "task_create",
    "task_reopen",
    "task_update",
]
