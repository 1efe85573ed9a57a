"""Builders shared by the nurture tests."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from leads.models import Lead, NurtureSequence, NurtureStep, NurtureTrigger

from .factories import LeadFactory

DEFAULT_STEPS = (
    (
        0,
        "Welcome, {{ first_name }}",
        "Hi {{ first_name }} from {{ company }}.",
        "<p>Hi <b>{{ first_name }}</b></p>",
    ),
    (3, "How to fix your top 3 findings", "Grade {{ grade }}.", ""),
)


def consenting_lead(**fields) -> Lead:
    fields.setdefault("consent_marketing", True)
    fields.setdefault("consent_marketing_at", timezone.now())
    return LeadFactory(**fields)


def make_sequence(
    *,
    name: str = "Welcome",
    trigger: str = NurtureTrigger.FORM_SUBMITTED,
    steps: Sequence[tuple[int, str, str, str]] = DEFAULT_STEPS,
    **fields,
) -> NurtureSequence:
    fields.setdefault("is_active", True)
    if trigger == NurtureTrigger.SCORE_BAND:
        fields.setdefault("min_score", 50)
    sequence = NurtureSequence.objects.create(name=name, trigger=trigger, **fields)
    for position, (days, subject, text, html) in enumerate(steps, start=1):
        NurtureStep.objects.create(
            sequence=sequence,
            position=position,
            delay_days=days,
            subject=subject,
            text_template=text,
            html_template=html,
        )
    return sequence
