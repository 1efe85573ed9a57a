"""Building an alert's message from the domain's rows, one builder per alert kind.

This module sits above the domains (like the admin pages): it reads leads, chats and
assessments to describe them, and the domains only queue its job by name. It keeps to what the
e-mail alert of the same event already says (no chat transcript: a channel is a wider audience
than the sales inbox). Each builder returns None when there is nothing (any more) to alert about.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from .message import AlertMessage
from .models import AlertKind

if TYPE_CHECKING:
    from leads.models import Lead


def _person(user: object | None) -> str:
    if user is None:
        return "Unassigned"
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return name or getattr(user, "email", "") or getattr(user, "username", "") or "Unassigned"


def _money(value: Decimal | None) -> str:
    return f"${value:,.0f}" if value else "—"


def _company(lead: Lead) -> tuple[str, bool]:
    """The company as the e-mail shows it, with its Fortune 500 rank, and whether it is one."""
    company = lead.company
    if company is None:
        return (lead.company_name or "—"), False
    if company.fortune_rank:
        return f"{company.name} 🏆 Fortune 500 #{company.fortune_rank}", True
    return company.name, False


def _lead_name(lead: Lead) -> str:
    return lead.full_name or lead.email


def hot_lead_message(subject_id: str, key: str) -> AlertMessage | None:
    from leads.models import Lead

    lead = Lead.objects.select_related("company", "owner").filter(pk=subject_id).first()
    if lead is None:
        return None
    company, fortune_500 = _company(lead)
    title = f"Hot lead: {_lead_name(lead)}"
    if lead.company:
        title += f" at {lead.company.name}"
    title += f" (score {lead.score})"
    breakdown = lead.score_breakdown or {}
    parts = [
        part
        for group in ("fit", "engagement")
        for part in (breakdown.get(group) or {}).get("parts", [])
        if isinstance(part, dict)
    ]
    reasons = "; ".join(f"{part.get('points', 0):+d} {part.get('label', '')}" for part in parts[:6])
    return AlertMessage(
        kind=AlertKind.HOT_LEAD,
        title=title,
        summary=f"Why this score: {reasons}" if reasons else "",
        facts=[
            ("Company", company),
            ("Score", f"{lead.score}/100"),
            ("Est. value", _money(lead.estimated_deal_value)),
            ("Owner", _person(lead.owner)),
            ("Title", lead.job_title or "—"),
            ("E-mail", lead.email),
        ],
        fortune_500=fortune_500,
        url=settings.SITE_URL + reverse("admin:leads_lead_change", args=[lead.pk]),
        owner_id=lead.owner_id,
        label=_lead_name(lead),
    )


CHAT_SUMMARIES = {
    "escalated": "A chat on the website needs a person: {reason}.",
    "offline_lead": "A visitor left their e-mail address in a chat while nobody was online.",
    "sales_request": "A chat visitor asked for a demo, call, quote or trial: follow up now.",
    "offline_message": "A visitor left an offline chat message. Answer them by e-mail.",
}


def chat_message(subject_id: str, key: str) -> AlertMessage | None:
    from chat.mail import ALERT_SUBJECTS
    from chat.models import Conversation

    conversation = (
        Conversation.objects.select_related("lead__company", "lead__owner").filter(pk=subject_id).first()
    )
    if conversation is None or key not in ALERT_SUBJECTS:
        return None
    lead = conversation.lead
    reason = conversation.get_escalation_reason_display() or "asked for a person"
    title = ALERT_SUBJECTS[key]
    if conversation.fortune_500_detected:
        title = "Fortune 500 visitor: " + title.lower()
    facts: list[tuple[str, str]] = []
    fortune_500 = bool(conversation.fortune_500_detected)
    if lead is not None:
        company, lead_f500 = _company(lead)
        fortune_500 = fortune_500 or lead_f500
        title += f" — {_lead_name(lead)}"
        facts = [
            ("Lead", f"{_lead_name(lead)} <{lead.email}>" if lead.full_name else lead.email),
            ("Company", company),
            ("Score", f"{lead.score}/100"),
            ("Owner", _person(lead.owner)),
        ]
    else:
        facts = [("Lead", "The visitor has not left an e-mail address yet.")]
    if conversation.escalation_reason:
        facts.append(("Reason", reason))
    if conversation.high_value_opportunity:
        facts.append(("Priority", "High-value opportunity"))
    return AlertMessage(
        kind=AlertKind.CHAT_ESCALATION,
        title=title,
        summary=CHAT_SUMMARIES[key].format(reason=reason),
        facts=facts,
        fortune_500=fortune_500,
        url=settings.SITE_URL + reverse("admin:chat_console") + f"#{conversation.pk}",
        button="Answer in the console",
        owner_id=lead.owner_id if lead is not None else None,
        label=_lead_name(lead) if lead is not None else f"Chat {str(conversation.pk)[:8]}",
    )


def watched_assessment_message(subject_id: str, key: str) -> AlertMessage | None:
    from assessments.models import AssessmentStatus, SecurityAssessment
    from assessments.monitoring import selectors

    assessment = (
        SecurityAssessment.objects.select_related("lead__company", "lead__owner", "monitored_target")
        .filter(pk=subject_id)
        .first()
    )
    if (
        assessment is None
        or assessment.status != AssessmentStatus.COMPLETED
        or assessment.monitored_target is None
        or not assessment.monitored_target.is_active
    ):
        return None
    diff = selectors.scan_diff(assessment)
    if diff is None or not diff.got_worse:
        return None
    reasons = []
    if diff.grade_dropped:
        reasons.append(f"grade {diff.previous_grade} → {diff.current_grade}")
    if diff.new_critical:
        titles = "; ".join(change.shown.title for change in diff.new_critical[:3])
        reasons.append(f"{len(diff.new_critical)} new critical finding(s): {titles}")
    lead = assessment.lead
    company, fortune_500 = _company(lead)
    name = lead.company.name if lead.company else assessment.target_host
    return AlertMessage(
        kind=AlertKind.WATCHED_ASSESSMENT,
        title=f"Sales trigger: {name}'s site {assessment.target_host} got worse",
        summary="A watched prospect's website got worse — a good moment to call. " + "; ".join(reasons),
        facts=[
            ("Lead", _lead_name(lead)),
            ("Company", company),
            ("Site", assessment.target_url),
            ("Grade", f"{diff.previous_grade} → {diff.current_grade}"),
            ("Risk", f"{diff.previous_risk} → {diff.current_risk}"),
            ("Owner", _person(lead.owner)),
        ],
        fortune_500=fortune_500,
        url=settings.SITE_URL + reverse("admin:assessments_securityassessment_change", args=[assessment.pk]),
        button="Open the scan",
        owner_id=lead.owner_id,
        label=f"{assessment.target_host} ({_lead_name(lead)})",
    )


BUILDERS: dict[str, Callable[[str, str], AlertMessage | None]] = {
    AlertKind.HOT_LEAD: hot_lead_message,
    AlertKind.CHAT_ESCALATION: chat_message,
    AlertKind.WATCHED_ASSESSMENT: watched_assessment_message,
}


def build_message(*, kind: str, subject_id: str, key: str) -> AlertMessage | None:
    builder = BUILDERS.get(kind)
    return builder(subject_id, key) if builder else None


def sample_message(kind: str = AlertKind.HOT_LEAD) -> AlertMessage:
    """The "Send test message" content: clearly a test, with the fields a real alert has."""
    return AlertMessage(
        kind=kind,
        title="Test alert from Enterprise Scanner",
        summary="If you can read this, hot-lead, chat and watched-site alerts will arrive here.",
        facts=[("Company", "Example Corp"), ("Score", "92/100"), ("Est. value", "$120,000"), ("Owner", "—")],
        url=settings.SITE_URL + reverse("admin:alert_channels_alertchannel_changelist"),
        label="Test message",
    )
