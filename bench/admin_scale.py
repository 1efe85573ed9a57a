"""Admin and dashboard at scale: time and query count of the CRM pages over many leads (not a test).

    .venv/bin/python bench/admin_scale.py --scale 0.02      # 20,000 leads, 200,000 events (scratch SQLite)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench .venv/bin/python bench/admin_scale.py --scale 1

`--scale 1` is the issue's full size: 1,000,000 leads and 10,000,000 timeline events, written with
`bulk_create` in batches of 10,000 (no per-row signals or audit entries: generated data, not
submissions). Then, logged in as a manager, it fetches the lead changelist, a filtered changelist,
a search, one lead's page and the dashboard (the admin index), each after a warm-up, and reports
the median time of five fetches and the number of queries. The targets: under 300 ms, and the
same number of queries at any size (compare two scales). Use a scratch database: the rows stay.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta

from common import configure, ratio_row, write_result

configure(scratch_prefix="admin-bench-")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from leads.models import Company, Lead, LeadEvent, LeadEventKind, LeadSource, LeadStatus  # noqa: E402

BATCH = 10_000
TARGET_MS = 300
STATUSES = [s.value for s in LeadStatus if s.value not in ("won", "lost")]
SOURCES = [s.value for s in LeadSource]


def generate(leads: int, events_per_lead: int) -> None:
    """Companies, leads and their timelines in big batches; one transaction per batch."""
    rng = random.Random(11)
    now = timezone.now()
    companies = [
        Company(
            name=f"Company {n}",
            domain=f"company-{n}.example",
            fortune_rank=(n + 1) if n < 500 else None,
            fortune_year=2025 if n < 500 else None,
        )
        for n in range(max(10, leads // 50))
    ]
    Company.objects.bulk_create(companies, batch_size=BATCH)
    done = 0
    while done < leads:
        size = min(BATCH, leads - done)
        batch = []
        for n in range(done, done + size):
            company = rng.choice(companies)
            batch.append(
                Lead(
                    id=uuid.uuid4(),
                    email=f"person.{n}@{company.domain}",
                    first_name=rng.choice(["Ada", "Grace", "Alan", "Linus", "Barbara"]),
                    last_name=f"Smith{n % 997}",
                    job_title=rng.choice(["CISO", "IT Manager", "Engineer", ""]),
                    company=company,
                    company_name=company.name,
                    is_fortune_500=company.fortune_rank is not None,
                    status=rng.choice(STATUSES),
                    source=rng.choice(SOURCES),
                    score=rng.randint(0, 100),
                    created_at=now - timedelta(minutes=n),
                )
            )
        events = [
            LeadEvent(
                lead=lead,
                kind=LeadEventKind.SUBMITTED,
                summary="Submitted the contact form",
                data={"form": "contact"},
                actor_label="generator",
                created_at=lead.created_at + timedelta(seconds=k),
            )
            for lead in batch
            for k in range(events_per_lead)
        ]
        with transaction.atomic():
            Lead.objects.bulk_create(batch, batch_size=BATCH)
            LeadEvent.objects.bulk_create(events, batch_size=BATCH)
        done += size
        print(f"  generated {done:,} leads", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(client: Client, url: str, runs: int = 5) -> tuple[float, int]:
    client.get(url)  # warm-up
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries = len(captured)
    return statistics.median(times) * 1000, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.02, help="1 = 1,000,000 leads, 10,000,000 events")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    leads = max(100, int(1_000_000 * args.scale))
    if Lead.objects.count() < leads:
        started = time.perf_counter()
        generate(leads - Lead.objects.count(), events_per_lead=10)
        print(f"generated {leads:,} leads and {leads * 10:,} events in {time.perf_counter() - started:.0f} s")
    manager, _ = get_user_model().objects.get_or_create(
        username="bench-manager", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(manager)
    lead = Lead.objects.order_by("-score").first()
    pages = {
        "changelist": "/admin/leads/lead/",
        "filtered changelist": "/admin/leads/lead/?status=new&is_fortune_500__exact=1",
        "search": "/admin/leads/lead/?q=smith42",
        "lead page": f"/admin/leads/lead/{lead.pk}/change/",
        "dashboard": "/admin/",
    }
    vendor = connection.vendor
    rows = []
    for name, url in pages.items():
        ms, queries = measure(client, url)
        print(f"  {name:<20} {ms:>8.1f} ms  {queries:>3} queries")
        rows.append(
            ratio_row(
                benchmark=f"admin {name} ({vendor}, {leads:,} leads)",
                measure="median ms vs 300 ms budget",
                ours=ms,
                reference=TARGET_MS,
                target=f"< {TARGET_MS} ms, constant queries",
                met=ms < TARGET_MS,
                queries=queries,
                detail=f"{queries} queries",
            )
        )
    write_result(
        f"admin_scale_{vendor}", {"database": vendor, "leads": leads, "events": leads * 10, "rows": rows}
    )


if __name__ == "__main__":
    main()
