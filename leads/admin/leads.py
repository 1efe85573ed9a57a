"""The lead admin: the rep's queue (changelist) and the lead page (change form with timeline,
activity, company card and audit trail beside it, and a note inline).

The columns live in `display`, the bulk actions in `actions`, the forms in `forms`, what the
change page shows beside the form in `change_page`; this module holds the configuration, the
scoping and the saving.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from import_export.admin import ExportActionMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from ..admin_duplicates import LeadDuplicatesAdminMixin
from ..models import Lead, LeadNote, LeadStatus
from ..nurture.admin import (
    NURTURE_STOP_FIELD,
    NURTURE_UNSUBSCRIBE_FIELD,
    lead_nurture_context,
    nurture_stop_post,
)
from ..resources import LeadResource
from ..selectors import lead_queryset_for_user, lead_search_q, user_is_sales_manager, user_may_see_lead
from ..services import (
    lead_assign,
    lead_change_status,
    lead_deal_value_recorded,
    lead_note_add,
    lead_record_staff_created,
    lead_schedule_follow_up,
    lead_set_company,
)
from .actions import LeadActionsMixin
from .board import LeadBoardAdminMixin
from .change_page import CRM_CHANGE_FORM_TEMPLATE, _lead_crm_context
from .composer import COMPOSER_FIELD, TASK_DONE_FIELD, composer_initial, composer_post, task_done_post
from .display import LeadDisplayMixin
from .filters import FollowUpDueFilter, OwnerFilter, ScoreBandFilter
from .forms import LeadAdminForm
from .importing import LeadImportAdminMixin
from .pagination import CappedCountPaginator
from .presets import lead_presets_for

#: Fields the change form saves through a service (timeline entry, flag copies) instead of save().
SERVICE_FIELDS = frozenset({"status", "owner", "next_follow_up_at", "company"})


class LeadNoteInline(TabularInline):
    """Add a note. Existing notes are shown on the timeline, newest first, so this inline only
    offers the empty form; the note is written by `lead_note_add` (see `LeadAdmin.save_formset`)."""

    model = LeadNote
    fields = ("body",)
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = "note"
    verbose_name_plural = "Add a note"

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadNote]:
        return super().get_queryset(request).none()

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(
    LeadActionsMixin,
    LeadDisplayMixin,
    LeadBoardAdminMixin,
    LeadDuplicatesAdminMixin,
    LeadImportAdminMixin,
    ExportActionMixin,
    ModelAdmin,
):
    """The rep's queue and lead page. Extend it with mixins (pipeline board, duplicates,
    import/export): their `actions` are merged with `crm_actions` in __init__, and their URLs
    come from their own `get_urls`; this class adds none itself."""

    form = LeadAdminForm
    paginator = CappedCountPaginator
    resource_classes = [LeadResource]
    import_form_class = ImportForm
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = (
        "score_badge",
        "lead_name",
        "job_title_display",
        "company_display",
        "status",
        "owner",
        "follow_up_display",
        "created_display",
    )
    list_display_links = ("lead_name",)
    list_before_template = "admin/leads/lead/presets.html"
    list_select_related = ("company", "owner")
    list_filter = (
        "status",
        ("is_fortune_500", admin.BooleanFieldListFilter),
        ScoreBandFilter,
        OwnerFilter,
        "source",
        FollowUpDueFilter,
    )
    search_fields = ("email", "first_name", "last_name", "company_name", "company__name", "company__domain")
    search_help_text = "Name, e-mail, company name or domain."
    ordering = ("-is_fortune_500", "-score", "-created_at")  # lead_queue_idx: hot Fortune 500 first
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ("company", "partner", "visitor")
    raw_id_fields = ("owner",)
    readonly_fields = (
        "score",
        "why_this_score",
        "scored_at",
        "is_fortune_500",
        "marketing_unsubscribed_at",
        "created_at",
        "updated_at",
    )
    inlines = (LeadNoteInline,)
    fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name", "job_title", "seniority", "phone")}),
        ("Company", {"fields": ("company", "company_name", "is_fortune_500")}),
        (
            "Pipeline",
            {
                "fields": (
                    "status",
                    "lost_reason",
                    "owner",
                    "next_follow_up_at",
                    "last_contacted_at",
                    "estimated_deal_value",
                    "actual_deal_value",
                )
            },
        ),
        ("Score", {"fields": ("score", "why_this_score", "scored_at")}),
        ("Origin", {"fields": ("source", "message", "partner", "visitor")}),
        (
            "Campaign",
            {
                "fields": ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"),
                "classes": ("collapse",),
            },
        ),
        ("Consent", {"fields": ("consent_marketing", "consent_marketing_at", "marketing_unsubscribed_at")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        declared: list[Any] = []
        for klass in reversed(type(self).__mro__):  # mixins' actions, then ours
            declared += list(vars(klass).get("actions") or [])
        declared += list(vars(self).get("actions") or [])  # set by a mixin's __init__
        merged = [*self.crm_actions, *declared]
        self.actions = list(dict.fromkeys(merged))
        # Our change form wraps whichever one a mixin (import-export's export button) provides.
        base = self.change_form_template
        self.crm_base_change_form_template = (
            base if base and base != CRM_CHANGE_FORM_TEMPLATE else "admin/change_form.html"
        )
        self.change_form_template = CRM_CHANGE_FORM_TEMPLATE

    # --- Scoping ------------------------------------------------------------------------------

    def get_resource_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Imports act as, and exports are scoped to, the logged-in user."""
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def get_export_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return lead_queryset_for_user(user=request.user, queryset=super().get_export_queryset(request))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The list with the saved-filter tabs above it (`presets`)."""
        extra_context = {**(extra_context or {}), "lead_presets": lead_presets_for(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        queryset = super().get_queryset(request).select_related("company", "owner")
        return lead_queryset_for_user(user=request.user, queryset=queryset)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Lead], search_term: str
    ) -> tuple[QuerySet[Lead], bool]:
        """Searches `search_fields`' columns, shaped for the trigram indexes (`lead_search_q`):
        the matched company's name and domains through a list of company ids, not a join, so
        PostgreSQL reads only the matching leads. No duplicates: every condition is on the lead."""
        if not search_term.strip():
            return queryset, False
        return queryset.filter(lead_search_q(search_term)), False

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Lead | None:
        """A lead outside the user's scope is a 404, the same as one that does not exist, so a
        URL reveals nothing (Django would redirect to the index with a message otherwise)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None or not user_may_see_lead(user=request.user, lead=obj):
            raise Http404("No such lead.")
        return obj

    def has_view_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or user_may_see_lead(user=request.user, lead=obj))

    def has_change_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_may_see_lead(user=request.user, lead=obj))

    def has_delete_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_may_see_lead(user=request.user, lead=obj))

    def has_reassign_permission(self, request: HttpRequest) -> bool:
        """Only managers hand leads to other people."""
        return user_is_sales_manager(request.user) and super().has_change_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Lead | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not user_is_sales_manager(request.user):
            readonly += ("owner",)  # reps take leads with "Assign to me", never give them away
        return readonly

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "owner":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Change page --------------------------------------------------------------------------

    class Media:
        css = {"all": ("leads/lead_page.css",)}
        js = ("leads/lead_page.js",)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The record page; a POST from its activity composer is handled here, not by the edit
        form, so logging a call never saves (or validates) the lead's fields."""
        posted = request.POST if request.method == "POST" else {}
        page_posts = (COMPOSER_FIELD, TASK_DONE_FIELD, NURTURE_STOP_FIELD, NURTURE_UNSUBSCRIBE_FIELD)
        if any(field in posted for field in page_posts):
            lead = self.get_object(request, unquote(object_id))  # 404 outside the user's scope
            if lead is None or not self.has_change_permission(request, lead):
                raise PermissionDenied
            if TASK_DONE_FIELD in request.POST:
                return task_done_post(request, lead)
            if NURTURE_STOP_FIELD in request.POST or NURTURE_UNSUBSCRIBE_FIELD in request.POST:
                return nurture_stop_post(request, lead)
            page_request = copy.copy(request)
            page_request.method = "GET"

            def render_page(form: Any) -> HttpResponse:
                page_request.crm_composer_form = form
                return super(LeadAdmin, self).change_view(page_request, object_id, form_url, extra_context)

            return composer_post(request, lead, render_page=render_page)
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Lead | None = None,
    ) -> HttpResponse:
        context["crm_base_change_form_template"] = self.crm_base_change_form_template
        if obj is not None and obj.pk:
            context.update(_lead_crm_context(obj, request))
            context.update(lead_nurture_context(obj))
            may_change = self.has_change_permission(request, obj)
            context["crm_may_change"] = may_change
            if may_change:
                context["crm_composer"] = getattr(request, "crm_composer_form", None) or composer_initial()
                context["crm_composer_field"] = COMPOSER_FIELD
                context["crm_task_done_field"] = TASK_DONE_FIELD
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Known debt (issue 13, "one write path per change"): this holds the staff "add lead" flow
    # and a change flow that saves plain fields before calling the services; both move into a
    # `lead_update` / staff-create service used by the admin, the API and the import.
    def save_model(self, request: HttpRequest, obj: Lead, form: ModelForm, change: bool) -> None:
        """Plain fields are saved as typed (auditlog records them); status, owner, follow-up and
        company go through their services so the timeline and the copied flags stay right."""
        user = request.user
        data = form.cleaned_data
        if not change:
            # Insert the plain lead, then apply the pipeline fields through their services so a
            # new lead's timeline starts with the same entries as any other.
            owner, status, follow_up = obj.owner, obj.status, obj.next_follow_up_at
            obj.owner, obj.status, obj.next_follow_up_at = None, LeadStatus.NEW, None
            super().save_model(request, obj, form, change)
            lead_record_staff_created(lead=obj, actor=user)
            if owner is None and not user_is_sales_manager(user):
                owner = user  # a rep owns the leads they enter
            if owner is not None:
                lead_assign(lead=obj, owner=owner, actor=user)
            if status != LeadStatus.NEW:
                lead_change_status(lead=obj, status=status, lost_reason=obj.lost_reason, actor=user)
            if follow_up is not None:
                lead_schedule_follow_up(lead=obj, at=follow_up, actor=user)
            obj.refresh_from_db()
            return
        changed = set(form.changed_data)
        status_changes = "status" in changed
        plain = [name for name in changed if name not in SERVICE_FIELDS]
        if status_changes and "lost_reason" in plain:
            plain.remove("lost_reason")  # written by lead_change_status with the status
        if plain:
            obj.save(update_fields=[*plain, "updated_at"])
        if "company" in changed:
            lead_set_company(lead=obj, company=data.get("company"), actor=user)
        if status_changes:
            lead_change_status(
                lead=obj, status=data["status"], lost_reason=data.get("lost_reason") or "", actor=user
            )
        if "owner" in changed and user_is_sales_manager(user):
            lead_assign(lead=obj, owner=data.get("owner"), actor=user)
        if "next_follow_up_at" in changed:
            lead_schedule_follow_up(lead=obj, at=data.get("next_follow_up_at"), actor=user)
        if "actual_deal_value" in changed and not status_changes:
            lead_deal_value_recorded(lead=obj, actor=user)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is LeadNote:
            # What formset.save() would have set, for the admin's change message.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for note_form in formset.forms:
                body = note_form.cleaned_data.get("body") if note_form.has_changed() else None
                if body:
                    note = lead_note_add(lead=form.instance, author=request.user, body=body)
                    formset.new_objects.append(note)
        else:
            super().save_formset(request, form, formset, change)
