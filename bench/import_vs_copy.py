"""Import: `leads_import` of a generated CSV against the database's own bulk load of the same file.

    .venv/bin/python bench/import_vs_copy.py --rows 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench .venv/bin/python bench/import_vs_copy.py --rows 100000

The file is bench/import_leads.py's realistic list. The reference loads the same file with no
checks at all: PostgreSQL `COPY ... FROM STDIN (FORMAT csv)` into an unlogged staging table; on
SQLite, Python's csv reader and one `executemany` INSERT in a single transaction. The real import
validates every row, resolves companies, writes leads and timeline entries. Reports rows/s of both
and the ratio (target: at least 0.5).
"""

from __future__ import annotations

import argparse
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


def bulk_load(path: Path) -> float:
    """Seconds to load the file into a plain staging table with the database's fastest path."""
    columns = ", ".join(f"{name} text" for name in HEADER)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE UNLOGGED TABLE IF NOT EXISTS bench_copy ({columns})")
            cursor.execute("TRUNCATE bench_copy")
            with (
                path.open("rb") as handle,
                cursor.cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        else:
            import csv

            cursor.execute(f"CREATE TABLE IF NOT EXISTS bench_copy ({columns})")
            cursor.execute("DELETE FROM bench_copy")
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                placeholders = ", ".join(["%s"] * len(HEADER))
                cursor.executemany(f"INSERT INTO bench_copy VALUES ({placeholders})", list(reader))  # noqa: S608 - placeholders only
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Company.objects.filter(fortune_rank__isnull=False).exists():
        fortune500_import()
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "leads.csv"
        generate(path, args.rows, seed=int(time.time()))
        reference_seconds = bulk_load(path)
        summary = leads_import(path=path, dry_run=False)
    ours = summary.total / summary.seconds
    reference = args.rows / reference_seconds
    print(f"database: {vendor}, {args.rows:,} rows")
    print(f"  import_leads   {ours:>10,.0f} rows/s  ({summary.seconds:.1f} s, errors {summary.error_rows})")
    print(f"  bulk load      {reference:>10,.0f} rows/s  ({reference_seconds:.2f} s)")
    rows = [
        ratio_row(
            benchmark=f"import {args.rows:,} rows ({vendor})",
            measure="rows/s vs " + ("COPY" if vendor == "postgresql" else "executemany INSERT"),
            ours=ours,
            reference=reference,
            target=f">= {TARGET}x",
            met=ours / reference >= TARGET,
        )
    ]
    write_result(f"import_{vendor}", {"database": vendor, "rows_in_file": args.rows, "rows": rows})


if __name__ == "__main__":
    main()
