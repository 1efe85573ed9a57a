"""Importing leads from a CSV or XLSX file: `leads_import`, behind `manage.py import_leads`.

The rows are cleaned and applied by `leads.resources.LeadResource`, the same resource as the
admin's import, so a file means the same thing wherever it is imported: update by e-mail (never
a duplicate), new leads linked to their company, scored, put on the timeline and checked for
duplicates. The command drives the resource through `leads.bulk_import.LeadChunkImporter`,
which writes each chunk set-based instead of through django-import-export's per-row machinery.

Choices, and why:

* **Chunks of `CHUNK_ROWS` rows, one transaction each.** The file is streamed (never held whole
  in memory) and each chunk is written in its own transaction. One transaction for a whole
  100,000-row file would hold SQLite's single write lock for minutes, and every lead form on
  the website would wait or fail meanwhile; per chunk they wait a second or two at most.
  A run that dies half-way is simply run again: rows already imported are found by e-mail and
  reported as skipped (unchanged). The same holds for the rare chunk that fails as a whole
  (say, the website created a lead with one of its e-mails in the same second): its rows are
  reported as not imported, and a second run takes them.
* **Good rows are imported, bad rows reported.** A row with problems (bad e-mail, unknown
  status, source or owner, a value too long, an e-mail already in an earlier row) is listed with
  its row number and every problem, the other rows are imported, and the command exits
  non-zero. Fix the listed rows and import the file again: the rows already in are skipped.
  The admin's import previews the same: every bad row with its problems by column, and a
  "confirm" that imports the good rows.
* **A re-import never undoes the lead's own history** (`leads.import_policy`): known leads get
  empty fields filled and status moved forward only; other values are kept unless the caller
  names the columns to overwrite. Unknown columns are ignored and listed in the summary.
* **Dry run** runs every chunk exactly as a real run would and rolls each back, so its counts
  and errors are the real run's.
* **Speed** (see `leads.bulk_import`): inside a chunk nothing is looked up per row. Known leads
  (by lower-cased e-mail, the unique index), companies (by domain, kept for the whole file) and
  owners are fetched once; on PostgreSQL new leads and their timeline entries are written
  set-based (`leads.import_sql`: COPY into a staging table, then INSERT ... SELECT), on SQLite
  with one executemany; scores are computed once per distinct title/company/domain kind;
  e-mail domains are validated once per domain (`leads.emails`); likely duplicates are found
  in memory and flagged in bulk (`leads.duplicates.new_leads_flag_duplicates`). Only changes to
  existing leads' status, owner and follow-up go through their services row by row.
* **A writer thread** (PostgreSQL, outside a caller's transaction): a chunk of only new leads
  is written on a second thread and connection while the next chunk is read and cleaned, so
  Python's work and the database's overlap. Chunks are still written one at a time, in file
  order, and progress is reported as each is committed.

Row numbers count data rows: row 1 is the first row under the header (as in the admin's
import); `ImportSummary.lines` maps an error's row to its line in a CSV file.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection

from .bulk_import import ChunkResult, LeadChunkImporter, PreparedChunk
from .import_policy import overwrite_columns_clean
from .resources import (
    LeadImportColumnsError,
    LeadResource,
    lead_import_columns_check,
    lead_import_unknown_columns,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

#: Rows per `import_data` call and transaction (see the module docstring).
CHUNK_ROWS = 5_000
FORMATS = ("csv", "xlsx")

Progress = Callable[[int, int], None]


class LeadImportError(Exception):
    """The import cannot start: missing or unreadable file, wrong columns, unusable owner."""


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would have done)."""

    path: Path
    dry_run: bool
    total: int = 0  # data rows read (blank rows are not counted)
    new: int = 0
    updated: int = 0
    skipped: int = 0  # known leads the row would not change
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    lines: dict[int, int] = field(default_factory=dict)  # row number → file line, for error rows
    ignored_columns: list[str] = field(default_factory=list)  # unknown columns, not read
    seconds: float = 0.0

    @property
    def error_rows(self) -> int:
        """How many rows were not imported because of an error."""
        return self.total - self.new - self.updated - self.skipped

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


