"""Time `leads.importing.leads_import` on a generated CSV of N leads (not a test).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 DEBUG=1 .venv/bin/python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 DEBUG=1 .venv/bin/python bench/import_leads.py --rows 100000

The file looks like a real list: about a fifth of the rows at Fortune 500 companies (their real
mail domains, from the bundled list, loaded first if the database has none), half at 4,000 other
companies, the rest on webmail; mixed job titles, some phone numbers, statuses and follow-ups.
E-mails are unique, so the first run creates every lead; `--again` then times a second run of the
same file (every row found by e-mail and skipped as unchanged). Use a scratch database: the
leads stay in it.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_scanner.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from leads.fortune500 import DEFAULT_FILE, fortune500_import  # noqa: E402
from leads.importing import leads_import  # noqa: E402
from leads.models import Company, Lead  # noqa: E402

FIRST = [
    "James",
    "Mary",
    "Wei",
    "Priya",
    "Carlos",
    "Fatima",
    "John",
    "Olga",
    "Kenji",
    "Amara",
    "Lars",
    "Sofia",
]
LAST = ["Smith", "Garcia", "Chen", "Patel", "Müller", "Okafor", "Johnson", "Ivanova", "Sato", "Rossi", "Berg"]
TITLES = [
    "CISO",
    "Chief Information Security Officer",
    "VP of Security",
    "Director of IT",
    "Security Engineer",
    "IT Manager",
    "Network Administrator",
    "Software Engineer",
    "Head of Infrastructure",
    "Compliance Analyst",
    "",
]
WEBMAIL = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me"]
WORDS = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "stark",
    "wayne",
    "tyrell",
    "cyberdyne",
    "hooli",
    "vandelay",
]
STATUSES = ["", "", "", "", "new", "qualified", "contacted"]
HEADER = [
    "email",
    "first_name",
    "last_name",
    "job_title",
    "phone",
    "company",
    "status",
    "source",
    "next_follow_up_at",
]


def fortune_domains() -> list[tuple[str, str]]:
    with DEFAULT_FILE.open(encoding="utf-8", newline="") as handle:
        return [(row["domain"], row["name"]) for row in csv.DictReader(handle)]


def generate(path: Path, rows: int, seed: int = 7, tag: str = "") -> None:
    """Write the list; `tag` goes into every e-mail, so that runs against one database import
    new leads rather than find the last run's."""
    rng = random.Random(seed)
    fortune = fortune_domains()
    others = [
        (f"{rng.choice(WORDS)}-{n}-{rng.choice(['labs', 'systems', 'group'])}.com", "") for n in range(4000)
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            pick = rng.random()
            if pick < 0.2:
                domain, company = rng.choice(fortune)
            elif pick < 0.7:
                domain, company = rng.choice(others)
                company = company or domain.split(".")[0].replace("-", " ").title()
            else:
                domain, company = rng.choice(WEBMAIL), ""
            email = f"{first.lower()}.{last.lower()}.{n}{tag}@{domain}".replace("ü", "u")
            phone = f"+1 {rng.randint(200, 999)} 555 {n % 10000:04d}" if rng.random() < 0.4 else ""
            follow_up = (
                f"2031-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.1 else ""
            )
            writer.writerow(
                [email, first, last, rng.choice(TITLES), phone, company, rng.choice(STATUSES), "", follow_up]
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--file", type=Path, help="Keep the generated CSV here (default: a temporary file).")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--again", action="store_true", help="Also time a second run of the same file.")
    args = parser.parse_args()

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not Company.objects.filter(fortune_rank__isnull=False).exists():
        started = time.perf_counter()
        fortune500_import()
        print(f"loaded the Fortune 500 list in {time.perf_counter() - started:.1f} s")
    print(f"leads before: {Lead.objects.count():,}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "leads.csv"
        started = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.1f} MB)"
        )

        runs = 2 if args.again else 1
        for run in range(1, runs + 1):
            summary = leads_import(path=path, dry_run=args.dry_run)
            print(
                f"run {run}: {summary.total:,} rows in {summary.seconds:.1f} s "
                f"= {summary.rows_per_second:,.0f} rows/s  "
                f"(new {summary.new:,}, updated {summary.updated:,}, skipped {summary.skipped:,}, "
                f"errors {summary.error_rows:,})"
            )
            for row, message in summary.errors[:5]:
                print(f"  row {row}: {message}")
    print(f"leads after: {Lead.objects.count():,}")


if __name__ == "__main__":
    main()
