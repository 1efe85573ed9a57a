"""django-import-export resources of the leads domain.

`Fortune500Resource` reads our Fortune 500 data file (`leads/data/fortune500_2025.csv`) into
`Company`, keyed by the primary mail domain, and keeps each company's `CompanyDomain` aliases in
step with the file. The import itself (transaction, re-flagging, stray companies) lives in
`leads.fortune500`; this class only maps and validates rows.

`LeadResource` and `CompanyResource` move leads (keyed by e-mail) and companies (keyed by
domain) in and out of CSV/XLSX files, for the admin's import/export and for
`manage.py import_leads` (`leads.importing`). Exports are formula-safe (`spreadsheet_safe`).

A package by concern, every public name re-exported here: `fortune500`, `cells` (spreadsheet
cells and formula safety), `lead_columns` (the lead file's columns and row values), `leads`
(`LeadResource`, with its per-row steps in `lead_rows` and its writes in `lead_writes`) and
`companies`.
"""

from .cells import FORMULA_PREFIXES, spreadsheet_safe, spreadsheet_unescape
from .companies import COMPANY_EXPORT_ONLY_COLUMNS, COMPANY_IMPORT_COLUMNS, CompanyResource
from .fortune500 import FORTUNE500_COLUMNS, Fortune500Resource, Fortune500RowError, split_alias_domains
from .lead_columns import (
    IMPORT_ACTOR_LABEL,
    LEAD_EXPORT_ONLY_COLUMNS,
    LEAD_IMPORT_COLUMNS,
    ImportEvent,
    LeadImportColumnsError,
    LeadImportRow,
    lead_import_columns_check,
    lead_import_unknown_columns,
)
from .leads import LeadResource

__all__ = [
    "COMPANY_EXPORT_ONLY_COLUMNS",
    "COMPANY_IMPORT_COLUMNS",
    "FORMULA_PREFIXES",
    "FORTUNE500_COLUMNS",
    "IMPORT_ACTOR_LABEL",
    "LEAD_EXPORT_ONLY_COLUMNS",
    "LEAD_IMPORT_COLUMNS",
    "CompanyResource",
    "Fortune500Resource",
    "Fortune500RowError",
    "ImportEvent",
    "LeadImportColumnsError",
    "LeadImportRow",
    "LeadResource",
    "lead_import_columns_check",
    "lead_import_unknown_columns",
    "split_alias_domains",
    "spreadsheet_safe",
    "spreadsheet_unescape",
]
