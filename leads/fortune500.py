"""Importing the Fortune 500 list: which companies are on it, and what that changes for leads.

`fortune500_import` is the one entry point (used by `manage.py import_fortune500`). In one
transaction it

1. upserts a `Company` per row of the data file, keyed by the primary mail domain, with its rank,
   year, facts and alias domains (`leads.resources.Fortune500Resource`, django-import-export);
2. merges "stray" companies into the Fortune 500 company that owns their domain: a lead at
   `chase.com` that arrived before the list was loaded created `Company(domain="chase.com")`;
   its leads and visitors move to JPMorgan Chase and the stray row is deleted;
3. takes the rank away from every company that had one but is not in the file;
4. copies the changed Fortune 500 flags onto the leads (`company_sync_lead_flags`), writes each
   such lead's timeline, and re-scores the leads whose company's rank changed once committed.

A run with row errors, or a dry run, rolls everything back. A second run of the same file
reports every row unchanged and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from import_export.results import Result

from .models import Company, CompanyDomain, Lead, LeadEventKind
from .resources import FORTUNE500_COLUMNS, Fortune500Resource, split_alias_domains
from .services import company_sync_lead_flags, lead_event_record, lead_rescore_later

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_YEAR = 2025
DEFAULT_FILE = DATA_DIR / "fortune500_2025.csv"
FIRST_LIST_YEAR = 1955  # the first Fortune 500
ACTOR_LABEL = "fortune 500 import"


class Fortune500FileError(Exception):
    """The data file cannot be read at all (missing, unreadable, wrong columns)."""


@dataclass(frozen=True)
class RowError:
    """A row that could not be imported. `row` counts data rows from 1; `line` is the file line."""

    row: int
    message: str

    @property
    def line(self) -> int:
        return self.row + 1  # the header is line 1


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a run with errors, would have done)."""

    path: Path
    year: int
    dry_run: bool
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    unranked: list[str] = field(default_factory=list)  # domains of companies that lost their rank
    merged: list[tuple[str, str]] = field(default_factory=list)  # (stray domain, into domain)
    leads_moved: int = 0
    leads_reflagged: int = 0

    @property
    def saved(self) -> bool:
        """Whether the changes were committed."""
        return not self.dry_run and not self.errors


