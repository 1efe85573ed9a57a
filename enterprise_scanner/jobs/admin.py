"""Read-only admin pages: which workers are alive, and which job e-mails went out (and when)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from enterprise_scanner.readonly_admin import ViewOnlyAdminMixin

from .models import SentEmail, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ViewOnlyAdminMixin, ModelAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "last_seen_at")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SentEmail)
class SentEmailAdmin(ViewOnlyAdminMixin, ModelAdmin):
    list_display = ("sent_at", "key", "to", "subject", "message_id")
    search_fields = ("key", "to", "subject", "message_id")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
