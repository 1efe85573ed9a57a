"""Where one lead-intake request spends its time, without a profiler (a diagnostic, not a benchmark).

    .venv/bin/python bench/intake_parts.py --requests 400
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench .venv/bin/python bench/intake_parts.py

A sampling profiler at a fine interval roughly doubles a request's time and inflates many small
Python calls more than a few database calls, so its shares mislead when the question is "how many
milliseconds would removing X save?". This script wraps the named steps of `POST /api/v1/leads/`
and of the bare INSERT view in `perf_counter` timers (a wrapper costs ~1 µs), sends the same
bodies as `lead_intake.py` and prints the mean milliseconds per request of each step, and of the
garbage collector (`gc.callbacks`). Nested steps are indented under the step that contains them;
shares of the bare view's request are not subtracted from anything.
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from common import configure

configure(scratch_prefix="intake-parts-")
os.environ["TASK_BACKEND"] = "database"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.db.models.query import QuerySet  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

import leads.apis as lead_apis  # noqa: E402
import leads.services.intake as intake  # noqa: E402
from analytics.services import website_create  # noqa: E402
from enterprise_scanner.gc_startup import freeze_after_startup  # noqa: E402
from leads.models import Lead  # noqa: E402

settings.ROOT_URLCONF = "bench_urls"
ORIGIN = "https://bench.example"

spent: collections.Counter[str] = collections.Counter()
calls: collections.Counter[str] = collections.Counter()


def timed(owner: Any, attribute: str, label: str) -> None:
    """Replace `owner.attribute` by a wrapper that adds its wall time to `spent[label]`."""
    original: Callable[..., Any] = getattr(owner, attribute)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started
            calls[label] += 1

    setattr(owner, attribute, wrapper)


STEPS: list[tuple[Any, str, str]] = [
    (APIView, "dispatch", "DRF dispatch (the view, middleware excluded)"),
    (APIView, "initial", "  DRF initial"),
    (APIView, "perform_authentication", "    authentication (API key, then site key)"),
    (APIView, "check_throttles", "    throttles (per IP, per key)"),
    (APIView, "perform_content_negotiation", "    content negotiation"),
    (lead_apis.LeadSubmitInput, "is_valid", "  serializer is_valid"),
    (lead_apis.LeadSubmitInput, "validate_email", "    email-validator"),
    (intake, "_lead_submit", "  lead_submit's work inside the transaction"),
    (intake, "_lead_for_update", "    probe for a known lead"),
    (intake, "company_resolve", "    company_resolve"),
    (Lead, "save", "    Lead.save (with its audit entry)"),
    (QuerySet, "bulk_create", "    timeline bulk_create"),
    (intake, "enqueue_with_transaction", "    follow-up job (django-tasks enqueue)"),
    (intake, "lead_created_emit", "    webhook probe"),
    (transaction.Atomic, "__exit__", "  transaction exit (COMMIT)"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    website = website_create(name="Bench parts", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    run = time.time_ns()

    def post(url: str, n: int) -> None:
        body = {
            "email": f"parts{len(url)}.{run}.{n}@company-{n % 500}.example",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "job_title": "CISO",
            "form": "demo_request",
            "message": "Please call me about a scan.",
        }
        response = client.post(url, body, content_type="application/json")
        if response.status_code not in (200, 201):
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")

    for owner, attribute, label in STEPS:
        timed(owner, attribute, label)
    gc_started: list[float] = []

    def gc_timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started.append(time.perf_counter())
        elif gc_started:
            spent[f"garbage collector, generation {info['generation']}"] += (
                time.perf_counter() - gc_started.pop()
            )

    gc.callbacks.append(gc_timer)
    for n in range(50):  # imports, first queries, caches
        post("/api/v1/leads/", n)
        post("/bench/bare-insert/", n)
    freeze_after_startup()  # as the ASGI/WSGI entry points do (and bench/lead_intake.py)
    print(f"database: {connections['default'].vendor}; mean ms per request of {args.requests}")
    for name, url in (("POST /api/v1/leads/", "/api/v1/leads/"), ("bare INSERT view", "/bench/bare-insert/")):
        spent.clear()
        calls.clear()
        started = time.perf_counter()
        for n in range(100, 100 + args.requests):
            post(url, n)
        total = time.perf_counter() - started
        print(f"{name}: {total / args.requests * 1000:.3f} ms per request (test client, middleware included)")
        order = [label for _, _, label in STEPS] + sorted(k for k in spent if k.startswith("garbage"))
        for label in (label for label in order if label in spent):
            seconds = spent[label]
            per_call = calls[label] / args.requests if calls[label] else 0
            print(f"  {label:<52} {seconds / args.requests * 1000:7.3f} ms  ({per_call:.1f} calls)")


if __name__ == "__main__":
    sys.exit(main())
