"""`CompanyResource`: companies in and out of CSV/XLSX files, keyed by registrable mail domain."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from import_export.widgets import BooleanWidget, DecimalWidget, IntegerWidget

from ..domains import DomainKind, classify_email_domain
from ..models import Company, CompanyDomain, Lead
from ..services import (
    company_sync_lead_flags,
    lead_rescore_later,
)
from .cells import (
    _cell_text,
    _RowErrors,
    _SafeExportMixin,
)

# --- Companies ------------------------------------------------------------------------------------

COMPANY_IMPORT_COLUMNS = (
    "domain",
    "name",
    "industry",
    "employee_count",
    "revenue",
    "hq_city",
    "hq_state",
    "hq_country",
    "fortune_rank",
    "fortune_year",
)
COMPANY_TEXT_COLUMNS = ("name", "industry", "hq_city", "hq_state", "hq_country")
COMPANY_EXPORT_ONLY_COLUMNS = ("is_fortune_500", "lead_count")
FORTUNE_YEAR_RANGE = (1955, 2100)


@dataclass
class CompanyImportRow:
    number: int
    values: dict[str, Any]
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    new: bool = True


class CompanyResource(_SafeExportMixin, resources.ModelResource):
    """Companies in and out of CSV/XLSX files, keyed by registrable mail domain (lower case).

    A row with a known domain updates that company (blank cells keep its values); an unknown
    one creates it. Domains must be registrable corporate domains ("mail.acme.com" is refused
    with "did you mean acme.com"; gmail.com is not a company), and not another company's alias.
    When a rank changes, the company's leads get the new Fortune 500 flag and are re-scored.
    Companies are few, so rows are saved one by one, each in its own savepoint.
    """

    revenue = Field(attribute="annual_revenue", column_name="revenue", widget=DecimalWidget())
    employee_count = Field(attribute="employee_count", column_name="employee_count", widget=IntegerWidget())
    fortune_rank = Field(attribute="fortune_rank", column_name="fortune_rank", widget=IntegerWidget())
    fortune_year = Field(attribute="fortune_year", column_name="fortune_year", widget=IntegerWidget())
    is_fortune_500 = Field(
        attribute="is_fortune_500", column_name="is_fortune_500", readonly=True, widget=BooleanWidget()
    )
    lead_count = Field(column_name="lead_count", readonly=True, widget=IntegerWidget())

    class Meta:
        model = Company
        fields = COMPANY_IMPORT_COLUMNS + COMPANY_EXPORT_ONLY_COLUMNS
        import_order = COMPANY_IMPORT_COLUMNS
        export_order = COMPANY_IMPORT_COLUMNS + COMPANY_EXPORT_ONLY_COLUMNS
        import_id_fields = ("domain",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        use_transactions = True

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.current: CompanyImportRow | None = None
        self._seen: dict[str, int] = {}
        self._alias_owner: dict[str, str] = {}
        self.unknown_columns: list[str] = []

    def get_queryset(self) -> QuerySet[Company]:
        return Company.objects.all()

    def filter_export(self, queryset: QuerySet[Company], **kwargs: Any) -> QuerySet[Company]:
        return queryset.annotate(lead_total=Count("leads")).order_by("name", "domain")

    def dehydrate_lead_count(self, company: Company) -> int:
        return getattr(company, "lead_total", 0)

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        headers = [_cell_text(header).lower() for header in dataset.headers or []]
        known = set(COMPANY_IMPORT_COLUMNS) | set(COMPANY_EXPORT_ONLY_COLUMNS)
        # Unknown columns are ignored and named (the admin shows them), not a reason to refuse
        # the file: the cells are only ever read by known column name.
        self.unknown_columns = [header or "(no name)" for header in headers if header not in known]
        dataset.headers = headers
        # Normalise the domains in place, so the cached loader finds "ACME.com" as acme.com.
        if "domain" in headers:
            column = headers.index("domain")
            rows = [list(row) for row in dataset]
            for row in rows:
                row[column] = _cell_text(row[column]).lower().strip(".")
            dataset.wipe()
            dataset.headers = headers
            for row in rows:
                dataset.append(row)
            domains = {row[column] for row in rows if row[column]}
            self._alias_owner = dict(
                CompanyDomain.objects.filter(domain__in=domains).values_list("domain", "company__domain")
            )

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        result.unknown_columns = self.unknown_columns

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        number = int(kwargs.get("row_number") or 0)
        self.current = None
        errors = _RowErrors()
        values: dict[str, Any] = {}
        domain = _cell_text(row.get("domain")).lower()
        if not domain:
            errors.add("domain", "The domain is missing.")
        else:
            email_domain = classify_email_domain(f"postmaster@{domain}")
            if email_domain.registrable != domain:
                hint = f" (did you mean {email_domain.registrable!r}?)" if email_domain.registrable else ""
                errors.add("domain", f"{domain[:100]!r} is not a registrable domain{hint}.")
            elif email_domain.kind is not DomainKind.CORPORATE:
                errors.add("domain", f"{domain!r} is a {email_domain.kind} domain, not a company's.")
            elif domain in self._alias_owner and self._alias_owner[domain] != domain:
                errors.add("domain", f"{domain!r} is an alias domain of {self._alias_owner[domain]}.")
            else:
                first = self._seen.setdefault(domain, number)
                if first != number:
                    errors.add("domain", f"{domain} is already in row {first} of this file.")
        for column in COMPANY_TEXT_COLUMNS:
            text = _cell_text(row.get(column))
            limit = Company._meta.get_field(column).max_length
            if len(text) > limit:
                errors.add(column, f"{len(text)} characters; at most {limit} fit.")
            elif text:
                values[column] = text.upper() if column == "hq_country" else text
        for column, attribute, low, high in (
            ("employee_count", "employee_count", 0, 10**9),
            ("revenue", "annual_revenue", 0, 10**16 - 1),
            ("fortune_rank", "fortune_rank", 1, 500),
            ("fortune_year", "fortune_year", *FORTUNE_YEAR_RANGE),
        ):
            text = _cell_text(row.get(column)).replace(",", "").replace("_", "")
            if not text:
                continue
            try:
                number_value = Decimal(text)
            except InvalidOperation:
                number_value = None
            if number_value is None or number_value != number_value.to_integral_value():
                errors.add(column, f"{text[:50]!r} is not a whole number.")
            elif not low <= number_value <= high:
                errors.add(column, f"{int(number_value)} is not between {low} and {high}.")
            else:
                values[attribute] = int(number_value)
        errors.raise_if_any()
        self.current = CompanyImportRow(number=number, values=values)

    def import_instance(self, instance: Company, row: dict[str, Any], **kwargs: Any) -> None:
        current = self.current
        assert current is not None
        current.new = instance._state.adding
        if current.new:
            instance.domain = _cell_text(row.get("domain")).lower()
            if not current.values.get("name"):
                raise ValidationError({"name": "A new company needs a name."})
        for attribute, value in current.values.items():
            old = getattr(instance, attribute)
            if old != value:
                setattr(instance, attribute, value)
                current.changes[attribute] = (old, value)
        if instance.fortune_rank is not None and instance.fortune_year is None:
            raise ValidationError({"fortune_year": "A Fortune 500 rank needs the year of its list."})

    def skip_row(
        self,
        instance: Company,
        original: Company | None,
        row: dict[str, Any],
        import_validation_errors: dict[str, Any] | None = None,
    ) -> bool:
        current = self.current
        if import_validation_errors or current is None or current.new:
            return False
        return not current.changes

    def after_save_instance(self, instance: Company, row: dict[str, Any], **kwargs: Any) -> None:
        """A changed rank changes the Fortune 500 flag and score of the company's leads."""
        current = self.current
        if current is None or current.new or "fortune_rank" not in current.changes:
            return
        company_sync_lead_flags(companies=Company.objects.filter(pk=instance.pk))
        for lead in Lead.objects.filter(company=instance).only("pk"):
            lead_rescore_later(lead=lead)
