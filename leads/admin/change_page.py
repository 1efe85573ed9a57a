"""What the lead record page shows around the edit form: the header facts, the score explained,
the timeline (filterable by kind, newest first, "show more"), the records of the other apps
that hang off the lead (company, conversations, assessments, visits, partner) and the last
audited field changes.

The admin is an adapter and may compose several domains, so it reads the other apps' models
here rather than the leads domain importing them. Every read is bounded (a fixed number of
queries per page, whatever the lead's history).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.models import LogEntry
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from analytics.models import Event, EventType
from assessments.models import SecurityAssessment
from chat.models import Conversation

from ..models import Lead, LeadEvent, LeadEventKind
from ..scoring import ScoringConfig
from ..selectors import lead_open_tasks

CRM_CHANGE_FORM_TEMPLATE = "admin/leads/lead/change_form.html"
#: Entries per step of the timeline ("Show more" asks for the next step).
TIMELINE_STEP = 100
#: The most entries one page renders, however far a rep clicks "show more".
TIMELINE_LIMIT = 500
AUDIT_LIMIT = 20
RELATED_LIMIT = 5
TASK_LIMIT = 10


# --- Timeline filter ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilter:
    key: str
    label: str
    kinds: frozenset[str]


def _timeline_filters() -> tuple[TimelineFilter, ...]:
    """The chips above the timeline: what a rep looks for, not the 20 raw kinds. Kinds a later
    feature adds (tasks: "task_…") join their chip by name; anything unlisted lands in System."""
    k = LeadEventKind
    groups = {
        "notes": ("Notes", {k.NOTE_ADDED}),
        "calls": ("Calls", {k.CALL_LOGGED}),
        "emails": (
            "E-mails",
            {
                k.EMAIL_LOGGED,
                k.EMAIL_SENT,
                k.EMAIL_REPLY,
                k.NURTURE_ENROLLED,
                k.NURTURE_SENT,
                k.NURTURE_STOPPED,
                k.UNSUBSCRIBED,
            },
        ),
        "meetings": ("Meetings", {k.MEETING_LOGGED}),
        "tasks": ("Tasks", {v for v in k.values if v.startswith("task")} | {k.FOLLOW_UP_SCHEDULED}),
        "pipeline": ("Pipeline", {k.STATUS_CHANGED, k.ASSIGNED, k.UPDATED, k.MERGED}),
        "website": (
            "Website",
            {k.SUBMITTED, k.CHAT, k.ASSESSMENT, k.ROI_CALCULATION, k.PAGE_VIEWS, k.REFERRED, k.SALES_TRIGGER},
        ),
    }
    listed = set().union(*(kinds for _, kinds in groups.values()))
    groups["system"] = ("System", set(k.values) - listed)
    return tuple(TimelineFilter(key, label, frozenset(kinds)) for key, (label, kinds) in groups.items())


TIMELINE_FILTERS = _timeline_filters()
TIMELINE_FILTER_KEYS = {f.key: f for f in TIMELINE_FILTERS}
KIND_GROUP = {kind: f.key for f in TIMELINE_FILTERS for kind in f.kinds}
_LOGGED_KINDS = frozenset(
    {
        LeadEventKind.CALL_LOGGED,
        LeadEventKind.EMAIL_LOGGED,
        LeadEventKind.MEETING_LOGGED,
        LeadEventKind.EMAIL_REPLY,
    }
)


def _detail(event: LeadEvent) -> str:
    """The full text of a logged activity when the summary (its first line, cut at 200
    characters) does not already say it all."""
    if event.kind not in _LOGGED_KINDS or not isinstance(event.data, dict):
        return ""
    body = str(event.data.get("body") or "")
    return body if "\n" in body or len(body) > 200 else ""


def _int_param(params: QueryDict, name: str, default: int, *, low: int, high: int) -> int:
    """A bounded integer from the query string; anything else (typed by hand) is the default."""
    try:
        value = int(params.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def _timeline(lead: Lead, params: QueryDict) -> dict[str, Any]:
    """The newest entries of the chosen kind, the chips with their counts and the next step's size."""
    chosen = TIMELINE_FILTER_KEYS.get(params.get("tl", ""))
    shown = _int_param(params, "tl_n", TIMELINE_STEP, low=TIMELINE_STEP, high=TIMELINE_LIMIT)
    per_kind = dict(
        LeadEvent.objects.filter(lead=lead).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    total = sum(per_kind.values())
    queryset = LeadEvent.objects.filter(lead=lead)
    matching = total
    if chosen is not None:
        queryset = queryset.filter(kind__in=chosen.kinds)
        matching = sum(n for kind, n in per_kind.items() if kind in chosen.kinds)
    events = list(queryset.select_related("actor").order_by("-created_at", "-id")[:shown])
    for event in events:
        event.crm_group = KIND_GROUP.get(event.kind, "system")
        event.crm_detail = _detail(event)
        label = event.get_kind_display()
        # "Note added · Note: …" says it twice: the label only where the summary does not.
        event.crm_label = "" if event.summary.startswith(label.split()[0]) else label
    chips = [{"key": "", "label": "All", "count": total, "active": chosen is None}]
    chips += [
        {
            "key": f.key,
            "label": f.label,
            "count": sum(n for kind, n in per_kind.items() if kind in f.kinds),
            "active": chosen is f,
        }
        for f in TIMELINE_FILTERS
    ]
    remaining = max(0, matching - len(events))
    return {
        "crm_timeline": events,
        "crm_timeline_chips": [c for c in chips if c["count"] or c["active"] or not c["key"]],
        "crm_timeline_filter": chosen.key if chosen else "",
        "crm_timeline_older": remaining,
        "crm_timeline_next": min(shown + TIMELINE_STEP, TIMELINE_LIMIT)
        if remaining and shown < TIMELINE_LIMIT
        else 0,
    }


# --- Score explanation --------------------------------------------------------------------------


def _points(value: Any) -> int | None:
    """A part's points as a whole number. Older or hand-written breakdowns hold floats ("30.0")
    or strings; formatting those with "{:+d}" raised ValueError, which the admin swallowed into
    "-" for the whole explanation. A value that is not a number is None (the part is still shown)."""
    try:
        return round(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def score_explanation(lead: Lead) -> dict[str, Any]:
    """The lead's score as a rep reads it: each factor with its points, per section, and how
    engagement decays. `state` says what we know, so the page never contradicts the score:
    "explained" (a stored breakdown), "unexplained" (a score but no breakdown, e.g. imported
    or set before breakdowns were stored) or "unscored"."""
    breakdown = lead.score_breakdown if isinstance(lead.score_breakdown, dict) else {}
    sections = []
    for key, title in (("fit", "Fit"), ("engagement", "Engagement"), ("penalties", "Penalties")):
        section = breakdown.get(key)
        if not isinstance(section, dict):
            continue
        parts = []
        for part in section.get("parts") or []:
            if not isinstance(part, dict):
                continue
            points = _points(part.get("points"))
            parts.append(
                {
                    "label": str(part.get("label") or part.get("factor") or "—"),
                    "points": points,
                    "signed": "–" if points is None else f"{points:+d}",
                }
            )
        if parts:
            sections.append(
                {"key": key, "title": title, "points": _points(section.get("points")), "parts": parts}
            )
    config = ScoringConfig.from_settings()
    if sections:
        state = "explained"
    elif lead.score or lead.scored_at:
        state = "unexplained"
    else:
        state = "unscored"
    return {
        "state": state,
        "score": lead.score,
        "sections": sections,
        "flags": [str(flag).replace("_", " ") for flag in breakdown.get("flags") or []],
        "hot_threshold": breakdown.get("hot_threshold", config.hot_threshold),
        "half_life_days": f"{config.half_life_days:g}",
        "engagement_cap": config.engagement_cap,
        "band": "hot" if lead.score >= 80 else "warm" if lead.score >= 50 else "cold",
    }


# --- Records of the other apps ------------------------------------------------------------------


def _counted(queryset: QuerySet[Any], link: str) -> Coalesce:
    """How many rows of `queryset` point at the outer lead through `link` (0 when none)."""
    sub = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk"))
    return Coalesce(Subquery(sub.values("n")[:1]), Value(0), output_field=IntegerField())


def _newest(queryset: QuerySet[Any], link: str, field: str) -> Subquery:
    """The latest `field` among the rows of `queryset` that point at the outer lead."""
    sub = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(at=Max(field))
    return Subquery(sub.values("at")[:1])


def _lead_activity_summary(lead: Lead) -> dict[str, Any]:
    """Chat conversations, assessments and page views of the lead in one query (subqueries)."""
    page_views = Event.objects.filter(event_type=EventType.PAGE_VIEW)
    return (
        Lead.objects.filter(pk=lead.pk)
        .annotate(
            conversations_n=_counted(Conversation.objects.all(), "lead"),
            conversation_last=_newest(Conversation.objects.all(), "lead", "created_at"),
            assessments_n=_counted(SecurityAssessment.objects.all(), "lead"),
            assessment_last=_newest(SecurityAssessment.objects.all(), "lead", "requested_at"),
            page_views_n=_counted(page_views, "visitor__lead"),
            page_view_last=_newest(page_views, "visitor__lead", "occurred_at"),
        )
        .values(
            "conversations_n",
            "conversation_last",
            "assessments_n",
            "assessment_last",
            "page_views_n",
            "page_view_last",
        )
        .get()
    )


def _related_records(lead: Lead) -> dict[str, Any]:
    """The newest few conversations, assessments and pages viewed (the counts say how many more)."""
    return {
        "crm_conversations": list(
            Conversation.objects.filter(lead=lead).order_by("-created_at")[:RELATED_LIMIT]
        ),
        "crm_assessments": list(
            SecurityAssessment.objects.filter(lead=lead).order_by("-requested_at")[:RELATED_LIMIT]
        ),
        "crm_page_views": list(
            Event.objects.filter(visitor__lead=lead, event_type=EventType.PAGE_VIEW)
            .order_by("-occurred_at")
            .values("url", "occurred_at")[:RELATED_LIMIT]
        ),
    }


# --- Audit trail --------------------------------------------------------------------------------


def _same_value(old: Any, new: Any) -> bool:
    """Whether an audited "change" is none: "5000000.00" → "5000000" is the same amount (rows
    written before decimals were stored at their column's scale logged one per re-score)."""
    if old == new:
        return True
    try:
        return Decimal(str(old)) == Decimal(str(new))
    except (InvalidOperation, ValueError):
        return False


def _audit_rows(lead: Lead) -> list[tuple[LogEntry, list[tuple[str, Any]]]]:
    """The last field changes, with no-op changes left out (and entries left with none)."""
    rows = []
    entries = (
        LogEntry.objects.get_for_object(lead)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[: AUDIT_LIMIT * 2]
    )
    for entry in entries:
        changes = sorted(
            (field, values)
            for field, values in entry.changes_display_dict.items()
            if entry.action == LogEntry.Action.CREATE
            or not (isinstance(values, list | tuple) and len(values) == 2 and _same_value(*values))
        )
        if changes or entry.action != LogEntry.Action.UPDATE:
            rows.append((entry, changes))
        if len(rows) == AUDIT_LIMIT:
            break
    return rows


# --- The page -----------------------------------------------------------------------------------


def _lead_crm_context(lead: Lead, request: HttpRequest | None = None) -> dict[str, Any]:
    """Everything the record page shows beside the form, in a fixed number of queries."""
    params = request.GET if request is not None else QueryDict()
    return {
        **_timeline(lead, params),
        **_related_records(lead),
        "crm_activity": _lead_activity_summary(lead),
        "crm_company": lead.company,
        "crm_tasks": list(lead_open_tasks(lead=lead)[:TASK_LIMIT]),
        "crm_now": timezone.now(),
        "crm_score": score_explanation(lead),
        "crm_audit": _audit_rows(lead),
    }
