"""Every state change of the assessments domain: one keyword-only function per action.

Lifecycle of an assessment::

    pending_approval ──approve──► queued ──claim──► running ──► completed
                                    ▲                  │  └────► failed
                                    └── retry / re-run ┘

A scan runs outside any transaction (it waits on the network); claiming it and storing its
outcome are each one short transaction. A worker that dies mid-scan leaves `running`; the
generic job recovery (`recover_stale_jobs`, enterprise_scanner.jobs) queues the scan's job again
once the worker's heartbeat is older than the lease, and that job takes its scan over (`job_id`).
`assessment_recover_stale` (command `recover_stale_assessments`, or the admin's re-run) handles
scans whose job is gone. Jobs are queued in the transaction that needs them, and each report
e-mail is sent at most once (`*_sent_at` set under a row lock, `send_once`).

One module per sub-domain; this package re-exports their public names so callers keep writing
`from assessments.services import assessment_request`:

- `targets`   what we agree to scan (normalising the typed URL, "is it the lead's own domain")
- `requests`  how an assessment comes to exist and is queued (visitor, staff, schedule, approval, re-run)
- `scans`     running a queued scan and storing its outcome (findings, grade, PDF)
- `reports`   e-mailing the finished report, each copy at most once
- `recovery`  scans and e-mails left behind by a dead worker or mail server
- `roi`       the ROI calculator's answers, kept as engagement
"""

from .recovery import assessment_recover_stale
from .reports import assessment_send_report
from .requests import (
    AssessmentRateLimited,
    assessment_approve_target,
    assessment_create_by_staff,
    assessment_create_scheduled,
    assessment_request,
    assessment_rerun,
)
from .roi import roi_calculate
from .scans import (
    assessment_claim,
    assessment_complete,
    assessment_report_attach,
    assessment_run,
    findings_from,
)
from .targets import MAX_HOST_LENGTH, MAX_URL_LENGTH, target_belongs_to_lead, target_normalise

__all__ = [
    "MAX_HOST_LENGTH",
    "MAX_URL_LENGTH",
    "AssessmentRateLimited",
    "assessment_approve_target",
    "assessment_claim",
    "assessment_complete",
    "assessment_create_by_staff",
    "assessment_create_scheduled",
    "assessment_recover_stale",
    "assessment_report_attach",
    "assessment_request",
    "assessment_rerun",
    "assessment_run",
    "assessment_send_report",
    "findings_from",
    "roi_calculate",
    "target_belongs_to_lead",
    "target_normalise",
]
