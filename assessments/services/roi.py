"""The ROI calculator's answers: validated, kept with what was asked, and counted as engagement
(an analytics event for the visitor; a timeline entry and a re-score for a known lead)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from analytics.models import Event, EventType, Visitor, Website
from leads.models import LeadEventKind
from leads.services import lead_event_record, lead_rescore_later

from .. import roi
from ..models import RoiCalculation


@transaction.atomic
def roi_calculate(
    *, inputs: roi.RoiInputs, website: Website | None = None, visitor_id: str = ""
) -> RoiCalculation:
    """Answer the calculator, keep what was asked and answered, and count it as engagement."""
    errors = roi.validate(inputs)
    if errors:
        raise ValidationError(errors)
    outputs = roi.calculate(inputs)
    visitor = None
    if website is not None and visitor_id:
        visitor, _ = Visitor.objects.get_or_create(website=website, anonymous_id=visitor_id[:64])
    lead = visitor.lead if visitor is not None and visitor.lead_id else None
    calculation = RoiCalculation.objects.create(
        lead=lead, visitor=visitor, inputs=inputs.to_json(), outputs=outputs
    )
    if visitor is not None:
        Event.objects.create(
            website=website,
            visitor=visitor,
            event_type=EventType.ROI_CALCULATION,
            data={
                "calculation": str(calculation.pk),
                **inputs.to_json(),
                "expected_annual_exposure": outputs["expected_annual_exposure"],
            },
        )
    if lead is not None:
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.ROI_CALCULATION,
            summary=(
                f"Used the ROI calculator: {inputs.employees:,} employees, {inputs.industry}, {inputs.region}; "
                f"exposure ${outputs['expected_annual_exposure']:,}/year"
            ),
            data={"calculation": str(calculation.pk)},
            actor_label="ROI calculator",
        )
        lead_rescore_later(lead=lead)
    return calculation
