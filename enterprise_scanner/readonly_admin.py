"""Admin building blocks for rows that only the services write (timelines, messages, findings,
events, rollups): staff may look, never edit, so history cannot be rewritten from the admin."""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest
from unfold.admin import TabularInline


class ReadOnlyInline(TabularInline):
    """An inline list of rows shown for reference: no adding, editing or deleting."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ViewOnlyAdminMixin:
    """For a ModelAdmin: rows can be listed and opened, not added or changed."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
