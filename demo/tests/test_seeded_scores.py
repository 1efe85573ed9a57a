"""Seeded leads are scored by the scoring engine, so the lead page explains the score it shows.

Before demo/ loaded through the services, the seed wrote its own breakdown (`{"fit": {...},
"engagement": {...}, "total": n}`) in a shape the lead page cannot read, and every seeded lead
showed "Not scored yet." next to its score.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from leads.models import Lead, LeadEventKind

pytestmark = pytest.mark.django_db

SECTIONS = ("fit", "engagement", "penalties")


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", verbosity=0)


@pytest.mark.usefixtures("seeded")
def test_every_seeded_score_has_the_engines_explanation():
    leads = list(Lead.objects.all())
    assert leads
    for lead in leads:
        breakdown = lead.score_breakdown
        assert lead.scored_at is not None, lead.email
        for key in SECTIONS:
            section = breakdown[key]
            assert section["points"] == sum(part["points"] for part in section["parts"]), (lead.email, key)
        raw = sum(breakdown[key]["points"] for key in SECTIONS)
        assert breakdown["raw"] == raw, lead.email
        assert lead.score == breakdown["total"] == min(100, max(0, raw)), lead.email
        assert breakdown["fit"]["parts"], lead.email  # every lead has at least its fit explained
        scored = lead.events.filter(kind=LeadEventKind.SCORED).order_by("-created_at").first()
        assert scored is not None and scored.data["score"] == lead.score, lead.email


@pytest.mark.usefixtures("seeded")
def test_seeded_lead_page_explains_its_score(admin_client):
    for lead in Lead.objects.all():
        page = admin_client.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
        assert "Not scored yet." not in page, lead.email
        first_part = lead.score_breakdown["fit"]["parts"][0]
        assert escape(first_part["label"]) in page, lead.email
