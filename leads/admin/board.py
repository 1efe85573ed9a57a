"""The pipeline board, as a mixin of the lead admin: the page and its move endpoint.

- ``admin:leads_board`` (``…/leads/lead/board/``): one column per open status with count, value
  and weighted value, cards to drag, Closed won / Closed lost drop zones, filters (mine / team /
  unassigned / an owner for managers, Fortune 500, closed deals shown as columns). Reads come from
  `leads.board`; the page's script is ``leads/static/leads/board.js`` (no inline script).
- ``admin:leads_board_move`` (``…/leads/lead/board/move/``): POST JSON ``{"lead": id, "status":
  s, "lost_reason": "…", "from": previous status}``; moves the lead through
  `leads.services.lead_change_status` (the timeline entry, the commission rule and the lost reason
  are the service's) and answers JSON: the lead's new status and every column's totals, or
  ``{"error": reason, "field": …}`` with 400 (refused), 403, 404 (not a lead the user may see),
  405, 409 (the lead moved meanwhile) or 415. Never HTML, never a 500 for bad input.

The admin wraps both views with login, staff and CSRF checks; the endpoint is scoped like every
lead page (`lead_queryset_for_user` and the object-level change permission).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from ..board import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    BoardFilters,
    board_for,
    board_owner_label,
    board_summary_json,
    board_totals,
)
from ..models import Lead, LeadStatus
from ..selectors import lead_queryset_for_user
from ..services import lead_change_status
from .filters import _sales_users

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

#: The longest lost reason the service keeps (Lead.lost_reason); longer is refused, not cut.
LOST_REASON_MAX = Lead._meta.get_field("lost_reason").max_length
#: A move request is a few hundred bytes; anything much larger is not one.
MOVE_BODY_MAX = 4096


def _error(message: str, *, status: int, field: str = "") -> JsonResponse:
    return JsonResponse({"ok": False, "error": message, "field": field}, status=status)


class LeadBoardAdminMixin:
    """Adds the pipeline board to the lead ModelAdmin (put it before ``admin.ModelAdmin``)."""

    board_template = "admin/leads/board.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("board/", self.admin_site.admin_view(self.board_view), name="leads_board"),
            path("board/move/", self.admin_site.admin_view(self.board_move_view), name="leads_board_move"),
        ]
        # Before the ModelAdmin's own URLs, whose "<path:object_id>/" would swallow these.
        return own + super().get_urls()

    # --- The page ----------------------------------------------------------------------------

    def board_view(self, request: HttpRequest) -> HttpResponse:
        """The board for the logged-in user, filtered by the query string."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return require_GET(self._board_page)(request)

    def _board_page(self, request: HttpRequest) -> HttpResponse:
        request.current_app = self.admin_site.name
        user = request.user
        filters = BoardFilters.from_query(request.GET, user=user)
        board = board_for(user=user, filters=filters)
        owners = {person.pk: person.get_username() for person in _sales_users()} if board.is_manager else {}
        context = {
            **self.admin_site.each_context(request),
            # No `opts`: django-unfold's header would then name the lead list, not the board.
            "title": "Pipeline board",
            "is_fullwidth": "1",  # django-unfold: the board uses the whole width, like a changelist
            "board": board,
            "heading": board_owner_label(board=board, owners=owners),
            "owners": sorted(owners.items(), key=lambda item: item[1].lower()),
            "can_move": self.has_change_permission(request),
            "move_url": reverse(f"{self.admin_site.name}:leads_board_move"),
            "move_targets": [
                {"status": status, "label": LeadStatus(status).label}
                for status in OPEN_STATUSES + CLOSED_STATUSES
            ],
            "links": {
                "team": filters.query(owner=""),
                "mine": filters.query(owner="me"),
                "unassigned": filters.query(owner="none"),
                "f500": filters.query(f500=not filters.fortune500),
                "closed": filters.query(closed=not filters.show_closed),
            },
            "changelist_url": reverse(f"{self.admin_site.name}:leads_lead_changelist"),
        }
        for problem in filters.problems:
            self.message_user(request, problem, level="warning")
        return TemplateResponse(request, self.board_template, context)

    # --- The move endpoint -------------------------------------------------------------------

    def board_move_view(self, request: HttpRequest) -> JsonResponse:
        """Move one lead to another status (see the module docstring for the contract)."""
        if request.method != "POST":
            response = _error("Send a POST request.", status=405)
            response["Allow"] = "POST"
            return response
        if not self.has_change_permission(request):
            return _error("You may not change leads.", status=403)
        if request.content_type != "application/json":
            return _error("Send the move as application/json.", status=415)
        if len(request.body) > MOVE_BODY_MAX:
            return _error("The request is too large to be a move.", status=400)
        try:
            move = _parse_move(request.body)
        except ValidationError as error:
            return _error(error.messages[0], status=400, field=getattr(error, "code", "") or "")
        user = request.user
        filters = BoardFilters.from_query(request.GET, user=user)
        try:
            with transaction.atomic():
                lead = _lead_for_move(user=user, lead_id=move["lead"])
                if lead is None or not self.has_change_permission(request, lead):
                    return _error("No such lead among the leads you may work on.", status=404)
                expected = move["from"]
                if expected and lead.status != expected:
                    return _error(
                        f"{_name(lead)} is already in {LeadStatus(lead.status).label} (changed since the "
                        "board loaded). Reload the board.",
                        status=409,
                        field="status",
                    )
                previous = lead.status
                lead = lead_change_status(
                    lead=lead, status=move["status"], lost_reason=move["lost_reason"], actor=user
                )
        except ValidationError as error:
            field, message = _first_error(error)
            return _error(message, status=400, field=field)
        totals = board_totals(user=user, filters=filters)
        moved = previous != lead.status
        return JsonResponse(
            {
                "ok": True,
                "moved": moved,
                "lead": {
                    "id": str(lead.pk),
                    "status": lead.status,
                    "status_label": LeadStatus(lead.status).label,
                    "lost_reason": lead.lost_reason,
                    "last_contacted": date_format(lead.last_contacted_at, "j M")
                    if lead.last_contacted_at
                    else "",
                },
                "message": (
                    f"{_name(lead)} moved to {LeadStatus(lead.status).label}."
                    if moved
                    else f"{_name(lead)} is already in {LeadStatus(lead.status).label}."
                ),
                "columns": [column.as_json() for column in totals.values()],
                "summary": board_summary_json(totals),
            }
        )


