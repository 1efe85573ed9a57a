"""`Fortune500Resource`: one row of our Fortune 500 data file → one `Company` and its aliases
(the import itself, transaction and re-flagging, lives in `leads.fortune500`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from import_export.widgets import DecimalWidget, IntegerWidget

from ..domains import DomainKind, classify_email_domain
from ..models import Company, CompanyDomain

#: The columns of the data file, in order (see leads/data/SOURCES.md).
FORTUNE500_COLUMNS = (
    "rank",
    "name",
    "domain",
    "alias_domains",
    "industry",
    "revenue_usd",
    "employees",
    "hq_city",
    "hq_state",
)


class Fortune500RowError(ValueError):
    """A row of the data file that cannot be imported; the message says why."""


def split_alias_domains(value: Any) -> list[str]:
    """The alias domains of a row's `alias_domains` cell (space- or comma-separated), lower case."""
    return [part.strip().lower() for part in str(value or "").replace(",", " ").split() if part.strip()]


def _whole_number(row: dict[str, Any], column: str, *, low: int = 0, high: int | None = None) -> int:
    raw = str(row.get(column) or "").strip()
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"of at least {low}"
        raise Fortune500RowError(f"{column} {raw!r} is not a whole number {bounds}")
    return number


def _mail_domain(value: Any, *, column: str) -> str:
    domain = str(value or "").strip().lower()
    if not domain:
        raise Fortune500RowError(f"{column} is empty")
    email_domain = classify_email_domain(f"postmaster@{domain}")
    if email_domain.registrable != domain:
        raise Fortune500RowError(
            f"{column} {domain!r} is not a registrable domain"
            + (f" (did you mean {email_domain.registrable!r}?)" if email_domain.registrable else "")
        )
    if email_domain.kind is not DomainKind.CORPORATE:
        raise Fortune500RowError(f"{column} {domain!r} is a {email_domain.kind} domain, not a company's")
    return domain


class Fortune500Resource(resources.ModelResource):
    """One row of the Fortune 500 file → one `Company` (matched on `domain`) and its aliases.

    Rows whose values and aliases already match the database are skipped, so a re-run reports
    every row as unchanged and writes nothing. `fortune_year` is not a column: it comes from the
    `year` the resource is made with.
    """

    rank = Field(attribute="fortune_rank", column_name="rank", widget=IntegerWidget())
    revenue_usd = Field(attribute="annual_revenue", column_name="revenue_usd", widget=DecimalWidget())
    employees = Field(attribute="employee_count", column_name="employees", widget=IntegerWidget())
    fortune_year = Field(attribute="fortune_year", column_name="fortune_year", widget=IntegerWidget())

    class Meta:
        model = Company
        fields = (
            "domain",
            "name",
            "industry",
            "hq_city",
            "hq_state",
            "rank",
            "revenue_usd",
            "employees",
            "fortune_year",
        )
        import_id_fields = ("domain",)
        instance_loader_class = CachedInstanceLoader  # one query for all 500 rows
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        use_transactions = True  # a savepoint per row: one failing row never poisons the rest

    def __init__(self, *, year: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.year = year
        self._file_domains: set[str] = set()
        self._seen_domains: dict[str, int] = {}

    def get_queryset(self) -> QuerySet[Company]:
        return Company.objects.prefetch_related("alias_domains")

    # --- Validation and normalisation -----------------------------------------------------------

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        # Every primary domain in the file, so that a row cannot claim another row's company.
        self._file_domains = {str(value or "").strip().lower() for value in dataset["domain"]}
        self._seen_domains = {}

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        """Check one row and normalise it in place (strip, lower-case domains, add the year)."""
        row_number: int = kwargs.get("row_number", 0)
        _whole_number(row, "rank", low=1, high=500)
        _whole_number(row, "revenue_usd")
        _whole_number(row, "employees")
        name = str(row.get("name") or "").strip()
        if not name:
            raise Fortune500RowError("name is empty")
        domain = _mail_domain(row.get("domain"), column="domain")
        aliases = []
        for alias in split_alias_domains(row.get("alias_domains")):
            alias = _mail_domain(alias, column="alias domain")
            if alias == domain or alias in aliases:
                raise Fortune500RowError(f"alias domain {alias!r} is listed twice in this row")
            if alias in self._file_domains:
                raise Fortune500RowError(f"alias domain {alias!r} is another row's primary domain")
            aliases.append(alias)
        for claimed in (domain, *aliases):
            if claimed in self._seen_domains:
                raise Fortune500RowError(
                    f"domain {claimed!r} was already claimed by row {self._seen_domains[claimed]}"
                )
        for claimed in (domain, *aliases):
            self._seen_domains[claimed] = row_number
        for column in ("name", "industry", "hq_city", "hq_state", "rank", "revenue_usd", "employees"):
            row[column] = str(row.get(column) or "").strip()
        row["domain"] = domain
        row["alias_domains"] = " ".join(aliases)
        row["fortune_year"] = self.year

    # --- Aliases ----------------------------------------------------------------------------------

    def skip_row(
        self,
        instance: Company,
        original: Company,
        row: dict[str, Any],
        import_validation_errors: dict[str, Any] | None = None,
    ) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        # Same field values: skip only when the aliases match too (prefetched, no query).
        current = {alias.domain for alias in original.alias_domains.all()}
        return current == set(split_alias_domains(row["alias_domains"]))

    def after_save_instance(self, instance: Company, row: dict[str, Any], **kwargs: Any) -> None:
        _alias_domains_sync(company=instance, domains=split_alias_domains(row["alias_domains"]))


def _alias_domains_sync(*, company: Company, domains: Iterable[str]) -> None:
    """Make `domains` exactly the company's alias domains, taking any of them from another company."""
    wanted = set(domains)
    current = {alias.domain for alias in company.alias_domains.all()}
    if current - wanted:
        CompanyDomain.objects.filter(company=company).exclude(domain__in=wanted).delete()
    for domain in sorted(wanted - current):
        CompanyDomain.objects.update_or_create(domain=domain, defaults={"company": company})
