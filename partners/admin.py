"""Admin for partners and their commissions.

Commissions are created when a referred deal is won, and their amounts follow from the deal
value and the partner's rate, so the money fields are read-only here.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Commission, Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "partner_type", "referral_code", "commission_percent", "status", "contact_email")
    list_filter = ("status", "partner_type")
    search_fields = ("name", "referral_code", "contact_email")
    readonly_fields = ("created_at",)
    fields = (
        "name",
        "partner_type",
        "status",
        "contact_email",
        "referral_code",
        "commission_rate",
        "created_at",
    )

    @admin.display(description="Commission", ordering="commission_rate")
    def commission_percent(self, obj: Partner) -> str:
        return f"{obj.commission_rate * 100:g} %"


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = (
        "partner",
        "lead",
        "deal_value",
        "rate",
        "amount",
        "status",
        "approved_by",
        "approved_at",
        "paid_at",
        "created_at",
    )
    list_select_related = ("partner", "lead", "approved_by")
    list_filter = ("status", "partner")
    search_fields = ("partner__name", "partner__referral_code", "lead__email")
    date_hierarchy = "created_at"
    fields = (
        "partner",
        "lead",
        "deal_value",
        "rate",
        "amount",
        "status",
        "approved_by",
        "approved_at",
        "paid_at",
        "created_at",
    )
    readonly_fields = ("partner", "lead", "deal_value", "rate", "amount", "approved_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Created when a referred deal is won.
