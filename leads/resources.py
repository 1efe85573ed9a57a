"""django-import-export resources of the leads domain.

`Fortune500Resource` reads our Fortune 500 data file (`leads/data/fortune500_2025.csv`) into
`Company`, keyed by the primary mail domain, and keeps each company's `CompanyDomain` aliases in
step with the file. The import itself (transaction, re-flagging, stray companies) lives in
`leads.fortune500`; this class only maps and validates rows.

`LeadResource` and `CompanyResource` move leads (keyed by e-mail) and companies (keyed by
domain) in and out of CSV/XLSX files, for the admin's import/export and for
`manage.py import_leads` (`leads.importing`). Exports are formula-safe (`spreadsheet_safe`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader, CachedInstanceLoader
from import_export.widgets import BooleanWidget, DateTimeWidget, DecimalWidget, IntegerWidget

from .domains import DomainKind, EmailDomain, classify_email_domain
from .duplicates import DuplicateIndex, leads_flag_new_duplicates
from .emails import EmailNotValidError, email_normalise
from .import_policy import FieldDecision, decide_field, decide_status, overwrite_columns_clean
from .import_preview import ImportPreviewRow, preview_row_build
from .models import Company, CompanyDomain, Lead, LeadEvent, LeadEventKind, LeadSource, LeadStatus
from .scoring import ScoringConfig, score_lead
from .scoring.deal_value import DealValueConfig
from .selectors import lead_queryset_for_user, leads_by_email_key, user_is_sales_manager
from .services import (
    companies_resolve,
    company_matched_event,
    company_sync_lead_flags,
    lead_assign,
    lead_change_status,
    lead_event_build,
    lead_rescore_later,
    lead_schedule_follow_up,
    lead_score_apply,
    lead_scoring_input,
    lead_status_change_validate,
    score_event_values,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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


# =================================================================================================
# Leads and companies: admin import/export and `manage.py import_leads` (see `leads.importing`)
# =================================================================================================
#
# Both resources clean every cell themselves (in `before_import_row`) instead of through
# import-export's widgets, for three reasons: a row's problems are reported together, by column
# name, as a `ValidationError` (an "invalid row": the other rows still import); nothing is looked
# up per row (owners, existing leads and companies are fetched once per chunk); and a blank cell
# never wipes what the database already knows. Widgets are used for export only.

#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a cell a spreadsheet shows as text and never runs: a text starting with
    = + - @ tab or CR gets a leading apostrophe (the OWASP recommendation).

    Why not only `IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`: that setting removes one leading
    "=" and nothing else, so "==1+1", "+cmd|…" or "@SUM(…)" would still run.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_unescape(value: str) -> str:
    """Undo `spreadsheet_safe`, so that an exported file imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _cell_text(value: Any) -> str:
    """A cell as stripped text, whatever the file format made of it (XLSX gives numbers, dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return spreadsheet_unescape(str(value).strip())


class _SafeExportMixin:
    """Every exported text cell is formula-safe, and an empty value is an empty cell."""

    def export_field(self, field: Field, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)  # type: ignore[misc]
        return "" if value is None else spreadsheet_safe(value)


def _choice(value: str, choices: type[models.TextChoices]) -> str | None:
    """The choice whose value or label is `value` (any case, spaces or dashes for "_"), or None."""
    wanted = value.strip().lower()
    as_value = wanted.replace(" ", "_").replace("-", "_")
    for choice in choices:
        if as_value == choice.value or wanted == str(choice.label).lower():
            return choice.value
    return None


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off"})
FOLLOW_UP_DEFAULT_TIME = time(9, 0)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    return True if text in TRUE_WORDS else False if text in FALSE_WORDS else None


def _aware_datetime(value: Any) -> datetime | None:
    """A date or date-and-time cell as an aware datetime (a date alone means 09:00, and a time
    without an offset is in the site's time zone); None when it is neither."""
    if isinstance(value, datetime):
        moment: datetime | None = value
    elif isinstance(value, date):
        moment = datetime.combine(value, FOLLOW_UP_DEFAULT_TIME)
    else:
        text = _cell_text(value)
        try:
            day = parse_date(text)  # first: parse_datetime reads a bare date as midnight
            moment = datetime.combine(day, FOLLOW_UP_DEFAULT_TIME) if day else parse_datetime(text)
        except ValueError:  # well formed but impossible, e.g. 2026-02-30
            moment = None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _json_value(value: Any) -> Any:
    """A value as it can be stored in a timeline entry's JSON data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


class _RowErrors(dict):
    """Problems of one row, by column; raised together as one `ValidationError`."""

    def add(self, column: str, message: str) -> None:
        self.setdefault(column, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


# --- Leads ----------------------------------------------------------------------------------------

#: Text columns of a lead file → model attribute (the limit comes from the model field).
LEAD_TEXT_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "job_title": "job_title",
    "phone": "phone",
    "company": "company_name",
    "lost_reason": "lost_reason",
    "message": "message",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "utm_term": "utm_term",
    "utm_content": "utm_content",
}
#: Every column an import may set, in file order.
LEAD_IMPORT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "phone",
    "company",
    "status",
    "lost_reason",
    "source",
    "message",
    "owner",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "consent_marketing",
    "next_follow_up_at",
)
#: Columns an export adds; an import accepts and ignores them, so an export imports back as is.
LEAD_EXPORT_ONLY_COLUMNS = ("score", "estimated_deal_value", "company_domain", "fortune_rank", "created_at")
#: Changes to existing leads that go through their own service, for its checks and timeline entry.
LEAD_SERVICE_ATTRIBUTES = ("status", "owner", "next_follow_up_at")
IMPORT_ACTOR_LABEL = "import"


class LeadImportColumnsError(ValueError):
    """The header row is unusable: no e-mail column, or columns nobody knows (typos)."""


def lead_import_columns_check(headers: Iterable[Any]) -> list[str]:
    """The file's column names, stripped and lower-cased; raises `LeadImportColumnsError` for a
    file without an `email` column or with a known column twice (which cell would count?).

    Unknown columns do not stop the file: they are ignored and named to the importer
    (`lead_import_unknown_columns`), so one stray "notes" column does not refuse 500 good rows,
    and a mistyped "firstname" is still seen in the preview and the command's summary."""
    columns = [_cell_text(header).lower() for header in headers]
    if "email" not in columns:
        unknown = lead_import_unknown_columns(columns)
        found = f" (found {', '.join(repr(c) for c in unknown)})" if unknown else ""
        raise LeadImportColumnsError(
            f"The file has no 'email' column{found}; expected columns: " + ", ".join(LEAD_IMPORT_COLUMNS)
        )
    known = set(LEAD_IMPORT_COLUMNS) | set(LEAD_EXPORT_ONLY_COLUMNS)
    repeated = sorted({column for column in columns if column in known and columns.count(column) > 1})
    if repeated:
        raise LeadImportColumnsError(f"Column(s) {', '.join(repeated)} appear more than once")
    return columns


def lead_import_unknown_columns(columns: Iterable[str]) -> list[str]:
    """The columns of a (checked) header that an import ignores, as the importer should see them."""
    known = set(LEAD_IMPORT_COLUMNS) | set(LEAD_EXPORT_ONLY_COLUMNS)
    return [column or "(no name)" for column in columns if column not in known]


class ImportEvent(NamedTuple):
    """A timeline entry an import writes, as plain values: the command's bulk writer
    (`leads.bulk_import`) inserts these directly, the admin's import saves `build()`."""

    lead: Lead
    kind: str
    summary: str  # at most 500 characters
    data: dict[str, Any]
    actor: Any  # the staff user, or None
    actor_label: str  # their username, or who else did it ("import", "system")
    created_at: datetime

    def build(self) -> LeadEvent:
        """The unsaved model instance, for `bulk_create`."""
        return lead_event_build(
            lead=self.lead,
            kind=self.kind,
            summary=self.summary,
            data=self.data,
            actor=self.actor,
            actor_label=self.actor_label,
            created_at=self.created_at,
        )


@dataclass
class LeadImportRow:
    """One cleaned row, and what importing it changes (kept on the instance as `_import_row`)."""

    number: int  # data row in the file: 1 is the first row under the header
    email: str
    key: str  # the e-mail as the database's unique index compares it (lower case)
    domain: EmailDomain
    values: dict[str, Any]  # attribute → value, for the cells that are not blank
    new: bool = True
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # attribute → (old, new)
    status: tuple[str, str] | None = None  # (new status, lost reason) via lead_change_status
    owner: tuple[Any] | None = None  # (new owner or None,) via lead_assign
    follow_up: tuple[datetime | None] | None = None  # via lead_schedule_follow_up
    rescore_later: bool = False
    decisions: list[FieldDecision] = field(default_factory=list)  # a known lead's, per field

    @property
    def service_changes(self) -> bool:
        return any(change is not None for change in (self.status, self.owner, self.follow_up))


class LeadEmailInstanceLoader(BaseInstanceLoader):
    """Finds the lead of each row by e-mail, case-insensitively, with one query per chunk."""

    def __init__(self, resource: LeadResource, dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        self.leads = resource.existing_leads(dataset)

    def get_instance(self, row: dict[str, Any]) -> Lead | None:
        current = self.resource.current
        return self.leads.get(current.key) if current is not None else None


class LeadResource(_SafeExportMixin, resources.ModelResource):
    """Leads in and out of CSV/XLSX files, keyed by e-mail address.

    Import: a row whose e-mail (normalised like the API's, compared without case) is known
    updates that lead, otherwise a new lead is created; a row is never a duplicate. Blank cells
    keep what the lead has. A row with problems (bad e-mail, unknown status, source or owner, a
    value too long, the same e-mail as an earlier row, a lead the user may not change) is
    reported with its number and every problem, and the other rows still import.

    New leads, in bulk (`use_bulk`; see `leads.importing` for speed): linked to the company of
    their mail domain (`services.companies_resolve`, the set form of `company_resolve`), scored
    in memory with `lead_rescore`'s own steps (an imported lead has no activity yet), and
    given timeline entries (imported, company matched, scored), then checked for duplicates
    (`leads.duplicates.leads_flag_new_duplicates`). A lead that would be hot is left to
    `lead_rescore_later` instead, so qualifying and the sales alert happen exactly as for a
    website lead. Existing leads: changed fields are bulk-updated and written on the timeline
    ("updated", with old and new values); status, owner and follow-up changes go through
    `lead_change_status`, `lead_assign` and `lead_schedule_follow_up`.

    Who may do what: with a user (passed as `user=`, or the `user` kwarg the admin gives
    `import_data`), a sales rep may only change leads they may see (`lead_queryset_for_user`)
    and assign only to themselves; with none (the command line) everything is allowed.
    Exports made with `user=` are scoped the same way, whatever queryset the caller passes.

    What the admin must do (django-import-export 4.4 passes no request to resources)::

        class LeadAdmin(ImportMixin, ExportActionModelAdmin):  # or ImportExportMixin, …
            resource_classes = [LeadResource]

            def get_resource_kwargs(self, request, *args, **kwargs):
                # import and export: the user, for scoping and the timeline's actor
                return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

            def get_export_queryset(self, request):
                # the changelist's filters and search, within what the user may see
                return lead_queryset_for_user(user=request.user, queryset=super().get_export_queryset(request))
    """

    email = Field(attribute="email", column_name="email")
    company = Field(attribute="company_name", column_name="company")
    owner = Field(attribute="owner__username", column_name="owner")
    consent_marketing = Field(
        attribute="consent_marketing", column_name="consent_marketing", widget=BooleanWidget()
    )
    next_follow_up_at = Field(
        attribute="next_follow_up_at", column_name="next_follow_up_at", widget=DateTimeWidget()
    )
    score = Field(attribute="score", column_name="score", readonly=True, widget=IntegerWidget())
    estimated_deal_value = Field(
        attribute="estimated_deal_value",
        column_name="estimated_deal_value",
        readonly=True,
        widget=DecimalWidget(),
    )
    company_domain = Field(attribute="company__domain", column_name="company_domain", readonly=True)
    fortune_rank = Field(
        attribute="company__fortune_rank", column_name="fortune_rank", readonly=True, widget=IntegerWidget()
    )
    created_at = Field(
        attribute="created_at", column_name="created_at", readonly=True, widget=DateTimeWidget()
    )

    class Meta:
        model = Lead
        fields = LEAD_IMPORT_COLUMNS + LEAD_EXPORT_ONLY_COLUMNS
        import_order = LEAD_IMPORT_COLUMNS
        export_order = LEAD_IMPORT_COLUMNS + LEAD_EXPORT_ONLY_COLUMNS
        import_id_fields = ("email",)
        instance_loader_class = LeadEmailInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        use_transactions = True  # and the preview's row diffs are shown

    def __init__(
        self,
        *,
        user: AbstractBaseUser | AnonymousUser | None = None,
        default_owner: AbstractBaseUser | None = None,
        source_name: str = "",
        overwrite: Iterable[str] = (),
        preview: bool = False,
        **kwargs: Any,
    ) -> None:
        """`user`: who imports or exports (scoping, timeline actor); `default_owner`: owner of new
        leads whose row names none; `source_name`: the file name shown on the timeline;
        `overwrite`: the columns whose existing values the importer chose to replace
        (`leads.import_policy`); `preview`: keep one `ImportPreviewRow` per row for the admin."""
        super().__init__(**kwargs)
        self.user = user
        self.overwrite = overwrite_columns_clean(overwrite)
        self.preview: list[ImportPreviewRow] | None = [] if preview else None
        self.unknown_columns: list[str] = []
        self.default_owner = default_owner
        self.source_name = source_name
        self.current: LeadImportRow | None = None
        self.row_numbers: list[int] | None = None
        self._seen: dict[str, int] = {}  # e-mail key → first row with it, over the whole file
        self._users: dict[str, Any] | None = None
        self._email_cache: dict[str, str | Exception] = {}
        self._companies: dict[str, Company] = {}
        self._duplicates: DuplicateIndex | None = None
        self._scoring = ScoringConfig.from_settings()
        self._deal_value = DealValueConfig.from_settings()
        self._score_memo: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self._now = timezone.now()

    # --- Who -----------------------------------------------------------------------------------

    @property
    def actor(self) -> AbstractBaseUser | None:
        user = self.user
        return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]

    @property
    def restricted(self) -> bool:
        """Whether the importing user is limited to their own leads and the unassigned queue."""
        return self.user is not None and not user_is_sales_manager(self.user)

    def _staff_by_username(self) -> dict[str, Any]:
        if self._users is None:
            users = get_user_model().objects.filter(is_active=True, is_staff=True)
            self._users = {user.get_username(): user for user in users}
        return self._users

    # --- Export --------------------------------------------------------------------------------

    def get_queryset(self) -> QuerySet[Lead]:
        return Lead.objects.select_related("company", "owner").order_by("created_at", "pk")

    def filter_export(self, queryset: QuerySet[Lead], **kwargs: Any) -> QuerySet[Lead]:
        """Only the leads the exporting user may see, with company and owner joined (one query)."""
        queryset = queryset.select_related("company", "owner")
        if self.user is not None:
            queryset = lead_queryset_for_user(user=self.user, queryset=queryset)
        return queryset

    # --- Import: per chunk ---------------------------------------------------------------------

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """Check the columns, and learn who imports and from where (the admin passes `user`
        and `file_name`; `leads.importing` passes each chunk's `row_numbers` in the file)."""
        dataset.headers = lead_import_columns_check(dataset.headers or [])
        self.unknown_columns = lead_import_unknown_columns(dataset.headers)
        if self.user is None and kwargs.get("user") is not None:
            self.user = kwargs["user"]
        self.source_name = self.source_name or str(kwargs.get("file_name") or "")
        self.row_numbers = kwargs.get("row_numbers")
        self._companies = {}
        self._now = timezone.now()

    def _normalised_email(self, raw: str) -> str | Exception:
        """The address as the API stores it (`leads.emails`, no DNS), cached for the loader."""
        cached = self._email_cache.get(raw)
        if cached is None:
            try:
                cached = email_normalise(raw)
            except EmailNotValidError as exc:
                cached = exc
            if len(self._email_cache) > 50_000:
                self._email_cache.clear()
            self._email_cache[raw] = cached
        return cached

    def existing_leads(self, dataset: Any) -> dict[str, Lead]:
        """The known leads of this chunk's e-mails, by lower-cased e-mail (the unique index)."""
        keys = set()
        if dataset is not None and "email" in (dataset.headers or []):
            for raw in dataset["email"]:
                email = self._normalised_email(_cell_text(raw))
                if isinstance(email, str):
                    keys.add(email.lower())
        return leads_by_email_key(keys=keys)

    # --- Import: per row -----------------------------------------------------------------------

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        """Clean one row into `self.current`, or raise every problem of it as a ValidationError."""
        index = int(kwargs.get("row_number") or 0)  # 1-based within this dataset
        number = self.row_numbers[index - 1] if self.row_numbers else index
        self.current = None
        errors = _RowErrors()
        values: dict[str, Any] = {}

        raw_email = _cell_text(row.get("email"))
        email = self._normalised_email(raw_email) if raw_email else None
        key = ""
        if email is None:
            errors.add("email", "The e-mail address is missing.")
        elif isinstance(email, Exception):
            errors.add("email", f"{raw_email[:100]!r} is not a valid e-mail address: {email}")
        elif len(email) > Lead._meta.get_field("email").max_length:
            errors.add("email", "The e-mail address is longer than 254 characters.")
        else:
            key = email.lower()
            first = self._seen.setdefault(key, number)
            if first != number:
                errors.add("email", f"{email} is already in row {first} of this file.")

        for column, attribute in LEAD_TEXT_COLUMNS.items():
            if column not in row:
                continue
            text = _cell_text(row[column])
            limit = Lead._meta.get_field(attribute).max_length
            if limit is not None and len(text) > limit:
                errors.add(column, f"{len(text)} characters; at most {limit} fit.")
            elif text:
                values[attribute] = text

        for column, choices in (("status", LeadStatus), ("source", LeadSource)):
            text = _cell_text(row.get(column))
            if text:
                value = _choice(text, choices)
                if value is None:
                    errors.add(
                        column,
                        f"Unknown {column} {text[:50]!r}; one of: {', '.join(choices.values)}.",
                    )
                else:
                    values[column] = value

        username = _cell_text(row.get("owner"))
        if username:
            owner = self._staff_by_username().get(username)
            if owner is None:
                errors.add("owner", f"No active staff user {username[:150]!r}.")
            elif self.restricted and owner.pk != getattr(self.user, "pk", None):
                errors.add("owner", "Only sales managers can assign leads to someone else.")
            else:
                values["owner"] = owner

        if _cell_text(row.get("consent_marketing")):
            consent = _boolean(row["consent_marketing"])
            if consent is None:
                errors.add("consent_marketing", "Use yes/no, true/false or 1/0.")
            else:
                values["consent_marketing"] = consent

        if _cell_text(row.get("next_follow_up_at")):
            moment = _aware_datetime(row["next_follow_up_at"])
            if moment is None:
                errors.add(
                    "next_follow_up_at",
                    f"{_cell_text(row['next_follow_up_at'])[:50]!r} is not a date "
                    "(use YYYY-MM-DD or YYYY-MM-DD HH:MM).",
                )
            else:
                values["next_follow_up_at"] = moment

        errors.raise_if_any()
        assert isinstance(email, str)
        self.current = LeadImportRow(
            number=number, email=email, key=key, domain=classify_email_domain(email), values=values
        )

    def after_init_instance(self, instance: Lead, new: bool, row: dict[str, Any], **kwargs: Any) -> None:
        """A sales rep may update only their own leads and the unassigned queue."""
        if not new and self.restricted and instance.owner_id not in (None, getattr(self.user, "pk", None)):
            raise ValidationError({"email": "A lead with this e-mail exists and belongs to another rep."})

    def import_instance(self, instance: Lead, row: dict[str, Any], **kwargs: Any) -> None:
        """Apply the cleaned row: every value to a new lead, the changed ones to a known lead."""
        current = self.current
        assert current is not None
        current.new = instance._state.adding
        values = dict(current.values)
        instance._import_row = current  # type: ignore[attr-defined]
        if current.new:
            instance.email = current.email
            values.setdefault("source", LeadSource.IMPORT)
            if "owner" not in values and self.default_owner is not None:
                values["owner"] = self.default_owner
            if values.get("status") == LeadStatus.CLOSED_LOST and not values.get("lost_reason"):
                raise ValidationError({"lost_reason": "Say why the deal was lost (closed_lost needs it)."})
            for attribute, value in values.items():
                setattr(instance, attribute, value)
            if instance.consent_marketing:
                instance.consent_marketing_at = self._now
            return

        # A known lead: each field by the re-import policy (`leads.import_policy`).
        status = values.pop("status", None)
        if status is not None:
            decision = decide_status(lead=instance, status=status)
            current.decisions.append(decision)
            if decision.applied:
                reason = ""
                if status == LeadStatus.CLOSED_LOST:
                    reason = values.pop("lost_reason", "") or instance.lost_reason
                    if not reason:
                        raise ValidationError(
                            {"lost_reason": "Say why the deal was lost (closed_lost needs it)."}
                        )
                lead_status_change_validate(status=status, lost_reason=reason, lead=instance)
                current.status = (status, reason)
        for attribute, value in values.items():
            decision = decide_field(
                lead=instance, attribute=attribute, incoming=value, overwrite=self.overwrite
            )
            current.decisions.append(decision)
            if not decision.applied:
                continue
            if attribute == "owner":
                current.owner = (value,)
            elif attribute == "next_follow_up_at":
                current.follow_up = (value,)
            else:
                current.changes[attribute] = (getattr(instance, attribute), value)
                setattr(instance, attribute, value)
        if current.changes.get("consent_marketing", (None, False))[1] and not instance.consent_marketing_at:
            instance.consent_marketing_at = self._now
            current.changes["consent_marketing_at"] = (None, self._now)

    def skip_row(
        self,
        instance: Lead,
        original: Lead | None,
        row: dict[str, Any],
        import_validation_errors: dict[str, Any] | None = None,
    ) -> bool:
        """A known lead that the row would not change is reported as skipped, and not written."""
        current = self.current
        if import_validation_errors or current is None or current.new:
            return False
        return not current.changes and not current.service_changes

    # --- Import: writing, in bulk -----------------------------------------------------------------

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """Insert a batch of new leads with company, score and timeline (see the class docstring).

        A failure here is a "base error" of the chunk, and `import_data` rolls the chunk back.
        """
        leads = list(self.create_instances)
        if not leads or not (using_transactions or not dry_run):
            self.create_instances.clear()
            return
        try:
            self._link_companies(leads)
            self._score(leads)
        except Exception as exc:  # noqa: BLE001 - reported as the chunk's error, never a 500
            self.create_instances.clear()
            self.handle_import_error(result, exc, raise_errors)
            return
        if not dry_run and self._duplicates is None:
            # Built before this batch is inserted: the leads already there, plus (via add_lead)
            # every lead this import creates. Dry runs do not flag, so they need no index.
            self._duplicates = DuplicateIndex.build()
        failures = len(result.base_errors) if result is not None else 0
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        if result is not None and len(result.base_errors) > failures:
            return
        try:
            LeadEvent.objects.bulk_create(
                [event.build() for event in self.new_lead_events(leads)], batch_size=500
            )
            for lead in leads:
                if lead._import_row.rescore_later:
                    lead_rescore_later(lead=lead)
            if not dry_run:
                assert self._duplicates is not None
                leads_flag_new_duplicates(leads=leads, index=self._duplicates, actor_label=IMPORT_ACTOR_LABEL)
        except Exception as exc:  # noqa: BLE001
            self.handle_import_error(result, exc, raise_errors)

    def get_bulk_update_fields(self) -> list[str]:
        fields = {attribute for lead in self.update_instances for attribute in lead._import_row.changes}
        return sorted(fields | {"updated_at"}) if fields else []

    def bulk_update(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """Write a batch of changed leads: fields in bulk, status/owner/follow-up via services."""
        leads = list(self.update_instances)
        if not leads or not (using_transactions or not dry_run):
            self.update_instances.clear()
            return
        changed = [lead for lead in leads if lead._import_row.changes]
        for lead in changed:
            lead.updated_at = self._now
        self.update_instances[:] = changed
        failures = len(result.base_errors) if result is not None else 0
        if changed:
            super().bulk_update(
                using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result
            )
        else:
            self.update_instances.clear()
        if result is not None and len(result.base_errors) > failures:
            return
        try:
            LeadEvent.objects.bulk_create(
                [self.updated_event(lead).build() for lead in changed], batch_size=500
            )
            for lead in leads:
                self._apply_service_changes(lead)
                if "job_title" in lead._import_row.changes:
                    lead_rescore_later(lead=lead)
        except Exception as exc:  # noqa: BLE001
            self.handle_import_error(result, exc, raise_errors)

    def import_row(self, row: dict[str, Any], instance_loader: Any, **kwargs: Any) -> Any:
        """Import one row as import-export does, and note for the preview what became of it."""
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.preview is not None:
            self.preview.append(
                preview_row_build(
                    number=int(kwargs.get("row_number") or 0),
                    row=row,
                    row_result=row_result,
                    current=self.current,
                )
            )
        return row_result

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """A chunk with errors is rolled back, so its leads must leave the duplicates index.
        (No sequence to reset, as ModelResource would: leads have UUID keys.) The preview rows
        and ignored columns travel on the result, to the admin's preview."""
        if result.has_errors():
            self._duplicates = None
        result.lead_preview = self.preview
        result.unknown_columns = self.unknown_columns

    # --- Helpers of the bulk writes ------------------------------------------------------------

    def _link_companies(self, leads: list[Lead]) -> None:
        """Give each new lead the company of its corporate mail domain through
        `companies_resolve` (the set form of `company_resolve`: a fixed number of queries per
        chunk); companies found are kept for the rest of the file."""
        wanted: dict[str, str] = {}
        for lead in leads:
            domain = lead._import_row.domain
            if domain.is_corporate and domain.registrable not in self._companies:
                wanted.setdefault(domain.registrable, lead.company_name)
        if wanted:
            self._companies.update(companies_resolve(names=wanted))
        for lead in leads:
            domain = lead._import_row.domain
            company = self._companies.get(domain.registrable) if domain.is_corporate else None
            if company is not None:
                lead.company = company
                lead.is_fortune_500 = company.is_fortune_500

    def _score(self, leads: list[Lead]) -> None:
        """Score new leads with `lead_rescore`'s own steps (`lead_scoring_input`, the engine,
        `lead_score_apply`): an imported lead has no activity yet, so only who they are counts.
        A lead that would be hot goes through `lead_rescore_later`, which qualifies it and
        alerts sales exactly as for a website lead.

        Without activity the score depends only on the title, the company's rank and size and
        the kind of mail domain, so the engine runs once per distinct combination (a 100,000-row
        file has a few thousand) and the result is shared: it is read-only once stored."""
        config = self._scoring
        memo = self._score_memo
        for lead in leads:
            company = lead.company
            domain = lead._import_row.domain
            inputs = (
                lead.job_title,
                company.fortune_rank if company else None,
                company.employee_count if company else None,
                domain.kind,
            )
            result = memo.get(inputs)
            if result is None:
                scoring_input = lead_scoring_input(
                    lead=lead, activities=(), now=self._now, email_domain=domain
                )
                result = memo[inputs] = score_lead(scoring_input, config)
            if result.total >= config.hot_threshold:
                lead._import_row.rescore_later = True
                continue
            lead_score_apply(lead=lead, result=result, now=self._now, deal_value_config=self._deal_value)

    def _event(
        self, lead: Lead, kind: LeadEventKind, summary: str, data: dict[str, Any], **who: Any
    ) -> ImportEvent:
        """A timeline entry to write, by the importing user or "import" unless `who` says."""
        actor = who.get("actor", self.actor)
        staff = actor if actor is not None and actor.is_authenticated else None
        label = staff.get_username() if staff is not None else who.get("actor_label", IMPORT_ACTOR_LABEL)
        return ImportEvent(lead, kind, summary[:500], data, staff, label[:100], self._now)

    def _where(self, row: LeadImportRow) -> str:
        return f"{self.source_name}, row {row.number}" if self.source_name else f"row {row.number}"

    def new_lead_events(self, leads: list[Lead]) -> list[ImportEvent]:
        """Imported, company matched and scored entries of new leads, in the order they happened."""
        events = []
        for lead in leads:
            row = lead._import_row
            details = [f"owner {lead.owner.get_username()}" if lead.owner else "unassigned"]
            if lead.status != LeadStatus.NEW:
                details.append(f"status {LeadStatus(lead.status).label}")
            if lead.next_follow_up_at:
                details.append(f"follow-up {timezone.localtime(lead.next_follow_up_at):%Y-%m-%d %H:%M}")
            events.append(
                self._event(
                    lead,
                    LeadEventKind.IMPORTED,
                    f"Imported ({self._where(row)}): {', '.join(details)}",
                    {
                        "file": self.source_name,
                        "row": row.number,
                        "values": {name: _json_value(value) for name, value in row.values.items()},
                    },
                )
            )
            company = lead.company
            if company is not None:
                matched = company_matched_event(lead=lead, company=company)
                events.append(
                    self._event(
                        lead, matched.kind, matched.summary, matched.data, actor=None, actor_label="system"
                    )
                )
            if lead.scored_at is not None:
                summary, data = score_event_values(
                    previous=0, total=lead.score, breakdown=lead.score_breakdown
                )
                events.append(
                    self._event(lead, LeadEventKind.SCORED, summary, data, actor=None, actor_label="system")
                )
        return events

    def updated_event(self, lead: Lead) -> ImportEvent:
        row = lead._import_row
        names = ", ".join(row.changes)
        return self._event(
            lead,
            LeadEventKind.UPDATED,
            f"Updated by import ({self._where(row)}): {names}",
            {
                "file": self.source_name,
                "row": row.number,
                "changes": {
                    name: [_json_value(old), _json_value(new)] for name, (old, new) in row.changes.items()
                },
            },
        )

    def _apply_service_changes(self, lead: Lead) -> None:
        row = lead._import_row
        who = {"actor": self.actor, "actor_label": IMPORT_ACTOR_LABEL}
        if row.owner is not None:
            lead_assign(lead=lead, owner=row.owner[0], **who)
        if row.status is not None:
            status, reason = row.status
            lead_change_status(lead=lead, status=status, lost_reason=reason, **who)
        if row.follow_up is not None:
            lead_schedule_follow_up(lead=lead, at=row.follow_up[0], **who)


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

    def get_queryset(self) -> QuerySet[Company]:
        return Company.objects.all()

    def filter_export(self, queryset: QuerySet[Company], **kwargs: Any) -> QuerySet[Company]:
        return queryset.annotate(lead_total=Count("leads")).order_by("name", "domain")

    def dehydrate_lead_count(self, company: Company) -> int:
        return getattr(company, "lead_total", 0)

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        headers = [_cell_text(header).lower() for header in dataset.headers or []]
        known = set(COMPANY_IMPORT_COLUMNS) | set(COMPANY_EXPORT_ONLY_COLUMNS)
        unknown = [header or "(empty)" for header in headers if header not in known]
        if unknown:
            raise ValueError(
                f"Unknown column(s) {', '.join(repr(h) for h in unknown)}; "
                f"known columns: {', '.join(COMPANY_IMPORT_COLUMNS)}"
            )
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
