"""Bulk generator for the admin-at-scale benchmark: staff, companies, leads, timelines, visits.

    generate(leads=1_000_000, events_per_lead=10)   # ~1 M leads, ~10 M timeline rows

Rows are written straight into the tables, not through the services: this is generated data, not
submissions, so no signals, scoring, audit entries or task enqueues (those are what the intake
benchmark measures). On PostgreSQL every table is filled with COPY (psycopg 3) in chunks of
`CHUNK` leads, one transaction per chunk so the deferred foreign-key checks stay small; on SQLite
the same rows go through `executemany`. Then VACUUM ANALYZE, so the planner sees the real sizes and
index-only scans are possible, as they would be on a database that has lived for a while.

The distribution is meant to look like a real sales database rather than a uniform grid:
- 20 reps and one manager; about a third of the leads unassigned (the shared queue), the rest
  spread over the reps, rep 0 (the benchmark's rep) with the same share as everyone else;
- statuses weighted towards the top of the funnel (40 % new ... 5 % won, 12 % lost);
- scores around 40, Fortune 500 leads around 65;
- one company per 20 leads, a tenth of them (at most 500) on the Fortune 500, which send about 8 %
  of the leads; the other companies skewed (a few big accounts, a long tail); 10 % of leads with
  no matched company, only a typed name;
- creation dates over two years, denser recently; follow-ups on 15 % of open leads, from three
  weeks overdue to a month ahead; deal estimates on 40 % of leads past "new";
- ten timeline rows per lead on average (3 to 17), and one "busy" lead (BUSY_LEAD_EMAIL) with
  BUSY_LEAD_EVENTS rows, the worst case for the lead page;
- two weeks of daily website visits by Fortune 500 companies (the dashboard's rollup).
Seeded, so two runs at the same scale produce the same data.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from analytics.models import CompanyDailyVisit
from leads.bulk_import import InsertTable
from leads.models import Company, Lead, LeadEvent, LeadEventKind, LeadSource, LeadStatus, Seniority
from leads.selectors import SALES_MANAGER_GROUP, SALES_REP_GROUP

CHUNK = 50_000
REPS = 20
BUSY_LEAD_EMAIL = "busy.lead@busy-account.example"
BUSY_LEAD_EVENTS = 5_000
REP_USERNAME = "bench-rep-00"
MANAGER_USERNAME = "bench-manager"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Ada Grace Alan Linus Barbara Olivia Liam Emma Noah Ava Elijah Sophia James Isabella William Mia "
    "Benjamin Charlotte Lucas Amelia Henry Harper Theodore Evelyn Jack Abigail Levi Emily Alexander "
    "Elizabeth Jackson Sofia Mateo Avery Daniel Ella Michael Scarlett Mason Grace Sebastian Chloe "
    "Ethan Priya Wei Yuki Fatima Omar Chen Aisha Diego"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders "
    "Patel Myers Long Ross Foster"
)
NAME_WORDS = _words(
    "North Blue Iron Summit Pioneer Atlas Apex Vector Harbor Cedar Granite Silver Falcon Meridian "
    "Quantum Liberty Orion Pacific Keystone Sterling Beacon Crescent Evergreen Horizon Lakeside"
)
NAME_KINDS = _words("Systems Holdings Financial Energy Health Logistics Foods Capital Networks Industries")
JOB_TITLES = (
    "CISO",
    "CIO",
    "CTO",
    "VP Security",
    "IT Director",
    "IT Manager",
    "Security Engineer",
    "Engineer",
    "",
)
STATUS_WEIGHTS = {
    LeadStatus.NEW: 40,
    LeadStatus.QUALIFIED: 15,
    LeadStatus.CONTACTED: 15,
    LeadStatus.DEMO_SCHEDULED: 8,
    LeadStatus.PROPOSAL: 5,
    LeadStatus.CLOSED_WON: 5,
    LeadStatus.CLOSED_LOST: 12,
}
OPEN_STATUSES = {s.value for s in STATUS_WEIGHTS if s not in (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST)}
TIMELINE_KINDS = (
    (LeadEventKind.SUBMITTED, "Submitted the contact form", {"form": "contact"}),
    (LeadEventKind.COMPANY_MATCHED, "Matched to a company", {}),
    (LeadEventKind.SCORED, "Scored", {"score": 50}),
    (LeadEventKind.PAGE_VIEWS, "Viewed pricing and 3 more pages", {"pages": 4}),
    (LeadEventKind.EMAIL_SENT, "Sent the follow-up e-mail", {}),
    (LeadEventKind.NOTE_ADDED, "Called, left a voicemail", {}),
    (LeadEventKind.STATUS_CHANGED, "Status changed", {"from": "new", "to": "contacted"}),
)


def generate(*, leads: int, events_per_lead: int = 10, seed: int = 11) -> dict[str, int]:
    """Fill an empty database with `leads` leads and about `leads * events_per_lead` timeline
    rows (plus staff, companies and visits). Returns the row counts written."""
    rng = random.Random(seed)
    now = timezone.now()
    reps = _staff()
    companies, f500 = _companies(rng, count=max(10, leads // 20))
    written = {"companies": len(companies), "leads": 0, "events": 0}
    started = time.perf_counter()
    for first in range(0, leads, CHUNK):
        size = min(CHUNK, leads - first)
        lead_rows, event_rows = [], []
        for n in range(first, first + size):
            lead = _lead_row(rng, n, now=now, reps=reps, companies=companies, f500=f500)
            lead_rows.append(lead)
            count = BUSY_LEAD_EVENTS if n == 0 else rng.randint(events_per_lead - 7, events_per_lead + 7)
            event_rows.extend(_event_rows(rng, lead, count=max(1, count)))
        with transaction.atomic():
            _write(Lead, lead_rows)
            _write(LeadEvent, event_rows)
        written["leads"] += len(lead_rows)
        written["events"] += len(event_rows)
        rate = written["leads"] / (time.perf_counter() - started)
        print(
            f"  {written['leads']:,} leads, {written['events']:,} events ({rate:,.0f} leads/s)",
            file=sys.stderr,
            end="\r",
        )
    print(file=sys.stderr)
    written["visits"] = _visits(rng, f500=f500, now=now)
    _analyze()
    return written


# --- Rows --------------------------------------------------------------------------------------


def _staff() -> list[Any]:
    """The manager (superuser) and REPS reps in the "Sales rep" group; returns the reps."""
    User = get_user_model()
    rep_group, _ = Group.objects.get_or_create(name=SALES_REP_GROUP)
    manager_group, _ = Group.objects.get_or_create(name=SALES_MANAGER_GROUP)
    manager, _ = User.objects.get_or_create(
        username=MANAGER_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    manager.groups.add(manager_group)
    reps = []
    for n in range(REPS):
        rep, _ = User.objects.get_or_create(username=f"bench-rep-{n:02d}", defaults={"is_staff": True})
        rep.groups.add(rep_group)
        reps.append(rep)
    return reps


def _companies(rng: random.Random, *, count: int) -> tuple[list[Company], list[Company]]:
    """`count` companies, the first tenth (at most 500) ranked on the Fortune 500."""
    ranked = min(500, count // 10)
    companies = []
    for n in range(count):
        a, b, kind = rng.choice(NAME_WORDS), rng.choice(NAME_WORDS), rng.choice(NAME_KINDS)
        companies.append(
            Company(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                name=f"{a} {b} {kind}" if n >= ranked else f"{a} {kind} Corporation {n + 1}",
                domain=f"{a}{b}{kind}{n}.com".lower(),
                fortune_rank=(n + 1) if n < ranked else None,
                fortune_year=2025 if n < ranked else None,
                industry=kind,
            )
        )
    Company.objects.bulk_create(companies, batch_size=10_000)
    return companies[ranked:], companies[:ranked]


def _lead_row(
    rng: random.Random,
    n: int,
    *,
    now: datetime,
    reps: Sequence[Any],
    companies: Sequence[Company],
    f500: Sequence[Company],
) -> dict[str, Any]:
    roll = rng.random()
    if n == 0 or (roll < 0.08 and f500):
        company = f500[0] if n == 0 else rng.choice(f500)
    elif roll < 0.18:
        company = None
    else:
        company = companies[int(len(companies) * rng.random() ** 2)]  # big accounts, long tail
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    domain = company.domain if company else rng.choice(("gmail.com", "outlook.com", "yahoo.com"))
    email = BUSY_LEAD_EMAIL if n == 0 else f"{first}.{last}{n}@{domain}".lower()
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0].value
    is_f500 = company is not None and company.fortune_rank is not None
    score = 99 if n == 0 else max(0, min(100, int(rng.gauss(65, 18) if is_f500 else rng.gauss(40, 20))))
    owner = reps[0] if n == 0 else (None if rng.random() < 0.35 else rng.choice(reps))
    created = now - timedelta(days=730 * rng.random() ** 1.5, seconds=rng.randrange(86_400))
    follow_up = None
    if status in OPEN_STATUSES and rng.random() < 0.15:
        follow_up = now + timedelta(days=rng.uniform(-21, 30))
    value = None
    if status != LeadStatus.NEW and rng.random() < 0.4:
        value = Decimal(rng.randrange(5, 500) * 1000)
    return {
        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
        "email": email,
        "first_name": first,
        "last_name": last,
        "job_title": rng.choice(JOB_TITLES),
        "seniority": rng.choice(Seniority.values),
        "company_id": company.id if company else None,
        "company_name": company.name if company else f"{last} Consulting",
        "source": rng.choice(LeadSource.values),
        "status": status,
        "lost_reason": "Budget" if status == LeadStatus.CLOSED_LOST else "",
        "score": score,
        "is_fortune_500": is_f500,
        "estimated_deal_value": value,
        "owner_id": owner.pk if owner else None,
        "next_follow_up_at": follow_up,
        "created_at": created,
        "updated_at": created,
    }


def _event_rows(rng: random.Random, lead: dict[str, Any], *, count: int) -> Iterator[dict[str, Any]]:
    """`count` timeline rows after the lead's creation, the first one its submission."""
    at = lead["created_at"]
    for k in range(count):
        kind, summary, data = TIMELINE_KINDS[0] if k == 0 else rng.choice(TIMELINE_KINDS)
        yield {
            "lead_id": lead["id"],
            "kind": kind.value,
            "summary": summary,
            "data": data,
            "actor_label": "generator",
            "created_at": at,
        }
        at += timedelta(minutes=rng.randrange(1, 2_000))


