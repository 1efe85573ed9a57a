"""django-auditlog's own log admin, with the lead entries scoped (`leads.selectors`): a rep sees
the audit trail of the leads they may see, not every change in the CRM."""

from __future__ import annotations

from typing import Any

from auditlog.admin import LogEntryAdmin as AuditLogEntryAdmin
from auditlog.models import LogEntry as AuditLogEntry
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from ..selectors import audit_entry_queryset_for_user

admin.site.unregister(AuditLogEntry)


@admin.register(AuditLogEntry)
class ScopedLogEntryAdmin(AuditLogEntryAdmin, ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return audit_entry_queryset_for_user(user=request.user, queryset=super().get_queryset(request))
