"""Admin for companies and their extra domains (the accounts leads are matched to)."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from ..models import Company, CompanyDomain
from ..resources import CompanyResource


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
