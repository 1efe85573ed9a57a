"""Admin: nurture sequences with their steps (Settings), enrolments (Team), sent e-mails
(Internals), and the lead page's Nurture box (`lead_nurture_context`, `nurture_stop_post`).

Step templates are checked by `leads.nurture.templating` when the form is validated: a step that
does not compile or render is shown with its error and line next to the field and nothing of the
sequence is saved (the admin saves a sequence and its steps in one transaction), so what staff
typed is still in the form to fix.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin, StackedInline
from unfold.decorators import action
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminTextareaWidget

from enterprise_scanner.readonly_admin import ViewOnlyAdminMixin

from ..models import (
    EnrollmentStatus,
    Lead,
    LeadSource,
    NurtureEnrollment,
    NurtureSend,
    NurtureSequence,
    NurtureStep,
    NurtureTrigger,
)
from ..selectors import lead_queryset_for_user, user_is_sales_manager
from .services import lead_unsubscribe, nurture_enrollment_stop, nurture_send_test
from .templating import VARIABLES, template_problem

NURTURE_STOP_FIELD = "crm_nurture_stop"
NURTURE_UNSUBSCRIBE_FIELD = "crm_nurture_unsubscribe"
SEND_TEST_FLAG = "_nurture_send_test"


def _variables_help() -> str:
    items = format_html_join("", "<li><code>{{{{ {} }}}}</code> — {}</li>", VARIABLES.items())
    return format_html(
        "Django template language, sandboxed: only these variables, no <code>{{% load %}}</code> or "
        "<code>|safe</code>. Checked against a sample lead when you save.<ul>{}</ul>",
        items,
    )


class NurtureStepForm(forms.ModelForm):
    class Meta:
        model = NurtureStep
        fields = ("position", "delay_days", "delay_hours", "subject", "text_template", "html_template")
        widgets = {
            "text_template": UnfoldAdminTextareaWidget(attrs={"rows": 12, "class": "font-mono"}),
            "html_template": UnfoldAdminTextareaWidget(attrs={"rows": 12, "class": "font-mono"}),
        }

    def _checked(self, name: str, *, html: bool) -> str:
        value = self.cleaned_data.get(name) or ""
        if value and (problem := template_problem(value, html=html)) is not None:
            raise ValidationError(str(problem))
        return value

    def clean_subject(self) -> str:
        value = self._checked("subject", html=False)
        if "\n" in value or "\r" in value:
            raise ValidationError("Keep the subject on one line.")
        return value

    def clean_text_template(self) -> str:
        return self._checked("text_template", html=False)

    def clean_html_template(self) -> str:
        return self._checked("html_template", html=True)


class NurtureStepInline(StackedInline):
    model = NurtureStep
    form = NurtureStepForm
    extra = 0
    ordering = ("position",)
    tab = False

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["text_template"].help_text = _variables_help()
        return formset


#: The forms a submission comes from (imports and staff-entered leads are not submissions).
SUBMISSION_SOURCES = [
    LeadSource.DEMO_REQUEST,
    LeadSource.CONTACT,
    LeadSource.ASSESSMENT,
    LeadSource.NEWSLETTER,
    LeadSource.CHAT,
]


class NurtureSequenceForm(forms.ModelForm):
    sources = forms.MultipleChoiceField(
        choices=[(source.value, source.label) for source in SUBMISSION_SOURCES],
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text="Form submitted: the forms that enrol. None ticked: any form.",
    )

    class Meta:
        model = NurtureSequence
        fields = ("name", "description", "is_active", "trigger", "sources", "min_score", "max_score")
        widgets = {"description": UnfoldAdminTextareaWidget(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        trigger = data.get("trigger")
        low, high = data.get("min_score"), data.get("max_score")
        for name, value in (("min_score", low), ("max_score", high)):
            if value is not None and value > 100:
                self.add_error(name, "Scores go from 0 to 100.")
        if trigger == NurtureTrigger.SCORE_BAND and low is None:
            self.add_error("min_score", "A score band needs its lowest score.")
        if low is not None and high is not None and low > high:
            self.add_error("max_score", "The highest score must be at least the lowest.")
        if trigger != NurtureTrigger.SCORE_BAND:
            data["min_score"] = data["max_score"] = None
        if trigger != NurtureTrigger.FORM_SUBMITTED:
            data["sources"] = []
        return data


@admin.register(NurtureSequence)
class NurtureSequenceAdmin(ModelAdmin):
    form = NurtureSequenceForm
    inlines = [NurtureStepInline]
    list_display = ("name", "is_active", "rule", "steps_n", "active_n", "sent_n")
    list_filter = ("is_active", "trigger")
    search_fields = ("name", "description")
    actions = ["send_test_to_me"]
    actions_submit_line = ["save_and_send_test"]
    fieldsets = (
        (None, {"fields": ("name", "description", "is_active")}),
        ("Who is enrolled", {"fields": ("trigger", "sources", ("min_score", "max_score"))}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[NurtureSequence]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                steps_n=Count("steps", distinct=True),
                active_n=Count(
                    "enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE), distinct=True
                ),
                sent_n=Count("enrollments__sends", distinct=True),
            )
        )

    @admin.display(description="Rule")
    def rule(self, obj: NurtureSequence) -> str:
        if obj.trigger == NurtureTrigger.FORM_SUBMITTED:
            labels = [LeadSource(s).label for s in obj.sources if s in LeadSource.values]
            return f"Form: {', '.join(labels) or 'any'}"
        if obj.trigger == NurtureTrigger.SCORE_BAND:
            return f"Score {obj.min_score}–{100 if obj.max_score is None else obj.max_score}"
        return obj.get_trigger_display()

    @admin.display(description="E-mails", ordering="steps_n")
    def steps_n(self, obj: NurtureSequence) -> int:
        return obj.steps_n

    @admin.display(description="Active enrolments", ordering="active_n")
    def active_n(self, obj: NurtureSequence) -> int:
        return obj.active_n

    @admin.display(description="Sent", ordering="sent_n")
    def sent_n(self, obj: NurtureSequence) -> int:
        return obj.sent_n

    def _send_tests(self, request: HttpRequest, sequences: QuerySet[NurtureSequence]) -> None:
        address = request.user.email
        if not address:
            messages.error(request, "Your user has no e-mail address: add one under Users to get tests.")
            return
        steps = list(NurtureStep.objects.filter(sequence__in=sequences).order_by("sequence", "position"))
        for step in steps:
            nurture_send_test(step=step, to=address)
        messages.success(
            request, f"Sent {len(steps)} test e-mails (rendered for a sample lead) to {address}."
        )

    @admin.action(description="Send a test of every e-mail to me", permissions=["view"])
    def send_test_to_me(self, request: HttpRequest, queryset: QuerySet[NurtureSequence]) -> None:
        self._send_tests(request, queryset)

    @action(description="Save and send test to me")
    def save_and_send_test(self, request: HttpRequest, obj: NurtureSequence) -> None:
        request._nurture_send_test = True  # sent in save_related, once the steps are saved too

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if getattr(request, "_nurture_send_test", False):
            self._send_tests(request, NurtureSequence.objects.filter(pk=form.instance.pk))


def _scope_by_lead(request: HttpRequest, queryset: QuerySet[Any], link: str = "lead") -> QuerySet[Any]:
    if user_is_sales_manager(request.user):
        return queryset
    return queryset.filter(**{f"{link}__in": lead_queryset_for_user(user=request.user).values("pk")})


@admin.register(NurtureEnrollment)
class NurtureEnrollmentAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Who is in which sequence (written by the enrolment rules; stopped by the action)."""

    list_display = (
        "lead",
        "sequence",
        "status",
        "stop_reason_col",
        "upcoming",
        "next_send_at",
        "enrolled_at",
    )
    list_select_related = ("lead", "sequence", "next_step")
    list_filter = ("status", "stop_reason", "sequence")
    search_fields = ("lead__email", "lead__first_name", "lead__last_name")
    date_hierarchy = "enrolled_at"
    actions = ["stop_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NurtureEnrollment]:
        return _scope_by_lead(request, super().get_queryset(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Stop reason", ordering="stop_reason")
    def stop_reason_col(self, obj: NurtureEnrollment) -> str:
        """The reason, and for an active one the mail server refused or an undeliverable one, what
        it answered last (so nobody has to open the row to see why)."""
        if not obj.last_send_error:
            return obj.get_stop_reason_display() or "–"
        label = obj.get_stop_reason_display() or f"{obj.send_failures} refused send(s)"
        return format_html(
            '{}<br><span class="text-xs text-base-500" title="{}">{}</span>',
            label,
            obj.last_send_error,
            obj.last_send_error if len(obj.last_send_error) <= 60 else obj.last_send_error[:59] + "…",
        )

    @admin.display(description="Next e-mail")
    def upcoming(self, obj: NurtureEnrollment) -> str:
        return str(obj.next_step) if obj.status == EnrollmentStatus.ACTIVE and obj.next_step_id else "–"

    @admin.action(description="Stop the selected enrolments", permissions=["view"])
    def stop_selected(self, request: HttpRequest, queryset: QuerySet[NurtureEnrollment]) -> None:
        stopped = sum(nurture_enrollment_stop(enrollment=e, actor=request.user) for e in queryset)
        messages.success(request, f"Stopped {stopped} enrolments.")


@admin.register(NurtureSend)
class NurtureSendAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Every nurture e-mail sent (read-only)."""

    list_display = ("sent_at", "subject", "enrollment", "message_id")
    list_select_related = ("enrollment",)
    search_fields = ("subject", "enrollment__lead__email", "message_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[NurtureSend]:
        return _scope_by_lead(request, super().get_queryset(request), "enrollment__lead")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- The lead page's Nurture box ---------------------------------------------------------------


def lead_nurture_context(lead: Lead) -> dict[str, Any]:
    """The lead's enrolments (with their sequence and next step) and its consent, in one query."""
    enrollments = list(
        NurtureEnrollment.objects.filter(lead=lead)
        .select_related("sequence", "next_step")
        .annotate(sent_n=Count("sends"))
        .order_by("-enrolled_at")[:10]
    )
    return {
        "crm_nurture": enrollments,
        "crm_nurture_stop_field": NURTURE_STOP_FIELD,
        "crm_nurture_unsubscribe_field": NURTURE_UNSUBSCRIBE_FIELD,
    }


def nurture_stop_post(request: HttpRequest, lead: Lead) -> HttpResponseRedirect:
    """The lead page's Stop button of one enrolment, or its "Unsubscribe" button (the lead asked
    by mail or phone); the caller checked change permission."""
    if NURTURE_UNSUBSCRIBE_FIELD in request.POST:
        if lead_unsubscribe(lead=lead, via=f"recorded by {request.user.get_username()}"):
            messages.success(request, "Unsubscribed: this lead gets no more marketing e-mail.")
        return HttpResponseRedirect(reverse("admin:leads_lead_change", args=[lead.pk]) + "#crm-nurture")
    try:
        enrollment = lead.nurture_enrollments.get(pk=int(request.POST.get(NURTURE_STOP_FIELD, "")))
    except (ValueError, NurtureEnrollment.DoesNotExist) as error:
        raise Http404("No such enrolment on this lead.") from error
    if nurture_enrollment_stop(enrollment=enrollment, actor=request.user):
        messages.success(request, "Nurture e-mail stopped for this lead.")
    else:
        messages.info(request, "That sequence had already ended.")
    return HttpResponseRedirect(reverse("admin:leads_lead_change", args=[lead.pk]) + "#crm-nurture")