def _visits(rng: random.Random, *, f500: Sequence[Company], now: datetime) -> int:
    """Fourteen days of the Fortune 500 visit rollup: about a third of the companies each day."""
    today = timezone.localdate(now)
    rows = [
        {
            "date": today - timedelta(days=day),
            "company_id": company.id,
            "visitors": rng.randint(1, 20),
            "page_views": rng.randint(1, 200),
            "last_visit_at": now - timedelta(days=day, minutes=rng.randrange(1_000)),
        }
        for day in range(14)
        for company in f500
        if rng.random() < 0.33
    ]
    with transaction.atomic():
        _write(CompanyDailyVisit, rows)
    return len(rows)


# --- Writing -----------------------------------------------------------------------------------


def _write(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (attname → value) the way the lead import does: COPY on PostgreSQL,
    executemany elsewhere (`InsertTable`). Every stored column is written except the auto id and
    database-generated ones; a column missing from the rows takes the field's Python default (the
    tables have no defaults of their own)."""
    if not rows:
        return
    table = InsertTable(model)
    defaults = {f.attname: f.get_default() for f in table.fields if f.attname not in rows[0]}
    names = [f.attname for f in table.fields]
    table.insert(
        [table.row([row[name] if name in row else defaults[name] for name in names]) for row in rows]
    )


def _analyze() -> None:
    """Fresh statistics and visibility map, as on a database that autovacuum has looked after."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Company, Lead, LeadEvent, CompanyDailyVisit):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        else:
            cursor.execute("ANALYZE")
