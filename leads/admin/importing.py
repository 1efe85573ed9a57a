"""The lead import in the admin: a template to start from, a preview a rep can read, good rows
imported even when some are bad, and re-imports that only change what the importer chose.

django-import-export drives the upload → preview → confirm steps; this mixin changes what
they show and allow:

* `import/template.csv` and `import/template.xlsx`: the accepted columns and one example row
  (a file that imports as it is), linked from the import page.
* The preview (`admin/leads/lead/import.html`, an extension of import-export's template, so it
  works with the stock admin and with unfold's) is one line per row: outcome, e-mail, and per
  field what happens (`leads.import_preview`); errors by row and column; unknown columns named.
* A file with some bad rows can still be confirmed: the good rows are imported, the bad ones
  are listed again in the message (import-export skips invalid rows without rolling back).
* The confirm form carries the importer's explicit choice of columns to overwrite
  (`leads.import_policy`); without it a re-import only fills empty fields and moves forward.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import tablib
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from import_export.admin import ImportMixin
from import_export.forms import ConfirmImportForm

from ..import_policy import HISTORY_COLUMNS, OVERWRITABLE_COLUMNS
from ..import_preview import ImportPreview
from ..models import LeadSource, LeadStatus
from ..resources import LEAD_IMPORT_COLUMNS

TEMPLATE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: What each column accepts, for the import page's column guide.
COLUMN_HELP: dict[str, str] = {
    "email": "Required. Finds the lead to update (any case); otherwise a new lead.",
    "first_name": "Text, up to 100 characters.",
    "last_name": "Text, up to 100 characters.",
    "job_title": "Text; scores the lead (seniority).",
    "phone": "Text, up to 40 characters.",
    "company": "Company name; the company itself comes from the e-mail domain.",
    "status": "One of: " + ", ".join(LeadStatus.values) + ". Known leads only move forward.",
    "lost_reason": "Needed with closed_lost.",
    "source": "One of: " + ", ".join(LeadSource.values) + " (default import).",
    "message": "The lead's message.",
    "owner": "Username of an active staff user.",
    "utm_source": "First-touch campaign data (utm_*): never overwritten on known leads.",
    "utm_medium": "",
    "utm_campaign": "",
    "utm_term": "",
    "utm_content": "",
    "consent_marketing": "yes/no, true/false or 1/0.",
    "next_follow_up_at": "YYYY-MM-DD (09:00) or YYYY-MM-DD HH:MM.",
}


def lead_import_template_dataset() -> tablib.Dataset:
    """The accepted columns with one example row that imports as it is."""
    follow_up = timezone.localdate() + timedelta(days=7)
    example = {
        "email": "jane.doe@acme-widgets.com",
        "first_name": "Jane",
        "last_name": "Doe",
        "job_title": "Head of Information Security",
        "phone": "(212) 555-0100",
        "company": "Acme Widgets",
        "status": LeadStatus.NEW.value,
        "source": LeadSource.IMPORT.value,
        "message": "Met at the RSA Conference booth; asked about the assessment.",
        "utm_source": "rsa-conference",
        "utm_medium": "event",
        "utm_campaign": "rsa-2026",
        "consent_marketing": "no",
        "next_follow_up_at": f"{follow_up:%Y-%m-%d} 10:00",
    }
    return tablib.Dataset(
        [example.get(column, "") for column in LEAD_IMPORT_COLUMNS], headers=LEAD_IMPORT_COLUMNS
    )


class LeadConfirmImportForm(ConfirmImportForm):
    """import-export's confirm form, plus the columns whose existing values are to be replaced."""

    overwrite = forms.MultipleChoiceField(
        choices=[(column, column) for column in OVERWRITABLE_COLUMNS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class LeadImportAdminMixin(ImportMixin):
    """The import steps of `LeadAdmin` (see the module docstring)."""

    import_template_name = "admin/leads/lead/import.html"
    confirm_form_class = LeadConfirmImportForm

    def get_urls(self) -> list[Any]:
        info = (self.model._meta.app_label, self.model._meta.model_name)
        return [
            path(
                "import/template.<str:fmt>",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{info[0]}_{info[1]}_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        """The template file (CSV or XLSX) to fill in and import."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if fmt not in TEMPLATE_FORMATS:
            raise Http404("No such template format.")
        content = lead_import_template_dataset().export(fmt)
        response = HttpResponse(content, content_type=TEMPLATE_FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="leads-import-template.{fmt}"'
        return response

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        """The user (via get_resource_kwargs), the preview notes, and the overwrite choice."""
        form = kwargs.pop("form", None)
        resource_kwargs = self.get_resource_kwargs(request, **kwargs)
        overwrite = ()
        if form is not None and form.is_bound and form.is_valid():
            overwrite = form.cleaned_data.get("overwrite") or ()
        return {**resource_kwargs, "overwrite": overwrite, "preview": True}

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """import-export's preview step, with our preview, and a confirm for the good rows even
        when some rows are bad (import-export offers none then)."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        context["column_guide"] = [(column, COLUMN_HELP.get(column, "")) for column in LEAD_IMPORT_COLUMNS]
        # import-export lists every resource field, export-only ones (score, created_at…) too.
        context["fields_list"] = [
            (name, list(LEAD_IMPORT_COLUMNS)) for name, _ in context.get("fields_list", [])
        ]
        context["history_columns"] = list(HISTORY_COLUMNS)
        result = context.get("result")
        if result is None or result.has_errors() or getattr(result, "lead_preview", None) is None:
            return response  # no file yet, or unreadable: import-export's page shows why
        preview = ImportPreview(rows=result.lead_preview, unknown_columns=result.unknown_columns)
        context["lead_preview"] = preview
        if "confirm_form" not in context and preview.importable and context.get("form") is not None:
            context["confirm_form"] = self.create_confirm_form(request, import_form=context["form"])
        return response

    def add_success_message(self, result: Any, request: HttpRequest) -> None:
        """What was imported, and which rows were not (and why, by column)."""
        totals = result.totals
        messages.success(
            request,
            f"Import finished: {totals['new']} new, {totals['update']} updated, "
            f"{totals['skip']} unchanged lead(s).",
        )
        bad = [row for row in (getattr(result, "lead_preview", None) or []) if row.is_error]
        if bad:
            shown = "; ".join(
                f"row {row.number}: "
                + ", ".join(f"{column}: {' '.join(texts)}" for column, texts in row.errors)
                for row in bad[:10]
            )
            more = f" … and {len(bad) - 10} more" if len(bad) > 10 else ""
            messages.warning(request, f"{len(bad)} row(s) had errors and were not imported — {shown}{more}")
        if getattr(result, "unknown_columns", None):
            messages.info(request, f"Ignored unknown column(s): {', '.join(result.unknown_columns)}.")
