"""What the lead change page shows beside the form: the timeline, the activity in the other
apps (chat, assessments, page views), the company card and the last audited field changes.

The admin is an adapter and may compose several domains, so it reads the other apps' models
here rather than the leads domain importing them.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from analytics.models import Event, EventType
from assessments.models import SecurityAssessment
from chat.models import Conversation

from ..models import Lead, LeadEvent

CRM_CHANGE_FORM_TEMPLATE = "admin/leads/lead/change_form.html"
TIMELINE_LIMIT = 100
AUDIT_LIMIT = 20


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


def _lead_crm_context(lead: Lead) -> dict[str, Any]:
    """What the change page shows beside the form: timeline (newest 100), activity counts,
    company card and the last field changes from the audit log. A fixed number of queries."""
    events = list(
        LeadEvent.objects.filter(lead=lead)
        .select_related("actor")
        .order_by("-created_at", "-id")[: TIMELINE_LIMIT + 1]
    )
    older = 0
    if len(events) > TIMELINE_LIMIT:
        older = LeadEvent.objects.filter(lead=lead).count() - TIMELINE_LIMIT
        events = events[:TIMELINE_LIMIT]
    audit = list(
        LogEntry.objects.get_for_object(lead)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:AUDIT_LIMIT]
    )
    return {
        "crm_timeline": events,
        "crm_timeline_older": older,
        "crm_activity": _lead_activity_summary(lead),
        "crm_company": lead.company,
        "crm_audit": [(entry, sorted(entry.changes_display_dict.items())) for entry in audit],
    }
