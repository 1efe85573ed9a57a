"""The activity composer of the lead record page: one small form for a note, a call, an e-mail,
a meeting or a task, saved through the same services as every other write (`lead_note_add`,
`lead_activity_log`, `task_create`), so the timeline reads the same whoever logged what. The
page's open-task list posts here too (`TASK_DONE_FIELD`: mark a task done via `task_complete`).

It posts to the lead's own change URL with `COMPOSER_FIELD` set (no extra admin URL), and
`LeadAdmin.change_view` hands such a POST to `composer_post` below: valid → the entry is on the
timeline and the page reloads (POST/redirect/GET); invalid → the page again, with the typed
text kept and each message at its field.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from ..models import Lead, LeadEventKind, LeadTask, TaskKind
from ..services import CallOutcome, lead_activity_log, lead_note_add, task_complete, task_create

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

COMPOSER_FIELD = "_crm_composer"
TASK_DONE_FIELD = "_crm_task_done"
#: A new task's default due time: tomorrow at the start of the working day.
TASK_DEFAULT_HOUR = 9

#: The composer's tabs: key, label, the button's verb.
ACTIVITY_TYPES = (
    ("note", "Note"),
    ("call", "Call"),
    ("email", "E-mail"),
    ("meeting", "Meeting"),
    ("task", "Task"),
)
_EVENT_KIND = {
    "call": LeadEventKind.CALL_LOGGED,
    "email": LeadEventKind.EMAIL_LOGGED,
    "meeting": LeadEventKind.MEETING_LOGGED,
}
_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
#: The services' field names that this form calls differently.
_SERVICE_FIELDS = {"owner": "task_owner"}


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
    title = forms.CharField(label="Task", required=False, strip=True, max_length=200)
    due_at = forms.DateTimeField(
        label="Due",
        required=False,
        input_formats=[_DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL),
    )
    task_owner = forms.ModelChoiceField(
        label="For", required=False, queryset=None, empty_label="The lead's owner"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        self.fields["task_owner"].queryset = users
        self.fields["task_owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def save(self, *, lead: Lead, actor: AbstractBaseUser) -> str:
        """Write the activity; return what was logged (for the message). ValidationErrors from
        the services are added to this form's fields and re-raised."""
        data = self.cleaned_data
        kind = data["activity_type"]
        try:
            if kind == "note":
                lead_note_add(lead=lead, author=actor, body=data.get("body") or "")
                return "Note added"
            if kind == "task":
                task_create(
                    lead=lead,
                    title=data.get("title") or "",
                    due_at=data.get("due_at"),
                    owner=data.get("task_owner"),
                    actor=actor,
                    kind=TaskKind.TODO,
                )
                return "Task added"
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
            field = _SERVICE_FIELDS.get(field, field)
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
    """An empty composer: the activity's date box empty (it means "now"), a task due tomorrow
    morning, so a task takes a title and one click."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    due = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(TASK_DEFAULT_HOUR)))
    return ActivityComposerForm(initial={"activity_type": "note", "due_at": due})


def task_done_post(request: HttpRequest, lead: Lead) -> HttpResponseRedirect:
    """Mark one of the lead's open tasks done (the page's task list). A task of another lead
    is a 404; a refusal from the service is a message, the page reloads either way."""
    try:
        task = lead.tasks.get(pk=int(request.POST.get(TASK_DONE_FIELD, "")))
    except (ValueError, LeadTask.DoesNotExist) as error:
        raise Http404("No such task on this lead.") from error
    try:
        task_complete(task=task, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Task done: {task.title}.")
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    return HttpResponseRedirect(f"{url}#crm-tasks")


__all__ = [
    "ACTIVITY_TYPES",
    "COMPOSER_FIELD",
    "TASK_DONE_FIELD",
    "ActivityComposerForm",
    "composer_initial",
    "composer_post",
    "task_done_post",
]
