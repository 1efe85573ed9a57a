"""Lead intake under faults: a burst of identical submissions, and a database that is not there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from analytics.services import website_create
from enterprise_scanner.api.throttles import SiteIpThrottle
from enterprise_scanner.tests.concurrency import run_at_once
from leads.models import Lead, LeadEventKind

BASE_DIR = Path(__file__).resolve().parents[2]
ORIGIN = "https://www.enterprisescanner.com"


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="a real insert race needs PostgreSQL (leads/tests covers SQLite)")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_identical_submissions_make_exactly_one_lead_and_no_5xx(monkeypatch) -> None:
    """A real insert race between pooled PostgreSQL connections: the loser of the unique-email
    insert continues as an update of the winner's lead."""
    # DRF copies the rates into the throttle class when it is imported, so a settings override
    # would not reach it (the default 30/min per IP then answered some of these with 429).
    monkeypatch.setattr(
        SiteIpThrottle, "THROTTLE_RATES", {**SiteIpThrottle.THROTTLE_RATES, "site_ip": "1000/min"}
    )
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    statuses: list[int] = []

    def post() -> None:
        client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
        response = client.post(
            "/api/v1/leads/",
            {"email": "burst@acme-corp.com", "first_name": "Ada", "form": "demo_request"},
            content_type="application/json",
        )
        statuses.append(response.status_code)

    run_at_once([post] * 50)
    assert len(statuses) == 50
    assert sorted(statuses) == [200] * 49 + [201]
    lead = Lead.objects.get(email__iexact="burst@acme-corp.com")
    assert lead.events.filter(kind=LeadEventKind.SUBMITTED).count() == 50
    assert lead.events.filter(kind=LeadEventKind.CREATED).count() == 1


def run_in_fresh_process(code: str, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="enterprise_scanner.settings", DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_with_the_database_gone_the_api_answers_503_with_retry_after_and_healthz_says_why(tmp_path) -> None:
    missing = tmp_path / "no-such-dir" / "db.sqlite3"
    code = (
        "import django, json; django.setup(); from django.test import Client\n"
        "c = Client(HTTP_HOST='localhost', HTTP_X_SITE_KEY='pk_anything', HTTP_ORIGIN='https://a.example')\n"
        "r = c.post('/api/v1/leads/', {'email': 'a@acme-corp.com'}, content_type='application/json')\n"
        "h = Client().get('/healthz', HTTP_HOST='localhost')\n"
        "print(json.dumps({'status': r.status_code, 'retry': r.get('Retry-After'), 'body': r.json(),"
        " 'health': h.status_code, 'checks': h.json()['checks']}))\n"
    )
    result = run_in_fresh_process(code, f"sqlite:///{missing}")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert int(answer["retry"]) > 0
    assert "retry" in answer["body"]["detail"].lower()
    assert answer["health"] == 503
    assert answer["checks"]["database"]["ok"] is False
    assert "OperationalError" in answer["checks"]["database"]["error"]


@pytest.mark.skipif(ON_POSTGRES, reason="holds SQLite's write lock")
def test_a_database_that_stays_locked_mid_submission_gives_503_and_writes_nothing(tmp_path) -> None:
    """Another process holds the write lock for longer than the request will wait: the
    submission is refused with 503 + Retry-After, and once the lock is gone nothing of it is
    in the database (no lead, no timeline, no queued task)."""
    db = tmp_path / "locked.sqlite3"
    url = f"sqlite:///{db}"
    setup = (
        "import django; django.setup(); from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from analytics.services import website_create\n"
        "print(website_create(name='S', allowed_origins=['https://a.example']).publishable_key)\n"
    )
    prepared = run_in_fresh_process(setup, url)
    assert prepared.returncode == 0, prepared.stderr
    key = prepared.stdout.strip().splitlines()[-1]
    code = (
        "import django, json, sqlite3; django.setup()\n"
        "from django.db import connection; from django.test import Client\n"
        f"blocker = sqlite3.connect({str(db)!r}, isolation_level=None); blocker.execute('BEGIN IMMEDIATE')\n"
        "connection.settings_dict['OPTIONS']['timeout'] = 0.2; connection.close()\n"
        f"c = Client(HTTP_HOST='localhost', HTTP_X_SITE_KEY={key!r}, HTTP_ORIGIN='https://a.example')\n"
        "r = c.post('/api/v1/leads/', {'email': 'a@acme-corp.com', 'form': 'demo_request'},"
        " content_type='application/json')\n"
        "blocker.rollback(); blocker.close(); connection.close()\n"
        "from leads.models import Lead, LeadEvent; from django_tasks_db.models import DBTaskResult\n"
        "print(json.dumps({'status': r.status_code, 'retry': r.get('Retry-After'),"
        " 'leads': Lead.objects.count(), 'events': LeadEvent.objects.count(),"
        " 'tasks': DBTaskResult.objects.count()}))\n"
    )
    result = run_in_fresh_process(code, url)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {"status": 503, "retry": answer["retry"], "leads": 0, "events": 0, "tasks": 0}
    assert int(answer["retry"]) > 0
