"""The hot-lead e-mail to sales, sent at most once per threshold crossing."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from enterprise_scanner.jobs.mail import send_once

from ..models import Lead, LeadEventKind
from .events import lead_event_record


@transaction.atomic
def lead_send_hot_alert(*, lead_id: str | uuid.UUID, crossing_event_id: int) -> bool:
    """E-mail sales about a lead that just became hot. Sends at most once per crossing, also when
    the job runs again after its worker died: returns False when already sent.

    Lock the lead, check the timeline, record the alert, then send last (`send_once`): the record
    commits with the send or not at all, so only a crash between the SMTP hand-off and COMMIT can
    repeat it, and then with the same Message-ID."""
    lead = Lead.objects.select_for_update(of=("self",)).select_related("company", "owner").get(pk=lead_id)
    if lead.events.filter(kind=LeadEventKind.ALERT_SENT, data__crossing_event=crossing_event_id).exists():
        return False
    context = {
        "lead": lead,
        "company": lead.company,
        "breakdown": lead.score_breakdown,
        "admin_url": settings.SITE_URL + reverse("admin:leads_lead_change", args=[lead.pk]),
    }
    subject = f"Hot lead: {lead.full_name or lead.email}"
    if lead.company:
        subject += f" at {lead.company.name}"
    subject += f" (score {lead.score})"
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:200],
        body=render_to_string("leads/email/hot_lead_alert.txt", context),
        to=[settings.SALES_ALERT_EMAIL],
    )
    message.attach_alternative(render_to_string("leads/email/hot_lead_alert.html", context), "text/html")
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.ALERT_SENT,
        summary=f"Hot-lead alert e-mailed to {settings.SALES_ALERT_EMAIL}",
        data={"crossing_event": crossing_event_id, "to": settings.SALES_ALERT_EMAIL, "score": lead.score},
    )
    if not send_once(message, key=f"lead-hot-alert:{lead.pk}:{crossing_event_id}"):
        transaction.set_rollback(True)  # sent before (ledger), whatever the timeline says
        return False
    return True
