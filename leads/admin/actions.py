"""Bulk actions of the lead changelist: assign, change status, schedule a follow-up, watch the
assessed websites. Each one scopes the selection to the leads the user may work and writes
through the services, one lead at a time, so every lead gets its own timeline entry."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from assessments.monitoring.services import monitor_watch_lead_targets

from ..models import Lead, LeadStatus
from ..selectors import lead_queryset_for_user, user_is_sales_manager
from ..services import lead_assign, lead_assign_balanced, lead_change_status, lead_schedule_follow_up
from .forms import FollowUpActionForm, StatusActionForm


class LeadActionsMixin:
    """The CRM actions, for a ModelAdmin of `Lead` (uses its `message_user` and `admin_site`)."""

    crm_actions: ClassVar[list[str]] = [
        "crm_assign_to_me",
        "crm_assign_round_robin",
        "crm_assign_least_busy",
        "crm_change_status",
        "crm_schedule_follow_up",
        "crm_watch_websites",
    ]

    def _scoped(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        """Actions touch only leads the user may work, whatever ids were posted."""
        return lead_queryset_for_user(user=request.user, queryset=queryset)

    @admin.action(description="Assign to me", permissions=["change"])
    def crm_assign_to_me(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        leads = self._scoped(request, queryset)
        if not user_is_sales_manager(request.user):
            leads = leads.filter(Q(owner__isnull=True) | Q(owner=request.user))
        taken = 0
        for lead in leads:
            if lead.owner_id != request.user.pk:
                lead_assign(lead=lead, owner=request.user, actor=request.user)
                taken += 1
        self.message_user(request, f"{taken} lead(s) assigned to you.", messages.SUCCESS)

    def _assign_balanced(self, request: HttpRequest, queryset: QuerySet[Lead], strategy: Any) -> None:
        leads = list(self._scoped(request, queryset).order_by("-is_fortune_500", "-score", "-created_at"))
        try:
            assigned = lead_assign_balanced(leads=leads, strategy=strategy, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        per_rep: dict[str, int] = {}
        for rep in assigned.values():
            per_rep[rep.get_username()] = per_rep.get(rep.get_username(), 0) + 1
        summary = ", ".join(f"{name}: {n}" for name, n in sorted(per_rep.items()))
        self.message_user(request, f"{len(assigned)} lead(s) assigned ({summary}).", messages.SUCCESS)

    @admin.action(description="Assign round-robin among active reps", permissions=["reassign"])
    def crm_assign_round_robin(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        self._assign_balanced(request, queryset, "round_robin")

    @admin.action(description="Assign to the least busy rep", permissions=["reassign"])
    def crm_assign_least_busy(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        self._assign_balanced(request, queryset, "least_busy")

    def _action_page(
        self,
        request: HttpRequest,
        leads: QuerySet[Lead],
        template: str,
        form: forms.Form,
        action: str,
        title: str,
    ) -> TemplateResponse:
        """The intermediate page of an action that asks for input (re-posts the selection)."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "leads": leads,
            "form": form,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, f"admin/leads/lead/{template}", context)

    @admin.action(description="Change status…", permissions=["change"])
    def crm_change_status(self, request: HttpRequest, queryset: QuerySet[Lead]) -> TemplateResponse | None:
        leads = self._scoped(request, queryset)
        form = StatusActionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            status, reason = form.cleaned_data["status"], form.cleaned_data["lost_reason"]
            changed = 0
            for lead in leads:
                try:
                    lead_change_status(lead=lead, status=status, lost_reason=reason, actor=request.user)
                except ValidationError as error:  # e.g. a won lead whose commission is approved
                    problems = "; ".join(error.messages)
                    self.message_user(request, f"{lead} was not changed: {problems}", messages.ERROR)
                else:
                    changed += 1
            label = LeadStatus(status).label
            self.message_user(request, f"{changed} lead(s) set to {label}.", messages.SUCCESS)
            return None
        return self._action_page(
            request, leads, "crm_change_status.html", form, "crm_change_status", "Change the status of leads"
        )

    @admin.action(description="Schedule follow-up…", permissions=["change"])
    def crm_schedule_follow_up(
        self, request: HttpRequest, queryset: QuerySet[Lead]
    ) -> TemplateResponse | None:
        leads = self._scoped(request, queryset)
        form = FollowUpActionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            at = form.follow_up_at()
            for lead in leads:
                lead_schedule_follow_up(lead=lead, at=at, actor=request.user)
            local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
            self.message_user(
                request, f"Follow-up set for {len(leads)} lead(s) on {local}.", messages.SUCCESS
            )
            return None
        return self._action_page(
            request, leads, "crm_follow_up.html", form, "crm_schedule_follow_up", "Schedule a follow-up"
        )

    def has_watch_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("assessments.change_monitoredtarget")

    @admin.action(description="Watch their assessed websites (re-scan on a schedule)", permissions=["watch"])
    def crm_watch_websites(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        """Monitoring (assessments.monitoring): watch the sites assessed for the selected leads."""
        hosts: list[str] = []
        without = 0
        for lead in self._scoped(request, queryset):
            targets = monitor_watch_lead_targets(lead=lead, actor=request.user)
            hosts += [target.host for target in targets]
            without += not targets
        self.message_user(
            request, f"{len(hosts)} website(s) watched: {', '.join(sorted(hosts)) or '–'}.", messages.SUCCESS
        )
        if without:
            self.message_user(
                request, f"{without} lead(s) have no assessed website to watch yet.", messages.WARNING
            )
