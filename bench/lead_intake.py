"""Lead intake: `POST /api/v1/leads/` against a bare view doing one INSERT (not a test).

    .venv/bin/python bench/lead_intake.py --requests 500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench .venv/bin/python bench/lead_intake.py

Both endpoints run in this process through the same Django handler, middleware stack and database
(a scratch SQLite file unless DATABASE_URL is set; a PostgreSQL database must exist already and is
migrated here), interleaved in rounds so drift on a shared machine hits both alike. The real
endpoint does everything a website submission's request does: site-key and origin checks,
throttles, validation, company resolution (a fifth of the e-mails at Fortune 500 domains), the
lead and its audit entry, its timeline entries and the queued follow-up job (database task
backend, as in production). The job itself (scoring, duplicates) runs in the worker and is not
timed here. Reports requests/s and p50/p99 latency for each, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from common import configure, percentile, ratio_row, write_result

configure(scratch_prefix="intake-bench-")
os.environ["TASK_BACKEND"] = "database"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from analytics.services import website_create  # noqa: E402
from leads.fortune500 import fortune500_import  # noqa: E402
from leads.models import Company  # noqa: E402

settings.ROOT_URLCONF = "bench_urls"
ORIGIN = "https://bench.example"
TARGET = 0.7


def time_requests(client: Client, url: str, bodies: list[dict]) -> list[float]:
    latencies = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        latencies.append(time.perf_counter() - started)
        if response.status_code not in (200, 201):
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Company.objects.filter(fortune_rank__isnull=False).exists():
        fortune500_import()
    domains = list(Company.objects.filter(fortune_rank__isnull=False).values_list("domain", flat=True)[:100])
    website = website_create(name="Bench", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    vendor = connection.vendor
    run = f"{time.time_ns()}"
    rng = random.Random(7)

    def bodies(kind: str, count: int, offset: int) -> list[dict]:
        out = []
        for n in range(offset, offset + count):
            domain = rng.choice(domains) if rng.random() < 0.2 else f"company-{n % 500}.example"
            out.append(
                {
                    "email": f"{kind}.{run}.{n}@{domain}",
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "job_title": rng.choice(["CISO", "IT Manager", "Security Engineer"]),
                    "form": "demo_request",
                    "message": "Please call me about a scan.",
                }
            )
        return out

    time_requests(client, "/api/v1/leads/", bodies("warm", 20, 0))  # imports, first queries
    time_requests(client, "/bench/bare-insert/", bodies("warmbare", 20, 0))
    real: list[float] = []
    bare: list[float] = []
    per_round = max(1, args.requests // args.rounds)
    for r in range(args.rounds):
        real += time_requests(client, "/api/v1/leads/", bodies("real", per_round, r * per_round))
        bare += time_requests(client, "/bench/bare-insert/", bodies("bare", per_round, r * per_round))

    def summary(values: list[float]) -> dict:
        return {
            "requests": len(values),
            "requests_per_s": round(len(values) / sum(values), 1),
            "p50_ms": round(statistics.median(values) * 1000, 2),
            "p99_ms": round(percentile(values, 99) * 1000, 2),
        }

    ours, reference = summary(real), summary(bare)
    ratio = ours["requests_per_s"] / reference["requests_per_s"]
    print(f"database: {vendor}")
    for name, s in (("POST /api/v1/leads/", ours), ("bare INSERT view", reference)):
        print(
            f"  {name:<20} {s['requests_per_s']:>8} req/s  p50 {s['p50_ms']:>7} ms  p99 {s['p99_ms']:>7} ms"
        )
    print(f"  ratio {ratio:.2f} (target >= {TARGET})")
    rows = [
        ratio_row(
            benchmark=f"intake ({vendor})",
            measure="requests/s vs bare INSERT",
            ours=ours["requests_per_s"],
            reference=reference["requests_per_s"],
            target=f">= {TARGET}x",
            met=ratio >= TARGET,
            detail=f"p50 {ours['p50_ms']} / {reference['p50_ms']} ms, p99 {ours['p99_ms']} / {reference['p99_ms']} ms",
        )
    ]
    write_result(
        f"lead_intake_{vendor}", {"database": vendor, "ours": ours, "reference": reference, "rows": rows}
    )


if __name__ == "__main__":
    sys.exit(main())
