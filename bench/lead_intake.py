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
timed here. Reports requests/s and p50/p99 latency for each, the ratio, and the queries one
submission makes.

The machine is shared, so one run's ratio moves with its neighbours' load: each run alternates
the two endpoints in many short rounds (drift hits both alike), and the script makes `--runs`
runs (three by default) and reports the median ratio, which decides "met", and the spread
(min–max) of the runs.
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from analytics.services import website_create  # noqa: E402
from enterprise_scanner.gc_startup import freeze_after_startup  # noqa: E402
from leads.fortune500 import fortune500_import  # noqa: E402
from leads.models import Company  # noqa: E402

settings.ROOT_URLCONF = "bench_urls"
ORIGIN = "https://bench.example"
TARGET = 0.8


def time_requests(client: Client, url: str, bodies: list[dict]) -> list[float]:
    latencies = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        latencies.append(time.perf_counter() - started)
        if response.status_code not in (200, 201):
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return latencies


def summary(values: list[float]) -> dict:
    return {
        "requests": len(values),
        "requests_per_s": round(len(values) / sum(values), 1),
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per endpoint and run")
    parser.add_argument("--rounds", type=int, default=30, help="alternations of the two endpoints per run")
    parser.add_argument("--runs", type=int, default=3)
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

    def bodies(kind: str, count: int, offset: int, domain: str | None = None) -> list[dict]:
        out = []
        for n in range(offset, offset + count):
            at = domain or (rng.choice(domains) if rng.random() < 0.2 else f"company-{n % 500}.example")
            out.append(
                {
                    "email": f"{kind}.{run}.{n}@{at}",
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
    queries = {}
    for label, url, domain in (
        ("ours", "/api/v1/leads/", "company-1.example"),
        ("ours, Fortune 500 domain", "/api/v1/leads/", domains[0]),
        ("reference", "/bench/bare-insert/", "company-1.example"),
    ):
        with CaptureQueriesContext(connection) as captured:
            time_requests(client, url, bodies("queries", 1, len(queries), domain))
        queries[label] = [q["sql"] for q in captured.captured_queries]
    freeze_after_startup()  # as enterprise_scanner/asgi.py and wsgi.py do once the process is loaded
    runs = []
    per_round = max(1, args.requests // args.rounds)
    for n in range(args.runs):
        real: list[float] = []
        bare: list[float] = []
        for r in range(args.rounds):
            offset = (n * args.rounds + r) * per_round
            real += time_requests(client, "/api/v1/leads/", bodies("real", per_round, offset))
            bare += time_requests(client, "/bench/bare-insert/", bodies("bare", per_round, offset))
        ours, reference = summary(real), summary(bare)
        ratio = ours["requests_per_s"] / reference["requests_per_s"]
        runs.append({"ours": ours, "reference": reference, "ratio": round(ratio, 3)})
        print(f"run {n + 1}: ratio {ratio:.2f}", flush=True)

    middle = sorted(runs, key=lambda r: r["ratio"])[len(runs) // 2]
    ratios = [r["ratio"] for r in runs]
    ours, reference, ratio = middle["ours"], middle["reference"], middle["ratio"]
    per_request = {label: len(sqls) for label, sqls in queries.items()}
    print(f"database: {vendor}; median of {len(runs)} runs of {per_round * args.rounds} requests each")
    for name, s in (("POST /api/v1/leads/", ours), ("bare INSERT view", reference)):
        print(
            f"  {name:<20} {s['requests_per_s']:>8} req/s  p50 {s['p50_ms']:>7} ms  p99 {s['p99_ms']:>7} ms"
        )
    print(
        f"  ratio {ratio:.2f} (spread {min(ratios):.2f}–{max(ratios):.2f}; target >= {TARGET} on the median)"
    )
    print(f"  queries per request: {per_request}")
    rows = [
        ratio_row(
            benchmark=f"intake ({vendor})",
            measure="requests/s vs bare INSERT",
            ours=ours["requests_per_s"],
            reference=reference["requests_per_s"],
            target=f">= {TARGET}x (median of {len(runs)})",
            met=ratio >= TARGET,
            detail=(
                f"median of {len(runs)} runs, spread {min(ratios):.2f}–{max(ratios):.2f}; "
                f"p50 {ours['p50_ms']} / {reference['p50_ms']} ms, p99 {ours['p99_ms']} / {reference['p99_ms']} ms; "
                f"queries {per_request['ours']} / {per_request['reference']}"
            ),
        )
    ]
    write_result(
        f"lead_intake_{vendor}",
        {
            "database": vendor,
            "ours": ours,
            "reference": reference,
            "runs": runs,
            "queries": queries,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