def _read_dataset(path: Path) -> tablib.Dataset:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Fortune500FileError(f"No such file: {path}") from None
    except IsADirectoryError:
        raise Fortune500FileError(f"{path} is a directory, not a CSV file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Fortune500FileError(f"Cannot read {path}: {exc}") from None
    if not text.strip():
        raise Fortune500FileError(f"{path} is empty")
    try:
        dataset = tablib.Dataset().load(text, format="csv")
    except Exception as exc:  # noqa: BLE001 - tablib raises assorted errors for malformed CSV
        raise Fortune500FileError(f"{path} is not a readable CSV file: {exc}") from None
    headers = [header.strip() for header in dataset.headers or []]
    missing = [column for column in FORTUNE500_COLUMNS if column not in headers]
    if missing:
        raise Fortune500FileError(
            f"{path} lacks the column(s) {', '.join(missing)}; expected {', '.join(FORTUNE500_COLUMNS)}"
        )
    dataset.headers = headers
    return dataset


def _row_errors(result: Result) -> list[RowError]:
    """The import-export result's errors as (row, message), base errors as row 0."""
    errors = [RowError(row=0, message=str(error.error)) for error in result.base_errors]
    for number, row_errors in result.row_errors():
        errors += [RowError(row=number, message=str(error.error)) for error in row_errors]
    for invalid in result.invalid_rows:
        messages = [f"{name}: {'; '.join(msgs)}" for name, msgs in invalid.error_dict.items()]
        errors.append(RowError(row=invalid.number, message=", ".join(messages)))
    return sorted(errors, key=lambda error: error.row)


def fortune500_import(
    *, path: Path | str = DEFAULT_FILE, year: int = DEFAULT_YEAR, dry_run: bool = False
) -> ImportReport:
    """Load the Fortune 500 list of `year` from `path`; see the module docstring for the steps.

    Raises `Fortune500FileError` when the file cannot be read. Row errors do not raise: they are
    listed in the report, and nothing is saved.
    """
    path = Path(path)
    if year < FIRST_LIST_YEAR:
        raise ValueError(f"There is no Fortune 500 list of {year}.")
    dataset = _read_dataset(path)
    report = ImportReport(path=path, year=year, dry_run=dry_run, total_rows=len(dataset))

    with transaction.atomic():
        ranks_before = dict(
            Company.objects.filter(fortune_rank__isnull=False).values_list("pk", "fortune_rank")
        )

        resource = Fortune500Resource(year=year)
        result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
        report.unchanged = result.totals.get("skip", 0)
        report.errors = _row_errors(result)
        if report.errors:
            transaction.set_rollback(True)
            return report

        primary_domains = {str(domain).strip().lower() for domain in dataset["domain"]}
        alias_domains = {alias for cell in dataset["alias_domains"] for alias in split_alias_domains(cell)}
        # A file's primary domain is nobody's alias (it may have been one before this run).
        CompanyDomain.objects.filter(domain__in=primary_domains).delete()
        moved_lead_ids = _merge_stray_companies(
            alias_domains=alias_domains, primary_domains=primary_domains, report=report
        )

        unranked = Company.objects.filter(fortune_rank__isnull=False).exclude(domain__in=primary_domains)
        report.unranked = sorted(unranked.values_list("domain", flat=True))
        unranked.update(fortune_rank=None, fortune_year=None, updated_at=timezone.now())

        ranks_after = dict(
            Company.objects.filter(fortune_rank__isnull=False).values_list("pk", "fortune_rank")
        )
        flag_changed = ranks_before.keys() ^ ranks_after.keys()
        rank_changed = {
            pk
            for pk in ranks_before.keys() | ranks_after.keys()
            if ranks_before.get(pk) != ranks_after.get(pk)
        }
        report.leads_reflagged = _sync_lead_flags(
            company_ids=flag_changed, extra_lead_ids=moved_lead_ids, year=year
        )

        if dry_run:
            transaction.set_rollback(True)
        else:
            rescore = Lead.objects.filter(Q(company_id__in=rank_changed) | Q(pk__in=moved_lead_ids))
            for lead in rescore.only("pk"):
                lead_rescore_later(lead=lead)
    return report


def _merge_stray_companies(
    *, alias_domains: set[str], primary_domains: set[str], report: ImportReport
) -> set[object]:
    """Fold each company whose own domain is now a Fortune 500 company's alias into that company.

    Everything that points at the stray company (leads, visitors, …) is moved, the move is
    written on each lead's timeline, and the stray row is deleted. Returns the moved leads' ids.
    """
    strays = Company.objects.filter(domain__in=alias_domains).exclude(domain__in=primary_domains)
    owners = {
        alias.domain: alias.company
        for alias in CompanyDomain.objects.filter(domain__in=alias_domains).select_related("company")
    }
    moved: set[object] = set()
    for stray in strays.order_by("domain"):
        target = owners[stray.domain]
        lead_ids = set(Lead.objects.filter(company=stray).values_list("pk", flat=True))
        for relation in Company._meta.related_objects:
            if relation.related_model is CompanyDomain or not relation.one_to_many:
                continue
            relation.related_model._base_manager.filter(**{relation.field.name: stray}).update(
                **{relation.field.name: target}
            )
        for lead in Lead.objects.filter(pk__in=lead_ids).order_by("pk"):
            lead_event_record(
                lead=lead,
                kind=LeadEventKind.COMPANY_MATCHED,
                summary=f"Matched to {target.name} ({target.domain}): {stray.domain} is one of its mail domains",
                data={
                    "company": str(target.pk),
                    "domain": target.domain,
                    "merged_company": str(stray.pk),
                    "merged_domain": stray.domain,
                },
                actor_label=ACTOR_LABEL,
            )
        stray.delete()
        moved |= lead_ids
        report.merged.append((stray.domain, target.domain))
        report.leads_moved += len(lead_ids)
    return moved


def _sync_lead_flags(*, company_ids: set[object], extra_lead_ids: set[object], year: int) -> int:
    """Copy changed company flags onto the leads and write their timelines; returns the count."""
    if not company_ids and not extra_lead_ids:
        return 0
    stale = list(
        Lead.objects.filter(Q(company_id__in=company_ids) | Q(pk__in=extra_lead_ids))
        .exclude(company__isnull=True)
        .exclude(is_fortune_500=F("company__is_fortune_500"))
        .select_related("company")
        .order_by("pk")
    )
    for lead in stale:
        company = lead.company
        assert company is not None
        if company.is_fortune_500:
            summary = f"Company recognised as Fortune 500 #{company.fortune_rank} ({company.fortune_year})"
        else:
            summary = f"Company no longer on the Fortune 500 ({year} list)"
        lead_event_record(
            lead=lead,
            kind=LeadEventKind.COMPANY_MATCHED,
            summary=summary,
            data={
                "company": str(company.pk),
                "domain": company.domain,
                "fortune_rank": company.fortune_rank,
                "fortune_year": company.fortune_year,
            },
            actor_label=ACTOR_LABEL,
        )
    companies = Company.objects.filter(pk__in={lead.company_id for lead in stale})
    return company_sync_lead_flags(companies=companies)