@dataclass
class _Chunk:
    rows: list[list[Any]]
    numbers: list[int]  # data row number of each row
    lines: list[int]  # file line (CSV) or sheet row (XLSX) of each row


def _blank(cells: list[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


class _CsvReader:
    """A CSV file's header, row count and rows, streamed. Errors say what is wrong with the file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self) -> Any:
        try:
            return self.path.open(encoding="utf-8-sig", newline="")
        except FileNotFoundError:
            raise LeadImportError(f"No such file: {self.path}") from None
        except IsADirectoryError:
            raise LeadImportError(f"{self.path} is a directory, not a file") from None
        except OSError as exc:
            raise LeadImportError(f"Cannot read {self.path}: {exc}") from None

    def header_and_total(self) -> tuple[list[Any], int]:
        with self._open() as handle:
            try:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is None:
                    raise LeadImportError(f"{self.path} is empty")
                total = sum(1 for cells in reader if not _blank(cells))
            except (csv.Error, UnicodeDecodeError) as exc:
                raise LeadImportError(f"{self.path} is not a readable UTF-8 CSV file: {exc}") from None
        return header, total

    def rows(self) -> Iterator[tuple[int, int, list[Any]]]:
        """(row number, line, cells) of each non-blank data row."""
        with self._open() as handle:
            reader = csv.reader(handle)
            next(reader, None)
            line = reader.line_num + 1
            for number, cells in enumerate(reader, 1):
                if not _blank(cells):
                    yield number, line, cells
                line = reader.line_num + 1


class _XlsxReader:
    """The first sheet of an XLSX workbook, streamed with openpyxl's read-only mode."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            import openpyxl
        except ImportError:
            raise LeadImportError("Reading XLSX files needs openpyxl (pip install openpyxl==3.1.5)") from None
        if not path.exists():
            raise LeadImportError(f"No such file: {path}")
        try:
            self.workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise LeadImportError(f"{path} is not a readable XLSX file: {exc}") from None

    def header_and_total(self) -> tuple[list[Any], int]:
        sheet = self.workbook.active
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise LeadImportError(f"{self.path} is empty")
        total = sum(1 for cells in rows if not _blank(list(cells)))
        return list(header), total

    def rows(self) -> Iterator[tuple[int, int, list[Any]]]:
        rows = self.workbook.active.iter_rows(values_only=True)
        next(rows, None)
        for number, cells in enumerate(rows, 1):
            if not _blank(list(cells)):
                yield number, number + 1, list(cells)


def _chunks(
    reader: _CsvReader | _XlsxReader, width: int, summary: ImportSummary, size: int
) -> Iterator[_Chunk]:
    """The data rows in chunks; a row with more cells than the header is an error right away."""
    chunk = _Chunk(rows=[], numbers=[], lines=[])
    for number, line, cells in reader.rows():
        if len(cells) > width and not _blank(cells[width:]):
            summary.errors.append(
                (number, f"The row has {len(cells)} cells but the header only {width} columns.")
            )
            summary.lines[number] = line
            continue
        chunk.rows.append(list(cells[:width]) + [""] * (width - len(cells)))
        chunk.numbers.append(number)
        chunk.lines.append(line)
        if len(chunk.rows) >= size:
            yield chunk
            chunk = _Chunk(rows=[], numbers=[], lines=[])
    if chunk.rows:
        yield chunk


class _ChunkWriter:
    """Writes prepared chunks in file order, the set-based ones on a writer thread while the next
    chunk is cleaned (`PreparedChunk.background`), so that Python's work on one chunk overlaps
    the database's on the previous one. Used only on PostgreSQL outside a transaction: the
    writer thread has its own connection, which would not see a caller's uncommitted rows.
    """

    def __init__(self, importer: LeadChunkImporter) -> None:
        self.importer = importer
        self.threaded = importer.sql is not None and not connection.in_atomic_block
        self.pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") if self.threaded else None
        )
        self.pending: tuple[_Chunk, Future[ChunkResult]] | None = None

    def __enter__(self) -> _ChunkWriter:
        return self

    def write(self, chunk: _Chunk, prepared: PreparedChunk) -> Iterator[tuple[_Chunk, ChunkResult]]:
        """Yield each chunk written by now, in order, as (chunk, result)."""
        yield from self.flush()  # one chunk at a time: the next is written after this one
        if self.pool is not None and prepared.background:
            self.pending = (chunk, self.pool.submit(self.importer.write, prepared))
        else:
            yield chunk, self.importer.write(prepared)

    def flush(self) -> Iterator[tuple[_Chunk, ChunkResult]]:
        if self.pending is not None:
            chunk, future = self.pending
            self.pending = None
            yield chunk, future.result()

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            if self.pending is not None:
                self.pending[1].result()  # an exception in the loop: let the write finish
            self.pool.submit(lambda: connection.close()).result()  # the writer thread's connection
            self.pool.shutdown()


def leads_import(
    *,
    path: Path | str,
    fmt: str = "csv",
    dry_run: bool = False,
    owner: AbstractBaseUser | None = None,
    actor: AbstractBaseUser | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    overwrite: Iterable[str] | str = (),
    set_based: bool | None = None,
) -> ImportSummary:
    """Import the leads of a CSV or XLSX file (see the module docstring for what happens).

    `owner` owns the new leads whose row names no owner; `actor` is the staff user doing the
    import (timeline; a sales rep may then change only their own and unassigned leads), None
    for an operator on the command line. `progress(done, total)` is called after each chunk.
    `overwrite` names the columns whose existing values a known lead gives up for the file's
    (`leads.import_policy`; by default a re-import only fills empty fields and moves forward).
    `set_based`: new leads through `leads.import_sql` (default: on PostgreSQL); False forces the
    per-row path, which the equivalence tests compare it with.

    Raises `LeadImportError` when the import cannot start; row errors are in the summary.
    """
    started = time.perf_counter()
    path = Path(path)
    if fmt not in FORMATS:
        raise LeadImportError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        overwrite = overwrite_columns_clean(overwrite)
    except ValueError as exc:
        raise LeadImportError(str(exc)) from None
    if owner is not None and not (owner.is_active and owner.is_staff):
        raise LeadImportError(f"{owner.get_username()} is not an active staff user and cannot own leads")
    reader: _CsvReader | _XlsxReader = _CsvReader(path) if fmt == "csv" else _XlsxReader(path)
    header, total = reader.header_and_total()
    try:
        columns = lead_import_columns_check(header)
    except LeadImportColumnsError as exc:
        raise LeadImportError(f"{path}: {exc}") from None

    summary = ImportSummary(
        path=path, dry_run=dry_run, total=total, ignored_columns=lead_import_unknown_columns(columns)
    )
    resource = LeadResource(user=actor, default_owner=owner, source_name=path.name, overwrite=overwrite)
    importer = LeadChunkImporter(resource=resource, dry_run=dry_run, set_based=set_based)
    done = 0

    def record(chunk: _Chunk, result: ChunkResult) -> None:
        nonlocal done
        line_of = dict(zip(chunk.numbers, chunk.lines, strict=True))
        for number, message in result.errors:
            summary.errors.append((number, message))
            summary.lines[number] = line_of[number]
        if result.failed:  # the chunk was rolled back: none of its rows is in
            first, last = chunk.numbers[0], chunk.numbers[-1]
            summary.errors.append(
                (first, f"Rows {first}–{last} were not imported (rolled back): {result.failed}")
            )
            summary.lines[first] = line_of[first]
        else:
            summary.new += result.new
            summary.updated += result.updated
            summary.skipped += result.skipped
        done += len(chunk.rows)
        if progress is not None:
            progress(done, total)

    with _ChunkWriter(importer) as writer:
        for chunk in _chunks(reader, len(columns), summary, chunk_rows):
            prepared = importer.prepare(
                [dict(zip(columns, cells, strict=True)) for cells in chunk.rows], chunk.numbers
            )
            for written in writer.write(chunk, prepared):
                record(*written)
        for written in writer.flush():
            record(*written)
    if progress is not None and done < total:
        progress(total, total)  # rows refused before a chunk (too many cells) are done too
    summary.errors.sort(key=lambda error: error[0])
    summary.seconds = time.perf_counter() - started
    return summary
