"""Forms of the lead admin: the lead change form and the forms behind the bulk actions that ask
for input (status change, follow-up date). They validate through the services' rules so the
admin refuses exactly what the API refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils import timezone

from ..models import Lead, LeadNote, LeadStatus
from ..services import lead_status_change_validate
from .dates import local_day_bounds

FOLLOW_UP_HOUR = 9  # follow-ups land at the start of the rep's working day


class LeadAdminForm(ModelForm):
    """Checks the business rules of a status change before anything is saved, so a missing lost
    reason is a form error next to the field rather than an exception halfway through saving."""

    class Meta:
        model = Lead
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin's fieldsets decide what is shown
        help_texts = {
            "next_follow_up_at": (
                "The lead's earliest open task. A new time moves its follow-up task (or creates one); "
                "clearing it marks the follow-up done. All tasks: My tasks."
            )
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "status" in self.fields and cleaned.get("status"):
            try:
                lead_status_change_validate(
                    status=cleaned["status"],
                    lost_reason=cleaned.get("lost_reason") or "",
                    lead=Lead.objects.filter(pk=self.instance.pk).first(),  # None when adding
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class LeadNoteAdminForm(ModelForm):
    class Meta:
        model = LeadNote
        fields = ("lead", "body")


class StatusActionForm(forms.Form):
    status = forms.ChoiceField(choices=LeadStatus.choices)
    lost_reason = forms.CharField(
        max_length=255, required=False, help_text="Required when closing as lost.", strip=True
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status"):
            try:
                lead_status_change_validate(
                    status=cleaned["status"], lost_reason=cleaned.get("lost_reason", "")
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class FollowUpActionForm(forms.Form):
    when = forms.ChoiceField(
        choices=[
            ("1", "Tomorrow (+1 day)"),
            ("2", "In 2 days"),
            ("7", "In a week (+7 days)"),
            ("date", "On…"),
        ],
        widget=forms.RadioSelect,
        initial="1",
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        when = cleaned.get("when")
        if when == "date":
            day = cleaned.get("date")
            if day is None:
                self.add_error("date", "Pick the date of the follow-up.")
            elif day < timezone.localdate():
                self.add_error("date", "The follow-up date is in the past.")
        return cleaned

    def follow_up_at(self) -> dt.datetime:
        """The chosen day at 09:00 in the current time zone."""
        when = self.cleaned_data["when"]
        day = (
            self.cleaned_data["date"]
            if when == "date"
            else timezone.localdate() + dt.timedelta(days=int(when))
        )
        start, _ = local_day_bounds(day)
        return start + dt.timedelta(hours=FOLLOW_UP_HOUR)
