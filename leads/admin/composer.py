"""The activity composer of the lead record page: one small form for a note, a call, an e-mail
or a meeting, saved through the same services as every other write (`lead_note_add`,
`lead_activity_log`), so the timeline reads the same whoever logged what.

It posts to the lead's own change URL with `COMPOSER_FIELD` set (no extra admin URL), and
`LeadAdmin.change_view` hands such a POST to `composer_post` below: valid → the entry is on the
timeline and the page reloads (POST/redirect/GET); invalid → the page again, with the typed
text kept and each message at its field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from ..models import Lead, LeadEventKind
from ..services import CallOutcome, lead_activity_log, lead_note_add

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

COMPOSER_FIELD = "_crm_composer"

#: The composer's tabs: key, label, the button's verb.
ACTIVITY_TYPES = (
    ("note", "Note"),
    ("call", "Call"),
    ("email", "E-mail"),
    ("meeting", "Meeting"),
)
_EVENT_KIND = {
    "call": LeadEventKind.CALL_LOGGED,
    "email": LeadEventKind.EMAIL_LOGGED,
    "meeting": LeadEventKind.MEETING_LOGGED,
}
_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ActivityComposerForm(forms.Form):
    """What the composer sends. The rules (required text, call outcome, dates) live in the
    services; this form only parses, and maps the services' errors back onto its fields."""

    activity_type = forms.ChoiceField(
        label="Type", choices=ACTIVITY_TYPES, initial="note", widget=forms.RadioSelect
    )
    body = forms.CharField(
        label="Text",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What happened? What was agreed?"}),
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "How did the call go?"), *CallOutcome.choices]
    )
    occurred_at = forms.DateTimeField(
        label="When",
        required=False,
        input_formats=[_DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL),
        help_text="Leave empty for now.",
    )

    def save(self, *, lead: Lead, actor: AbstractBaseUser) -> str:
        """Write the activity; return what was logged (for the message). ValidationErrors from
        the services are added to this form's fields and re-raised."""
        data = self.cleaned_data
        kind = data["activity_type"]
        try:
            if kind == "note":
                lead_note_add(lead=lead, author=actor, body=data.get("body") or "")
                return "Note added"
            lead_activity_log(
                lead=lead,
                kind=_EVENT_KIND[kind],
                body=data.get("body") or "",
                outcome=data.get("outcome") or "",
                occurred_at=data.get("occurred_at"),
                actor=actor,
            )
        except ValidationError as error:
            self._add_service_errors(error)
            raise
        return f"{dict(ACTIVITY_TYPES)[kind]} logged"

    def _add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, field_errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, field_errors)


def composer_post(request: HttpRequest, lead: Lead, *, render_page: Any) -> HttpResponseRedirect | Any:
    """Handle a composer POST for a lead the user may change: save and redirect to the
    timeline, or render the page (`render_page(form)`) with the bound form and its errors."""
    form = ActivityComposerForm(request.POST)
    if form.is_valid():
        try:
            done = form.save(lead=lead, actor=request.user)
        except ValidationError:
            pass  # the errors are on the form now
        else:
            messages.success(request, f"{done} on {lead}.")
            url = reverse("admin:leads_lead_change", args=[lead.pk])
            return HttpResponseRedirect(f"{url}#crm-timeline")
    return render_page(form)


def composer_initial() -> ActivityComposerForm:
    """An empty composer, its date box showing nothing (an empty box means "now")."""
    return ActivityComposerForm(initial={"activity_type": "note"})


__all__ = ["ACTIVITY_TYPES", "COMPOSER_FIELD", "ActivityComposerForm", "composer_initial", "composer_post"]
