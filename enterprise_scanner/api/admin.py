"""Admin for secret API keys.

Keys are created by a management command, which shows the raw key once; here they can only be
renamed, inspected and revoked. The stored hash is never shown.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from enterprise_scanner import admin_theme  # noqa: F401  (re-registers third-party admins on unfold)

from .models import ApiKey
from .services import api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "scope_list",
        "partner",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_select_related = ("partner",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "partner")
    search_fields = ("name", "prefix", "partner__name")
    # `key_hash` is deliberately absent from every list below.
    fields = (
        "name",
        "prefix",
        "scope_list",
        "partner",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = (
        "prefix",
        "scope_list",
        "partner",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    actions = ("revoke_keys",)

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Created by a management command that shows the raw key once.

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {len(keys)} key(s).", messages.SUCCESS)
