"""Reads of the partner portal that span domains (an adapter layer may compose several; the
partners domain itself does not import analytics, which imports it for referral attribution)."""

from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Count, Q

from analytics.models import Event, EventType
from partners.models import Partner


def partner_click_counts(*, partner: Partner, since: datetime) -> dict[str, int]:
    """Clicks on the partner's referral link: the tracker's page views whose address carries
    `ref=CODE` (any case), all time and since `since`, in one aggregate query. Counted from the
    events, set-based: a click is a page view landing with the code, not a visitor."""
    pattern = rf"[?&]ref={re.escape(partner.referral_code)}(&|#|$)"
    totals = Event.objects.filter(event_type=EventType.PAGE_VIEW, url__iregex=pattern).aggregate(
        all=Count("pk"), recent=Count("pk", filter=Q(occurred_at__gte=since))
    )
    return {"all": totals["all"] or 0, "recent": totals["recent"] or 0}
