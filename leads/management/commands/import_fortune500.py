"""`manage.py import_fortune500`: load the Fortune 500 data file into companies (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.fortune500 import (
    DEFAULT_FILE,
    DEFAULT_YEAR,
    FIRST_LIST_YEAR,
    Fortune500FileError,
    ImportReport,
    fortune500_import,
)


class Command(BaseCommand):
    help = (
        "Import the Fortune 500 list (rank, name, mail domain and alias domains, facts) into companies, "
        "take the rank away from companies no longer on it, and update their leads. Idempotent: a "
        "second run of the same file changes nothing. Exits non-zero when a row has an error, and "
        "then saves nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_FILE,
            help=f"CSV file to import (default: {DEFAULT_FILE.relative_to(DEFAULT_FILE.parents[2])}).",
        )
        parser.add_argument(
            "--year", type=int, default=DEFAULT_YEAR, help=f"Year of the list (default: {DEFAULT_YEAR})."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change, and save nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if year < FIRST_LIST_YEAR:
            raise CommandError(f"--year {year}: the first Fortune 500 list is of {FIRST_LIST_YEAR}.")
        try:
            report = fortune500_import(path=options["file"], year=year, dry_run=options["dry_run"])
        except Fortune500FileError as exc:
            raise CommandError(str(exc)) from exc
        self._print(report)
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} error(s) in {report.path}; nothing was imported.", returncode=1
            )

    def _print(self, report: ImportReport) -> None:
        mode = " (dry run: nothing saved)" if report.dry_run else ""
        self.stdout.write(f"Fortune 500 {report.year} from {report.path}: {report.total_rows} rows{mode}")
        self.stdout.write(f"  created:   {report.created}")
        self.stdout.write(f"  updated:   {report.updated}")
        self.stdout.write(f"  unchanged: {report.unchanged}")
        self.stdout.write(f"  errors:    {len(report.errors)}")
        for error in report.errors:
            where = f"row {error.row} (line {error.line})" if error.row else "file"
            self.stderr.write(f"    {where}: {error.message}")
        if report.errors:
            return
        self.stdout.write(f"  no longer ranked: {len(report.unranked)}")
        for domain in report.unranked[:20]:
            self.stdout.write(f"    {domain}")
        if len(report.unranked) > 20:
            self.stdout.write(f"    … and {len(report.unranked) - 20} more")
        self.stdout.write(
            f"  stray companies merged: {len(report.merged)} ({report.leads_moved} leads moved)"
        )
        for stray, into in report.merged:
            self.stdout.write(f"    {stray} → {into}")
        self.stdout.write(f"  leads re-flagged: {report.leads_reflagged}")
        if report.saved:
            self.stdout.write(self.style.SUCCESS("Done."))
