"""Import: `leads_import` of a generated CSV against the database's own bulk load of the same file.

    .venv/bin/python bench/import_vs_copy.py --rows 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench .venv/bin/python bench/import_vs_copy.py --rows 100000

The file is bench/import_leads.py's realistic list (e-mails tagged per run, so a reused database
gets new leads every time). Two references load the same file with no checks at all, median of three loads:

* **table** (the ratio's reference): PostgreSQL `COPY ... FROM STDIN (FORMAT csv)`, or on SQLite
  Python's csv reader and one `executemany` INSERT, into an ordinary (logged) table with the
  file's columns and the one invariant the import keeps, a unique index on lower(email), as
  `leads_lead` has;
* **staging**: the same into an UNLOGGED table (PostgreSQL) without any index, the fastest a
  database takes text in. Shown for comparison.

The real import validates every row, resolves companies, scores, writes each lead (31 columns,
7 indexes) and 2–3 timeline entries, and flags likely duplicates. Reports rows/s of each and the
ratios (target: at least 0.5 against the table load).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path

from common import configure, ratio_row, write_result

configure(scratch_prefix="import-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from import_leads import HEADER, generate  # noqa: E402  (sets Django up)

from leads.fortune500 import fortune500_import  # noqa: E402
from leads.importing import leads_import  # noqa: E402
from leads.models import Company  # noqa: E402

TARGET = 0.5


def bulk_load(path: Path, *, indexed: bool) -> float:
    """Seconds to load the file with the database's fastest path, into a table with the
    leads table's e-mail index (`indexed`) or into a bare staging table."""
    table = "bench_copy_table" if indexed else "bench_copy_staging"
    columns = ", ".join(f"{name} text" for name in HEADER)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:  # the table is made outside the timing
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        unlogged = "UNLOGGED " if postgres and not indexed else ""
        cursor.execute(f"CREATE {unlogged}TABLE {table} ({columns})")
        if indexed:
            cursor.execute(f"CREATE UNIQUE INDEX {table}_email ON {table} (lower(email))")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            with (
                path.open("rb") as handle,
                cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        else:
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                placeholders = ", ".join(["%s"] * len(HEADER))
                cursor.executemany(f"INSERT INTO {table} VALUES ({placeholders})", list(reader))  # noqa: S608 - placeholders only
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Company.objects.filter(fortune_rank__isnull=False).exists():
        fortune500_import()
    vendor = connection.vendor
    seed = int(time.time())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "leads.csv"
        generate(path, args.rows, seed=seed, tag=f".{seed}")
        table_seconds = statistics.median(bulk_load(path, indexed=True) for _ in range(3))
        staging_seconds = statistics.median(bulk_load(path, indexed=False) for _ in range(3))
        cpu = time.process_time()
        summary = leads_import(path=path, dry_run=False)
        cpu = time.process_time() - cpu
    ours = summary.total / summary.seconds
    reference = args.rows / table_seconds
    staging = args.rows / staging_seconds
    load = "COPY" if vendor == "postgresql" else "executemany INSERT"
    print(f"database: {vendor}, {args.rows:,} rows")
    print(
        f"  import_leads   {ours:>10,.0f} rows/s  ({summary.seconds:.1f} s, {cpu:.1f} s CPU, "
        f"new {summary.new:,}, errors {summary.error_rows})"
    )
    print(f"  {load} into a table like leads_lead  {reference:>10,.0f} rows/s  ({table_seconds:.2f} s)")
    print(f"  {load} into a bare staging table     {staging:>10,.0f} rows/s  ({staging_seconds:.2f} s)")
    print(f"  ratio {ours / reference:.3f} (vs the bare staging table {ours / staging:.3f})")
    rows = [
        ratio_row(
            benchmark=f"import {args.rows:,} rows ({vendor})",
            measure=f"rows/s vs {load}",
            ours=ours,
            reference=reference,
            target=f">= {TARGET}x",
            met=ours / reference >= TARGET,
            detail=f"vs bare staging table {ours / staging:.3f}x ({staging:,.0f} rows/s); import {cpu:.1f} s CPU",
        )
    ]
    write_result(f"import_{vendor}", {"database": vendor, "rows_in_file": args.rows, "rows": rows})


if __name__ == "__main__":
    main()
