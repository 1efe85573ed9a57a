"""Admin for companies and their extra domains (the accounts leads are matched to)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from ..models import Company, CompanyDomain
from ..resources import COMPANY_IMPORT_COLUMNS, CompanyResource


class CompanyDomainInline(TabularInline):
    model = CompanyDomain
    fields = ("domain",)
    extra = 0


@admin.register(Company)
class CompanyAdmin(ImportExportMixin, ModelAdmin):
    resource_classes = [CompanyResource]
    import_form_class = ImportForm
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = ("name", "domain", "fortune_rank", "industry", "employee_count", "is_fortune_500")
    list_filter = ("is_fortune_500", "fortune_year", "hq_country")
    search_fields = ("name", "domain", "alias_domains__domain")
    readonly_fields = ("is_fortune_500", "created_at", "updated_at")
    inlines = (CompanyDomainInline,)

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """import-export's preview, plus a warning naming the columns the import ignores."""
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        unknown = getattr(result, "unknown_columns", None)
        if unknown:
            messages.warning(
                request,
                f"Ignored column(s) this import does not know: {', '.join(unknown)} "
                f"(known: {', '.join(COMPANY_IMPORT_COLUMNS)}).",
            )
        return response

    fieldsets = (
        (None, {"fields": ("name", "domain", "industry", "employee_count", "annual_revenue")}),
        ("Headquarters", {"fields": ("hq_city", "hq_state", "hq_country")}),
        ("Fortune 500", {"fields": ("fortune_rank", "fortune_year", "is_fortune_500")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )


@admin.register(CompanyDomain)
class CompanyDomainAdmin(ModelAdmin):
    list_display = ("domain", "company")
    list_select_related = ("company",)
    search_fields = ("domain", "company__name", "company__domain")
    autocomplete_fields = ("company",)
