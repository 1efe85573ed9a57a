"""Admin: the sales CRM where reps spend their day (companies, leads, their timeline and notes).

Who sees what is decided by `leads.selectors.lead_queryset_for_user` (a rep: own leads and the
unassigned queue; a manager: everything); every list, page, action and object URL goes through it.
Writes go through `leads.services` (the same functions the API calls), so the timeline reads the
same whoever changed a lead. Lists select every related row they show (no N+1) and never count
a whole big table.

One module per concern; importing this package registers every ModelAdmin (Django's admin
autodiscovery imports `leads.admin`):

- `companies`: companies and their extra domains
- `leads`: the lead queue and lead page (`LeadAdmin`, the note inline, saving through services)
- `composer`: the record page's activity composer (note, call, e-mail, meeting) posting to the page
- `board`: the pipeline board page and its move endpoint (a mixin of `LeadAdmin`)
- `display`, `filters`, `forms`, `actions`, `change_page`: the lead admin's columns, changelist
  filters, forms, bulk actions and what the change page shows beside the form
- `records`: timeline events, intake idempotency keys and notes on their own lists
- `tasks`: My tasks (`LeadTaskAdmin`): the current user's open tasks by today/overdue/upcoming,
  done and reopen in one click, add a task; written through `leads.services.tasks`
- `audit_log`: django-auditlog's log admin, scoped to the leads the user may see
- `pagination`, `dates`: the capped-count paginator and the rep's calendar day bounds
- the duplicates/merge pages stay in `leads.admin_duplicates` (a mixin of `LeadAdmin`)
- nurture sequences, enrolments and sends: `leads.nurture.admin` (imported here to register)
"""

from ..nurture import admin as nurture_admin  # noqa: F401 - registers the nurture admins
from .actions import LeadActionsMixin
from .audit_log import ScopedLogEntryAdmin
from .board import LeadBoardAdminMixin
from .change_page import AUDIT_LIMIT, CRM_CHANGE_FORM_TEMPLATE, TIMELINE_LIMIT, TIMELINE_STEP
from .companies import CompanyAdmin, CompanyDomainAdmin, CompanyDomainInline
from .dates import local_day_bounds
from .display import LeadDisplayMixin
from .filters import SCORE_BANDS, FollowUpDueFilter, OwnerFilter, ScoreBandFilter
from .forms import FOLLOW_UP_HOUR, FollowUpActionForm, LeadAdminForm, LeadNoteAdminForm, StatusActionForm
from .leads import SERVICE_FIELDS, LeadAdmin, LeadNoteInline
from .pagination import CappedCountPaginator
from .records import IntakeIdempotencyKeyAdmin, LeadEventAdmin, LeadNoteAdmin
from .tasks import LeadTaskAdmin, LeadTaskForm

__all__ = [
    "AUDIT_LIMIT",
    "CRM_CHANGE_FORM_TEMPLATE",
    "FOLLOW_UP_HOUR",
    "SCORE_BANDS",
    "SERVICE_FIELDS",
    "TIMELINE_LIMIT",
    "TIMELINE_STEP",
    "CappedCountPaginator",
    "CompanyAdmin",
    "CompanyDomainAdmin",
    "CompanyDomainInline",
    "FollowUpActionForm",
    "FollowUpDueFilter",
    "IntakeIdempotencyKeyAdmin",
    "LeadActionsMixin",
    "LeadAdmin",
    "LeadAdminForm",
    "LeadBoardAdminMixin",
    "LeadDisplayMixin",
    "LeadEventAdmin",
    "LeadNoteAdmin",
    "LeadNoteAdminForm",
    "LeadNoteInline",
    "LeadTaskAdmin",
    "LeadTaskForm",
    "OwnerFilter",
    "ScopedLogEntryAdmin",
    "ScoreBandFilter",
    "StatusActionForm",
    "local_day_bounds",
]