def _parse_move(body: bytes) -> dict[str, Any]:
    """The move request's fields, validated; ValidationError (code = the field) otherwise."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError("The request body is not JSON.", code="") from None
    if not isinstance(data, dict):
        raise ValidationError("Send a JSON object.", code="")
    lead_id = data.get("lead")
    try:
        lead = uuid.UUID(lead_id) if isinstance(lead_id, str) else None
    except ValueError:
        lead = None
    if lead is None:
        raise ValidationError("Say which lead to move (its id).", code="lead")
    status = data.get("status")
    if not isinstance(status, str) or status not in LeadStatus.values:
        raise ValidationError("Choose a pipeline status to move the lead to.", code="status")
    previous = data.get("from", "")
    if not isinstance(previous, str) or (previous and previous not in LeadStatus.values):
        raise ValidationError("The lead's previous status is not a pipeline status.", code="from")
    lost_reason = data.get("lost_reason", "")
    if not isinstance(lost_reason, str):
        raise ValidationError("The lost reason must be text.", code="lost_reason")
    if len(lost_reason.strip()) > LOST_REASON_MAX:
        raise ValidationError(f"Keep the lost reason under {LOST_REASON_MAX} characters.", code="lost_reason")
    return {"lead": lead, "status": status, "from": previous, "lost_reason": lost_reason}


def _lead_for_move(*, user: AbstractBaseUser, lead_id: uuid.UUID) -> Lead | None:
    """The lead, locked, if `user` may see it (the same scope as every lead page)."""
    return lead_queryset_for_user(user=user).select_for_update().filter(pk=lead_id).first()


def _first_error(error: ValidationError) -> tuple[str, str]:
    """The field and message of a service's ValidationError (keyed by field, or not)."""
    if hasattr(error, "error_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return ("" if field == "__all__" else field), messages[0]
    return "", error.messages[0]


def _name(lead: Lead) -> str:
    return lead.full_name or lead.email


__all__ = ["LOST_REASON_MAX", "LeadBoardAdminMixin"]
