"""Admin and dashboard at scale: time and query count of the CRM pages over many leads (not a test).

    .venv/bin/python bench/admin_scale.py --scale 0.01      # 10,000 leads, ~100,000 events (scratch SQLite)
    createdb -h 127.0.0.1 -U postgres es_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench .venv/bin/python bench/admin_scale.py --scale 1

`--scale 1` is the issue's full size: 1,000,000 leads and about 10,000,000 timeline events, written
by `bench/scale_data.py` (COPY on PostgreSQL: about 5 minutes here; see its docstring for the
distribution). A database without the generated data gets it (rows other benchmarks left there
stay); one that has it is reused as it is, whatever the scale asked for, so a second run only
measures. Drop the database when done: the rows stay.

Then, logged in first as a manager (sees every lead) and then as a rep (own leads and the
unassigned queue), it fetches the lead changelist, three filtered changelists (new Fortune 500,
hot, by owner), three searches (a common surname, one full e-mail address, a company domain), the
page of the lead with the longest timeline (5,000 rows), the dashboard (the admin index) and the
list of all timeline entries, each after a warm-up, and reports the median time of five fetches
and the number of queries, next to a floor measured in the same run (the admin's password form,
no lead data), which tells a slow page from a busy machine. The targets: under 300 ms, and the
same number of queries at any size (compare two scales).
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import configure, ratio_row, write_result

configure(scratch_prefix="admin-bench-")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from scale_data import BUSY_LEAD_EMAIL, MANAGER_USERNAME, REP_USERNAME, generate  # noqa: E402

from leads.models import Lead, LeadEvent  # noqa: E402

TARGET_MS = 300
FLOOR_URL = "/admin/password_change/"


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


def pages_for(*, manager: bool, rep_id: int) -> dict[str, str]:
    """The pages a manager or a rep opens in a day, with data that exists at every scale."""
    busy = Lead.objects.get(email=BUSY_LEAD_EMAIL)
    other = Lead.objects.exclude(company=None).exclude(pk=busy.pk).order_by("created_at").first()
    pages = {
        "changelist": "/admin/leads/lead/",
        "filtered: new F500": "/admin/leads/lead/?status__exact=new&is_fortune_500__exact=1",
        "filtered: hot": "/admin/leads/lead/?score_band=hot",
        "filtered: owner": f"/admin/leads/lead/?owner={rep_id}" if manager else "/admin/leads/lead/?owner=me",
        "search: surname": "/admin/leads/lead/?q=garcia",
        "search: e-mail": f"/admin/leads/lead/?q={other.email}",
        "search: domain": f"/admin/leads/lead/?q={other.company.domain}",
        "lead page (busy)": f"/admin/leads/lead/{busy.pk}/change/",
        "dashboard": "/admin/",
        "timeline list": "/admin/leads/leadevent/",
    }
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.02, help="1 = 1,000,000 leads, 10,000,000 events")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    wanted = max(100, int(1_000_000 * args.scale))
    generation_s = None
    if not Lead.objects.filter(email=BUSY_LEAD_EMAIL).exists():
        # Rows other benchmarks left in the same scratch database stay; ours are added.
        started = time.perf_counter()
        written = generate(leads=wanted, events_per_lead=10)
        generation_s = time.perf_counter() - started
        print(
            f"generated {written['leads']:,} leads and {written['events']:,} events "
            f"in {generation_s:.0f} s ({connection.vendor})"
        )
    leads = Lead.objects.count()  # what the pages run over
    if generation_s is None:
        print(f"reusing the generated data of an earlier run: {leads:,} leads (asked for {wanted:,})")
    events = LeadEvent.objects.count() if connection.vendor != "postgresql" else _estimate_events()
    vendor = connection.vendor
    User = get_user_model()
    rows = []
    for role, username in (("manager", MANAGER_USERNAME), ("rep", REP_USERNAME)):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        # The same machine's floor at this moment: an admin page with no lead data (the password
        # form), so a reader can tell a slow page from a busy machine.
        floor_ms, _ = measure(client, FLOOR_URL)
        print(f"  {role:<8} {'(floor: admin form)':<20} {floor_ms:>8.1f} ms")
        for name, url in pages_for(
            manager=role == "manager", rep_id=User.objects.get(username=REP_USERNAME).pk
        ).items():
            ms, queries = measure(client, url)
            print(f"  {role:<8} {name:<20} {ms:>8.1f} ms  {queries:>3} queries")
            rows.append(
                ratio_row(
                    benchmark=f"admin {name}, {role} ({vendor}, {leads:,} leads)",
                    measure="median ms vs 300 ms budget",
                    ours=ms,
                    reference=TARGET_MS,
                    target=f"< {TARGET_MS} ms, constant queries",
                    met=ms < TARGET_MS,
                    queries=queries,
                    floor_ms=round(floor_ms, 1),
                    detail=f"{queries} queries; admin floor {floor_ms:.0f} ms",
                )
            )
    write_result(
        f"admin_scale_{vendor}",
        {
            "database": vendor,
            "leads": leads,
            "events": events,
            "generation_s": round(generation_s, 1) if generation_s is not None else None,
            "rows": rows,
        },
    )


def _estimate_events() -> int:
    """The planner's row estimate (exact after the generator's ANALYZE): counting 10 M rows would
    take longer than the whole measurement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [LeadEvent._meta.db_table]
        )
        return int(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
