"""`manage.py import_leads FILE`: import leads from CSV or XLSX (see `leads.importing`).

Examples::

    manage.py import_leads leads.csv --dry-run        # what would happen, nothing saved
    manage.py import_leads leads.csv --owner alice    # new leads without an owner go to alice
    manage.py import_leads export.xlsx --format xlsx
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.import_policy import OVERWRITABLE_COLUMNS
from leads.importing import FORMATS, ImportSummary, LeadImportError, leads_import
from leads.resources import LEAD_IMPORT_COLUMNS

#: How many row errors are printed; the summary always gives the total.
MAX_ERRORS_SHOWN = 200


class _ProgressBar:
    """A progress line on a terminal (redrawn with \\r, rows/s and time left), or one line per
    10% when the output is a file or a pipe (cron mail, CI logs), so logs stay short."""

    def __init__(self, stream: Any, *, tty: bool) -> None:
        self.stream = stream
        self.tty = tty
        self.started = time.monotonic()
        self.last_tenth = 0

    def __call__(self, done: int, total: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        percent = 100 * done / total if total else 100.0
        left = timedelta(seconds=round((total - done) / rate)) if rate and total > done else timedelta(0)
        text = f"{done:,}/{total:,} rows ({percent:.0f}%)  {rate:,.0f} rows/s  ETA {left}"
        if self.tty:
            self.stream.write(f"\r{text}   ", ending="")
            self.stream.flush()
            return
        tenth = int(percent // 10)
        if tenth > self.last_tenth:
            self.last_tenth = tenth
            self.stream.write(text)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = (
        "Import leads from a CSV or XLSX file, matching known leads by e-mail (case-insensitive) so "
        "that nothing is duplicated. New leads are linked to their company, scored, put on the "
        "timeline and checked for duplicates. Rows with errors are listed with their row number "
        "and not imported; the other rows are. Exits with status 1 when any row had an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV (UTF-8, header row) or XLSX file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count everything, save nothing."
        )
        parser.add_argument(
            "--owner", help="Username of the staff user who owns new leads that name no owner."
        )
        parser.add_argument(
            "--overwrite",
            default="",
            metavar="COLUMNS",
            help=(
                "Comma-separated columns whose existing values known leads give up for the file's "
                f"(one of {', '.join(OVERWRITABLE_COLUMNS)}). By default a re-import only fills "
                "empty fields and moves the status forward; source, message and UTM fields are "
                "never overwritten."
            ),
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="File format (default: from the file name's extension, else csv).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        owner = None
        if options["owner"]:
            owner = get_user_model().objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"--owner {options['owner']!r}: no such user.")
            if not (owner.is_active and owner.is_staff):
                raise CommandError(f"--owner {options['owner']!r} is not an active staff user.")

        bar = _ProgressBar(self.stdout, tty=self.stdout.isatty())
        try:
            summary = leads_import(
                path=path,
                fmt=fmt,
                dry_run=options["dry_run"],
                owner=owner,
                overwrite=options["overwrite"],
                progress=bar if options["verbosity"] >= 1 else None,
            )
        except LeadImportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.finish()
        self._print(summary)
        if summary.errors:
            raise CommandError(
                f"{summary.error_rows} row(s) of {summary.path} had errors and were not imported "
                f"(listed above); the other rows were{' checked' if summary.dry_run else ' imported'}.",
                returncode=1,
            )

    def _print(self, summary: ImportSummary) -> None:
        mode = " (dry run: nothing saved)" if summary.dry_run else ""
        self.stdout.write(f"Leads from {summary.path}: {summary.total:,} rows{mode}")
        if summary.ignored_columns:
            self.stderr.write(
                f"  ignored unknown column(s): {', '.join(summary.ignored_columns)} "
                f"(known: {', '.join(LEAD_IMPORT_COLUMNS)})"
            )
        self.stdout.write(f"  new:     {summary.new:,}")
        self.stdout.write(f"  updated: {summary.updated:,}")
        self.stdout.write(f"  skipped: {summary.skipped:,} (already up to date)")
        self.stdout.write(f"  errors:  {summary.error_rows:,}")
        for row, message in summary.errors[:MAX_ERRORS_SHOWN]:
            line = summary.lines.get(row)
            where = f"row {row} (line {line})" if line else f"row {row}"
            self.stderr.write(f"    {where}: {message}")
        if len(summary.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"    … and {len(summary.errors) - MAX_ERRORS_SHOWN:,} more")
        self.stdout.write(f"  time:    {summary.seconds:.1f} s ({summary.rows_per_second:,.0f} rows/s)")
        if not summary.errors:
            self.stdout.write(self.style.SUCCESS("Done."))
