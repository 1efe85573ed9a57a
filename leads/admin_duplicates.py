"""Admin pages for likely duplicate leads and merging them, as a mixin for the Lead ModelAdmin.

Adds two pages under the lead changelist and one action:

- ``…/leads/lead/duplicates/``: groups of likely duplicates among the leads the user may see,
  with the evidence ("same e-mail", "same phone", "same name at same company") and a
  "Merge…" link per group.
- ``…/leads/lead/merge/?ids=<id>,<id>&keep=<id>``: the dry run (field by field before and
  after, what moves, warnings, refusals), a choice of survivor, and a Confirm button (POST)
  that merges.
- the changelist action "Merge selected leads…", which opens that preview.

Who may merge: users with ``leads.change_lead`` on every lead involved, which the scoped
selector decides: managers any leads, reps their own and unassigned ones (see
``leads.duplicates.lead_merge``). The pages only parse input, call ``leads.duplicates`` and
render; templates autoescape everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from .duplicates import MAX_MERGE_LEADS, duplicate_groups, lead_merge, lead_merge_plan, leads_for_merge

if TYPE_CHECKING:
    from .models import Lead


def _parse_ids(source: Any) -> list[str]:
    """Ids from ``ids=a,b`` and/or ``ids=a&ids=b``, blanks dropped, order kept, no repeats."""
    ids: list[str] = []
    for value in source.getlist("ids"):
        ids += [part.strip() for part in value.split(",") if part.strip()]
    return list(dict.fromkeys(ids))


class LeadDuplicatesAdminMixin:
    """Mixin for a ModelAdmin of Lead: duplicates list, merge preview/confirm, merge action.

    Put it before ``admin.ModelAdmin`` in the bases. It adds its action through
    ``get_actions``, so the admin's own ``actions`` list need not mention it.
    """

    duplicates_template = "admin/leads/duplicates/list.html"
    merge_template = "admin/leads/duplicates/merge.html"

    # --- URLs and action ---------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="{}_{}_duplicates".format(*info),
            ),
            path("merge/", self.admin_site.admin_view(self.merge_view), name="{}_{}_merge".format(*info)),
        ]
        # Before the ModelAdmin's own URLs, whose "<path:object_id>/" would swallow these.
        return own + super().get_urls()

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if self.actions is not None and "_popup" not in request.GET and self.has_change_permission(request):
            action = self.get_action("merge_selected_leads")
            if action is not None:
                actions[action[1]] = action
        return actions

    @admin.action(description="Merge selected leads…")
    def merge_selected_leads(self, request: HttpRequest, queryset: QuerySet[Lead]) -> HttpResponse | None:
        """Open the merge preview for the selection (nothing is merged before confirming)."""
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[: MAX_MERGE_LEADS + 1]]
        if len(ids) < 2:
            self.message_user(request, "Select at least two leads to merge.", messages.WARNING)
            return None
        if len(ids) > MAX_MERGE_LEADS:
            self.message_user(request, f"Merge at most {MAX_MERGE_LEADS} leads at a time.", messages.WARNING)
            return None
        return HttpResponseRedirect(f"{self._url('merge')}?{urlencode({'ids': ','.join(ids)})}")

    # --- Views -------------------------------------------------------------------------------

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        """Groups of likely duplicates the user may see, each with a link to its merge preview."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        merge_url = self._url("merge")
        groups = [
            {"group": group, "merge_url": f"{merge_url}?{urlencode({'ids': ','.join(group.ids)})}"}
            for group in duplicate_groups(user=request.user)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Likely duplicate leads",
            "groups": groups,
            "changelist_url": self._url("changelist"),
        }
        return TemplateResponse(request, self.duplicates_template, context)

    def merge_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the dry-run preview. POST (Confirm): merge, then open the survivor."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        source = request.POST if request.method == "POST" else request.GET
        ids = _parse_ids(source)
        keep_id = source.get("keep", "").strip()
        if len(ids) < 2:
            return self._merge_error(request, "Choose at least two leads to merge.")
        if len(ids) > MAX_MERGE_LEADS:
            return self._merge_error(request, f"Merge at most {MAX_MERGE_LEADS} leads at a time.")
        try:
            leads = leads_for_merge(user=request.user, ids=ids)
        except ValidationError as error:
            return self._merge_error(request, " ".join(error.messages))
        by_id = {str(lead.pk): lead for lead in leads}
        if keep_id and keep_id not in by_id:
            return self._merge_error(request, "The lead to keep must be one of the leads being merged.")
        # Default survivor: the oldest lead.
        keep = by_id[keep_id] if keep_id else min(leads, key=lambda lead: (lead.created_at, str(lead.pk)))
        others = [lead for lead in leads if lead.pk != keep.pk]

        if request.method == "POST":
            try:
                plan = lead_merge(keep=keep, others=others, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                return self._merge_error(request, message or "You may not merge these leads.")
            self.message_user(
                request,
                f"Merged {', '.join(lead.email for lead in plan.others)} into {plan.keep.email}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._url("change", plan.keep.pk))

        plan = lead_merge_plan(keep=keep, others=others)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge leads",
            "plan": plan,
            "leads": sorted(leads, key=lambda lead: (lead.created_at, str(lead.pk))),
            "ids": ",".join(str(lead.pk) for lead in leads),
            "merge_url": self._url("merge"),
            "duplicates_url": self._url("duplicates"),
            "changelist_url": self._url("changelist"),
        }
        return TemplateResponse(request, self.merge_template, context)

    # --- Helpers -----------------------------------------------------------------------------

    def _url(self, name: str, *args: Any) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )

    def _merge_error(self, request: HttpRequest, message: str) -> HttpResponse:
        """A refused or malformed merge request: the reason, a way back, status 400; nothing changed."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge leads",
            "error": message,
            "duplicates_url": self._url("duplicates"),
            "changelist_url": self._url("changelist"),
        }
        return TemplateResponse(request, self.merge_template, context, status=400)
