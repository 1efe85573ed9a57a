"""My tasks: the LeadTask admin, a rep's to-do list.

The list opens on the current user's open tasks (theirs to do: tasks they own, and unowned tasks
on leads they own), with tabs Overdue / Today / Upcoming / Done / All open and a scope switch to
every task they may see (a rep: tasks they own and tasks on their own and unassigned leads; a
manager: all, with an owner filter). Each row has a one-click "Done" / "Reopen" (POST, through
`task_complete` / `task_reopen`), and "Add task" opens a short form saved by `task_create`.
Every write goes through `leads.services.tasks`, so the lead's timeline and its next follow-up
stay right whoever changes a task.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import timeuntil
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin

from ..days import day_bounds
from ..models import LeadTask, TaskKind
from ..selectors import (
    TaskBucket,
    lead_queryset_for_user,
    task_bucket_counts,
    task_bucket_q,
    task_mine_q,
    task_queryset_for_user,
    user_is_sales_manager,
    user_may_see_lead,
)
from ..services import UNSET, task_complete, task_create, task_reopen, task_update

#: The list's query parameters: which tab, whose tasks.
BUCKET_PARAM = "bucket"
SCOPE_PARAM = "scope"
OPEN = "open"
SCOPE_MINE, SCOPE_ALL = "mine", "all"
#: Tabs in the order a rep works them: what is late first.
TABS = (
    (TaskBucket.OVERDUE, "Overdue"),
    (TaskBucket.TODAY, "Today"),
    (TaskBucket.UPCOMING, "Upcoming"),
    (OPEN, "All open"),
    (TaskBucket.DONE, "Done"),
)


def _scope(request: HttpRequest) -> str:
    return SCOPE_ALL if request.GET.get(SCOPE_PARAM) == SCOPE_ALL else SCOPE_MINE


def _bucket(request: HttpRequest) -> str:
    value = request.GET.get(BUCKET_PARAM, OPEN)
    return value if value in {*TaskBucket.values, OPEN} else OPEN


class TaskBucketFilter(admin.SimpleListFilter):
    """The tabs as a filter (so the changelist keeps the parameter in its links); no "All":
    the default is every open task."""

    title = "when"
    parameter_name = BUCKET_PARAM
    template = "admin/leads/leadtask/hidden_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(value), label) for value, label in TABS]

    def choices(self, changelist: Any):
        current = self.value() or OPEN
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[LeadTask]) -> QuerySet[LeadTask]:
        bucket = self.value() or OPEN
        if bucket == OPEN:
            return queryset.filter(done_at__isnull=True)
        if bucket in TaskBucket.values:
            return queryset.filter(task_bucket_q(bucket))
        return queryset.filter(done_at__isnull=True)


class TaskScopeFilter(admin.SimpleListFilter):
    """Mine (default) or every task the user may see."""

    title = "whose"
    parameter_name = SCOPE_PARAM
    template = "admin/leads/leadtask/hidden_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        everyone = "Everyone's" if user_is_sales_manager(request.user) else "Mine + unassigned leads"
        return [(SCOPE_MINE, "Mine"), (SCOPE_ALL, everyone)]

    def choices(self, changelist: Any):
        current = self.value() or SCOPE_MINE
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[LeadTask]) -> QuerySet[LeadTask]:
        # LeadTaskAdmin.get_queryset has already narrowed to what the user may see.
        if (self.value() or SCOPE_MINE) == SCOPE_MINE:
            return queryset.filter(task_mine_q(request.user))
        return queryset


class TaskOwnerFilter(admin.SimpleListFilter):
    """Managers: whose tasks (the assignee: the task's owner, else the lead's)."""

    title = "assignee"
    parameter_name = "assignee"
    template = "admin/leads/leadtask/hidden_filter.html"  # a select beside the tabs instead

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        users = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        return [
            ("none", "Nobody (unassigned lead)"),
            *((str(user.pk), user.get_username()) for user in users),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[LeadTask]) -> QuerySet[LeadTask]:
        value = self.value()
        if value == "none":
            return queryset.filter(owner__isnull=True, lead__owner__isnull=True)
        if value and value.isdigit():
            return queryset.filter(Q(owner_id=int(value)) | Q(owner__isnull=True, lead__owner_id=int(value)))
        return queryset


class LeadTaskForm(forms.ModelForm):
    """Add or change a task. The lead must be one the user may see; the owner an active staff
    user (the service checks they may see the lead). Saved by the services, not `save()`."""

    class Meta:
        model = LeadTask
        fields = ("lead", "title", "kind", "due_at", "owner")
        labels = {"due_at": "Due"}

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        if "lead" in self.fields:
            self.fields["lead"].queryset = lead_queryset_for_user(user=request.user).order_by("email")
            widget = self.fields["lead"].widget
            # Pick a lead here; creating or editing one belongs on the lead's own page.
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
        if "owner" in self.fields:
            self.fields["owner"].queryset = (
                get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
            )
            self.fields["owner"].help_text = "Empty: whoever owns the lead (also after it is reassigned)."
            self.fields["owner"].empty_label = "The lead's owner"
            self.fields["owner"].required = False
        if "title" in self.fields:
            self.fields["title"].widget.attrs.update(
                placeholder="e.g. Call back about the pilot", autofocus=True
            )

    def clean(self) -> dict[str, Any]:
        """The rule the service would refuse with: the owner must be able to open the lead."""
        data = super().clean()
        lead = data.get("lead") or (self.instance.lead if self.instance.pk else None)
        owner = data.get("owner")
        if lead is not None and owner is not None and not user_may_see_lead(user=owner, lead=lead):
            self.add_error(
                "owner", f"{owner.get_username()} cannot see this lead (it belongs to another rep)."
            )
        return data


@admin.register(LeadTask)
class LeadTaskAdmin(ModelAdmin):
    """My tasks (see the module docstring)."""

    form = LeadTaskForm
    list_display = ("done_button", "task_title", "lead_link", "due", "assignee_name", "lead_status")
    list_display_links = None
    list_per_page = 50
    actions = ("mark_done", "mark_reopened")
    search_fields = ("title", "lead__email", "lead__first_name", "lead__last_name", "lead__company_name")
    autocomplete_fields = ("lead",)
    change_list_template = "admin/leads/leadtask/change_list.html"
    show_full_result_count = False

    # --- Scope and lists ------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadTask]:
        """Every task the user may see (object URLs, actions); the changelist narrows it to
        "mine" unless asked for everything."""
        return task_queryset_for_user(user=request.user, queryset=super().get_queryset(request))

    def get_list_filter(self, request: HttpRequest) -> tuple[Any, ...]:
        filters: tuple[Any, ...] = (TaskBucketFilter, TaskScopeFilter)
        if user_is_sales_manager(request.user):
            filters += (TaskOwnerFilter,)
        return filters

    def _listed(self, request: HttpRequest) -> QuerySet[LeadTask]:
        """The tasks the tabs count: the chosen scope (and, for managers, assignee)."""
        return task_queryset_for_user(user=request.user, mine=_scope(request) == SCOPE_MINE)

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["-done_at", "-pk"] if _bucket(request) == TaskBucket.DONE else ["due_at", "pk"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        scoped = self._listed(request)
        owner = request.GET.get("assignee", "")
        if owner and user_is_sales_manager(request.user):
            scoped = TaskOwnerFilter(request, {"assignee": [owner]}, LeadTask, self).queryset(request, scoped)
        counts = task_bucket_counts(scoped)
        counts[OPEN] = counts[TaskBucket.TODAY] + counts[TaskBucket.OVERDUE] + counts[TaskBucket.UPCOMING]
        current, scope = _bucket(request), _scope(request)
        keep = {key: value for key, value in request.GET.items() if key not in {BUCKET_PARAM, "p"}}
        tabs = [
            {
                "label": label,
                "count": counts[value],
                "url": "?" + urlencode({**keep, BUCKET_PARAM: value}),
                "selected": current == value,
                "alert": value == TaskBucket.OVERDUE and counts[value] > 0,
                "key": value,
            }
            for value, label in TABS
        ]
        keep_scope = {
            key: value for key, value in request.GET.items() if key not in {SCOPE_PARAM, "p", "assignee"}
        }
        scopes = [
            {
                "label": label,
                "url": "?" + urlencode({**keep_scope, SCOPE_PARAM: value}),
                "selected": scope == value,
            }
            for value, label in TaskScopeFilter(request, {}, LeadTask, self).lookup_choices
        ]
        context = {
            "task_tabs": tabs,
            "task_scopes": scopes,
            "task_bucket": current,
            "task_assignees": self._assignee_choices(request),
            "title": "My tasks" if scope == SCOPE_MINE else "Tasks",
            "subtitle": None,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def _assignee_choices(self, request: HttpRequest) -> dict[str, Any] | None:
        """Managers: the assignee select beside the tabs (a GET form keeping the other
        parameters), so the list keeps the page's full width at 1366 px."""
        if not user_is_sales_manager(request.user):
            return None
        current = request.GET.get("assignee", "")
        choices = TaskOwnerFilter(request, {}, LeadTask, self).lookup_choices
        return {
            "current": current,
            "choices": [
                {"value": value, "label": label, "selected": value == current} for value, label in choices
            ],
            "keep": [
                (key, value)
                for key, value in request.GET.items()
                if key not in {"assignee", "p", SCOPE_PARAM}
            ],
        }

    # --- Columns --------------------------------------------------------------------------------

    @admin.display(description="")
    def done_button(self, obj: LeadTask) -> str:
        if obj.done_at is None:
            url = reverse("admin:leads_leadtask_complete", args=[obj.pk])
            return format_html(
                '<button type="submit" form="task-quick-form" formaction="{}" class="task-check" '
                'title="Mark done" aria-label="Mark “{}” done"><span aria-hidden="true"></span></button>',
                url,
                obj.title,
            )
        url = reverse("admin:leads_leadtask_reopen", args=[obj.pk])
        return format_html(
            '<button type="submit" form="task-quick-form" formaction="{}" class="task-check task-check--done" '
            'title="Done {} by {} — click to reopen" aria-label="Reopen “{}”"><span aria-hidden="true">✓</span></button>',
            url,
            f"{timezone.localtime(obj.done_at):%d %b %H:%M}",
            obj.done_by.get_username() if obj.done_by_id else "someone",
            obj.title,
        )

    @admin.display(description="Task", ordering="title")
    def task_title(self, obj: LeadTask) -> str:
        url = reverse("admin:leads_leadtask_change", args=[obj.pk])
        return format_html(
            '<a href="{}" class="task-title{}" title="{}">{}</a><span class="task-kind">{}</span>',
            url,
            " task-title--done" if obj.done_at else "",
            obj.title,
            obj.title,
            obj.get_kind_display(),
        )

    @admin.display(description="Lead · company", ordering="lead__last_name")
    def lead_link(self, obj: LeadTask) -> str:
        """The lead (linked to its page) over its company, with the Fortune 500 badge."""
        lead = obj.lead
        name = lead.full_name or lead.email
        company = lead.company
        company_name = company.name if company else lead.company_name
        badge = (
            format_html(' <span class="task-f500" title="Fortune 500 #{}">F500</span>', company.fortune_rank)
            if company and company.fortune_rank
            else ""
        )
        return format_html(
            '<a href="{}" class="task-trunc" title="{} · {}">{}</a>'
            '<span class="task-company"><span class="task-trunc" title="{}">{}</span>{}</span>',
            reverse("admin:leads_lead_change", args=[lead.pk]),
            name,
            lead.email,
            name,
            company_name,
            company_name or "—",
            badge,
        )

    @admin.display(description="Due", ordering="due_at")
    def due(self, obj: LeadTask) -> str:
        local = timezone.localtime(obj.due_at)
        bounds = day_bounds()
        if obj.done_at is None and obj.due_at < bounds.start:
            days = (bounds.day - local.date()).days
            late = "1 day" if days == 1 else f"{days} days"
            return format_html(
                '<span class="task-due task-due--overdue" title="{}">{}<span class="task-flag">Overdue · {}</span></span>',
                f"{local:%A %d %B %Y %H:%M}",
                f"{local:%a %d %b, %H:%M}",
                late,
            )
        label = (
            f"Today, {local:%H:%M}" if bounds.start <= obj.due_at < bounds.end else f"{local:%a %d %b, %H:%M}"
        )
        soon = (
            format_html(' <span class="task-soon">in {}</span>', timeuntil(obj.due_at))
            if obj.done_at is None and bounds.start <= obj.due_at < bounds.end and obj.due_at > timezone.now()
            else ""
        )
        return format_html(
            '<span class="task-due" title="{}">{}</span>{}', f"{local:%A %d %B %Y %H:%M}", label, soon
        )

    @admin.display(description="Owner")
    def assignee_name(self, obj: LeadTask) -> str:
        if obj.owner_id:
            return obj.owner.get_username()
        if obj.lead.owner_id:
            return format_html('<span title="The lead\'s owner">{}</span>', obj.lead.owner.get_username())
        return format_html('<span class="task-muted">{}</span>', "Unassigned")

    @admin.display(description="Lead status", ordering="lead__status")
    def lead_status(self, obj: LeadTask) -> str:
        return format_html(
            '<span class="task-status task-status--{}">{}</span>',
            obj.lead.status,
            obj.lead.get_status_display(),
        )

    # --- Quick done / reopen, bulk actions --------------------------------------------------------

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:pk>/complete/",
                self.admin_site.admin_view(self.complete_view),
                name=f"{prefix}_complete",
            ),
            path("<int:pk>/reopen/", self.admin_site.admin_view(self.reopen_view), name=f"{prefix}_reopen"),
            *super().get_urls(),
        ]

    def _quick(self, request: HttpRequest, pk: int, *, done: bool) -> HttpResponse:
        task = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, task):
            raise PermissionDenied
        if done:
            task_complete(task=task, actor=request.user)
            message = format_html("Done: “{}” ({}).", task.title, task.lead)
        else:
            task_reopen(task=task, actor=request.user)
            message = format_html("Reopened: “{}”.", task.title)
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._back(request))

    def _back(self, request: HttpRequest) -> str:
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse("admin:leads_leadtask_changelist")

    def complete_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(lambda req: self._quick(req, pk, done=True))(request)

    def reopen_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(lambda req: self._quick(req, pk, done=False))(request)

    @admin.action(description="Mark the selected tasks done", permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[LeadTask]) -> None:
        tasks = list(queryset.filter(done_at__isnull=True))
        for task in tasks:
            task_complete(task=task, actor=request.user)
        self.message_user(request, f"{len(tasks)} task(s) marked done.", messages.SUCCESS)

    @admin.action(description="Reopen the selected tasks", permissions=["change"])
    def mark_reopened(self, request: HttpRequest, queryset: QuerySet[LeadTask]) -> None:
        tasks = list(queryset.filter(done_at__isnull=False))
        for task in tasks:
            task_reopen(task=task, actor=request.user)
        self.message_user(request, f"{len(tasks)} task(s) reopened.", messages.SUCCESS)

    # --- Add and change forms (saved through the services) ----------------------------------------

    def get_form(
        self, request: HttpRequest, obj: LeadTask | None = None, change: bool = False, **kwargs: Any
    ):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def get_fields(self, request: HttpRequest, obj: LeadTask | None = None) -> list[str]:
        return ["title", "kind", "due_at", "owner"] if obj else ["lead", "title", "kind", "due_at", "owner"]

    def get_readonly_fields(self, request: HttpRequest, obj: LeadTask | None = None) -> tuple[str, ...]:
        return ("kind",) if obj else ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        lead_id = request.GET.get("lead")
        if lead_id and lead_queryset_for_user(user=request.user).filter(pk=_uuid_or_none(lead_id)).exists():
            initial["lead"] = lead_id
        # Tomorrow 09:00 local: the usual "get back to them" time.
        initial.setdefault("due_at", timezone.localtime(day_bounds().end) + timedelta(hours=9))
        initial.setdefault("kind", TaskKind.FOLLOW_UP)
        return initial

    def save_model(self, request: HttpRequest, obj: LeadTask, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        try:
            if not change:
                saved = task_create(
                    lead=data["lead"],
                    title=data["title"],
                    due_at=data["due_at"],
                    owner=data.get("owner"),
                    kind=data.get("kind") or TaskKind.FOLLOW_UP,
                    actor=request.user,
                )
            else:
                saved = task_update(
                    task=obj,
                    actor=request.user,
                    title=data["title"] if "title" in form.changed_data else UNSET,
                    due_at=data["due_at"] if "due_at" in form.changed_data else UNSET,
                    owner=data.get("owner") if "owner" in form.changed_data else UNSET,
                )
        except ValidationError as exc:
            # The form checked the same rules; only a change in between (the lead reassigned
            # while the form was open) gets here. Refuse rather than save half of it.
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = saved.pk

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or user_may_see_lead(user=request.user, lead=obj.lead)
            or obj.owner_id == request.user.pk
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Tasks are completed, not deleted: a done task is part of the lead's story.
        return False


def _uuid_or_none(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None
